"""Publishing: the whole new output staged before the old goes, never through a link."""
import errno
import os
import shutil
from pathlib import Path

import pytest

from pipeline.batch.publish import PublishError, publish_run


def _finished_shard(tmp_path: Path, records: str, rejects: str) -> tuple[Path, dict[str, str], list[str]]:
    """An output folder with one finalised shard of plan p1: the folder, its records map, its rejects list."""
    output = tmp_path / "out"
    final = output / "_work" / "final" / "p1"
    final.mkdir(parents=True)
    (final / "s1.records.jsonl").write_text(records, encoding="utf-8")
    (final / "s1.rejects.jsonl").write_text(rejects, encoding="utf-8")
    return output, {"records-s1.jsonl": str(final / "s1.records.jsonl")}, [str(final / "s1.rejects.jsonl")]


def _published(output: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(output.iterdir()) if p.is_file()}


def test_publish_run_links_new_files_drops_older_record_files_and_writes_success_last(tmp_path):
    output, records, rejects = _finished_shard(tmp_path, '{"id": 1}\n', '{"source": "x"}\n')
    (output / "records-s0.jsonl").write_text("old\n", encoding="utf-8")
    publish_run(str(output), "p1", records, rejects, {"plan": "p1"})
    assert _published(output) == {"_SUCCESS": "p1\n", "manifest.json": '{\n "plan": "p1"\n}\n',
                                  "records-s1.jsonl": '{"id": 1}\n', "rejects.jsonl": '{"source": "x"}\n'}
    # linked, not copied
    assert (output / "records-s1.jsonl").stat().st_ino == Path(records["records-s1.jsonl"]).stat().st_ino
    assert list((output / "_work" / "publish").iterdir()) == []


def test_publish_run_on_a_full_disk_leaves_the_previous_output_whole(tmp_path, monkeypatch):
    output, records, rejects = _finished_shard(tmp_path, '{"id": 2}\n', '{"source": "y"}\n')
    previous = {"_SUCCESS": "p0\n", "manifest.json": '{"plan": "p0", "record_files": ["records-s0.jsonl"]}\n',
                "records-s0.jsonl": '{"id": 1}\n', "rejects.jsonl": ""}
    for name, text in previous.items():
        (output / name).write_text(text, encoding="utf-8")

    def full(source, target, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfileobj", full)  # the rejects copy hits a full disk
    with pytest.raises(PublishError, match=r"^publishing the run in .* failed \(No space left on device\); "
                                           r"the previous output is unchanged$"):
        publish_run(str(output), "p1", records, rejects, {"plan": "p1"})
    assert _published(output) == previous
    assert list((output / "_work" / "publish").iterdir()) == []  # nothing staged is left behind


def test_staging_never_writes_through_a_planted_link(tmp_path):
    output, records, rejects = _finished_shard(tmp_path, '{"id": 1}\n', "")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    publish = output / "_work" / "publish"
    publish.mkdir()
    for name in ("manifest.json", "rejects.jsonl", "_SUCCESS", "records-s1.jsonl"):
        (publish / f"{name}.{os.getpid()}.tmp").symlink_to(victim)
    publish_run(str(output), "p1", records, rejects, {"plan": "p1"})
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (output / "_SUCCESS").read_text(encoding="utf-8") == "p1\n"
    assert not (output / "_SUCCESS").is_symlink()


def test_staging_folder_that_is_a_link_is_replaced_not_followed(tmp_path):
    output, records, rejects = _finished_shard(tmp_path, '{"id": 1}\n', "")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (output / "_work" / "publish").symlink_to(elsewhere)
    publish_run(str(output), "p1", records, rejects, {"plan": "p1"})
    assert list(elsewhere.iterdir()) == []
    assert not (output / "_work" / "publish").is_symlink()
    assert (output / "_SUCCESS").read_text(encoding="utf-8") == "p1\n"
