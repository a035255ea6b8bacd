"""The [limits] table: caps read from the configuration, bad ones refused."""
from __future__ import annotations

import pytest

from conftest import overlay_config
from pipeline.config import ConfigError, load_config
from pipeline.inputs.limits import Limits


def test_limits_come_from_the_limits_table():
    limits = Limits.from_config(load_config())
    assert (limits.max_input_bytes, limits.max_decompressed_bytes, limits.max_line_chars) == (
        20_000_000, 50_000_000, 1_000_000)  # configs/newsclean.toml [limits]


@pytest.mark.parametrize("bad", [0, -5, "big", True, 1.5])
def test_bad_limit_is_a_config_error(bad, tmp_path):
    with pytest.raises(ConfigError, match=r"\[limits\] max_input_bytes"):
        overlay_config(tmp_path, "limits", max_input_bytes=bad)
