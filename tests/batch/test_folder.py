"""The output folder's safety check: a link among the run's own folders is refused."""
import re

import pytest

from pipeline.batch.folder import unsafe_output

@pytest.mark.parametrize("link, message", [
    ("_work", r"_work is a symbolic link \(to .*/s\); newsclean writes and deletes only inside the output folder: "
              r"make it a real folder$"),
    ("_work/clean", r"_work/clean is a symbolic link"),
    ("_state", r"_state is a symbolic link \(to .*/s\); .*, or give --state-dir$"),
])
def test_unsafe_output_names_a_link_among_the_run_folders(tmp_path, link, message):
    (tmp_path / "s").mkdir()
    (tmp_path / "o" / link).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "o" / link).symlink_to(tmp_path / "s")
    assert re.search(message, unsafe_output(str(tmp_path / "o")))
    assert unsafe_output(str(tmp_path / "elsewhere")) is None
