"""Batch mechanics without a scheduler: plans, publishing, clean-up, progress, scaling."""
import errno
import io
import json
import os
import re
import shutil
import signal
import socket
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.batch import (PLAN_FORMAT, build_batch_index, clean_shard, count_site_paragraphs, finalise_shard,
                            plan_shards, read_plan, shard_weight, write_plan)
from pipeline.measure.benchmark import scale_inputs
from pipeline.config import load_config
from pipeline.inputs import discover_inputs
from pipeline.site_stats import SiteRepeatedRules, SiteStats
from pipeline.tasks import OutputLockedError, PublishError, drop_stale_work, output_lock, publish_run, unsafe_output
from pipeline.writing import dumps


def _files(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(count):
        (folder / f"doc{n:03d}.txt").write_text("x" * (n + 1), encoding="utf-8")
    return folder


def test_plan_round_trips_and_is_written_once(tmp_path):
    shards = plan_shards(discover_inputs([_files(tmp_path, 30)]), 4)
    path = tmp_path / "plans" / "p1.json"
    write_plan(path, "p1", shards)
    assert read_plan(path) == shards
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == PLAN_FORMAT
    stamp = path.stat().st_mtime_ns
    write_plan(path, "p1", shards[:1])  # a plan file never changes once written
    assert path.stat().st_mtime_ns == stamp and read_plan(path) == shards
    assert [p.name for p in path.parent.iterdir()] == ["p1.json"]


def test_read_plan_refuses_other_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something.else"}), encoding="utf-8")
    with pytest.raises(ValueError, match="newsclean.plan.v1"):
        read_plan(path)


def test_shard_weight_is_bytes_of_its_members(tmp_path):
    shards = plan_shards(discover_inputs([_files(tmp_path, 5)]), 100)
    assert len(shards) == 1 and shard_weight(shards[0]) == 1 + 2 + 3 + 4 + 5


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


def test_drop_stale_work_keeps_this_plan_and_removes_leftovers(tmp_path):
    work = tmp_path / "_work"
    for relative in ("final/p1/s1.records.jsonl", "final/p0/s0.records.jsonl", "index/p1.json", "index/p0.json",
                     "plans/p1.json", "plans/p0.json", "clean/s1.jsonl", "clean/s0.jsonl",
                     "clean/s2.jsonl-luigi-tmp-0123456789", "publish/manifest.json.42.tmp"):
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        (work / relative).write_text("x", encoding="utf-8")
    drop_stale_work(str(tmp_path), "p1", {"s1"})
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()) == \
        ["clean/s1.jsonl", "final/p1/s1.records.jsonl", "index/p1.json", "plans/p1.json"]


def test_drop_stale_work_follows_no_link_out_of_the_work_folder(tmp_path):
    outside = tmp_path / "outside"
    for relative in ("deep/important.tmp", "plan0/s0.records.jsonl", "s0.jsonl", "x-luigi-tmp-1"):
        (outside / relative).parent.mkdir(parents=True, exist_ok=True)
        (outside / relative).write_text("keep", encoding="utf-8")
    work = tmp_path / "out" / "_work"
    for folder in ("final", "clean"):
        (work / folder).mkdir(parents=True)
    (work / "scratch").symlink_to(outside / "deep")             # a linked folder holding a *.tmp
    (work / "final" / "p0").symlink_to(outside / "plan0")        # an older plan's folder, linked
    (work / "clean" / "s0.jsonl").symlink_to(outside / "s0.jsonl")  # a stale clean shard, linked
    (work / "clean" / "s9.jsonl-luigi-tmp-2").symlink_to(outside / "x-luigi-tmp-1")
    drop_stale_work(str(tmp_path / "out"), "p1", {"s1"})
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == \
        ["deep/important.tmp", "plan0/s0.records.jsonl", "s0.jsonl", "x-luigi-tmp-1"]
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*")) == ["clean", "final", "scratch"]


def test_drop_stale_work_leaves_a_linked_work_folder_alone(tmp_path):
    outside = tmp_path / "s"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "important.tmp").write_text("k\n", encoding="utf-8")
    (outside / "index").mkdir()
    (outside / "index" / "mine.json").write_text("{}", encoding="utf-8")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "_work").symlink_to(outside)
    drop_stale_work(str(tmp_path / "o"), "p1", set())
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == \
        ["deep/important.tmp", "index/mine.json"]


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


def test_output_lock_stops_another_plan_and_lets_the_same_plan_share(tmp_path):
    with output_lock(str(tmp_path), "p1"):
        holder = json.loads((tmp_path / "_work" / "lock").read_text(encoding="utf-8"))
        assert holder == {"pid": os.getpid(), "host": socket.gethostname(), "plan": "p1"}
        # flock locks belong to an open file: a second open, as by another process, conflicts
        with output_lock(str(tmp_path), "p1"):
            pass  # a process sharing the same plan goes on
        with pytest.raises(OutputLockedError) as raised:
            with output_lock(str(tmp_path), "p2"):
                pass
        assert str(raised.value) == (f"{tmp_path} is in use by another run (pid {os.getpid()} on host "
                                     f"{socket.gethostname()}); wait for it to end or give another --output")
    with output_lock(str(tmp_path), "p2"):  # released at the end
        pass


def test_progress_line_counts_this_plans_shards_only(tmp_path):
    (tmp_path / "_work" / "clean").mkdir(parents=True)
    (tmp_path / "_work" / "final" / "p1").mkdir(parents=True)
    for name in ("s1.jsonl", "s2.jsonl", "old.jsonl", "s3.jsonl-luigi-tmp-0000000001"):
        (tmp_path / "_work" / "clean" / name).write_text("", encoding="utf-8")
    (tmp_path / "_work" / "final" / "p1" / "s1.counts.json").write_text("{}", encoding="utf-8")
    line = cli.progress_line(tmp_path, "p1", ["s1", "s2", "s3", "s4"], width=8)
    assert line == "[###.....] 2/4 shards cleaned, 1 finalised"


def test_cli_worker_settings_leave_a_users_luigi_cfg_alone(monkeypatch):
    from luigi.configuration import get_config

    config = get_config()
    monkeypatch.setattr(config, "_sections", {}, raising=False)  # start from no [worker] table
    config.add_section("worker")
    config.set("worker", "wait_interval", "7")
    cli._configure_luigi(shared=True)
    assert (config.get("worker", "wait_interval"), config.get("worker", "keep_alive"),
            config.get("worker", "wait_jitter")) == ("7", "true", "0.3")


def test_scale_inputs_copies_under_new_names_keeping_extensions(tmp_path):
    source = tmp_path / "dev" / "html"
    (source / "site").mkdir(parents=True)
    (source / "site" / "a.html.gz").write_bytes(b"a")
    (source / "b.txt").write_bytes(b"b")
    scaled = scale_inputs([str(source)], 3, tmp_path / "x3")
    root = Path(scaled[0])
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == \
        ["b.txt", "b~2.txt", "b~3.txt", "site/a.html.gz", "site/a~2.html.gz", "site/a~3.html.gz"]


def _shard(rows: list[dict]) -> io.StringIO:
    return io.StringIO("".join(dumps({"kind": "record", **row}) + "\n" for row in rows))


def test_site_counts_take_lines_of_multi_line_paragraphs_and_each_record_once():
    rules = load_config().rules.site_repeated
    footer = "Follow us\nSubscribe to the newsletter"
    rows = [{"id": f"r{n}", "source": f"site/{n}.txt", "url": None, "site_name": None,
             "paragraphs": [f"A story about the {topic}.", footer if n % 2 else "Subscribe to the newsletter"]}
            for n, topic in enumerate(["harbour", "school", "budget", "bridge"])]
    stats = count_site_paragraphs([_shard(rows), _shard(rows[:1])], rules)  # r0 seen twice, counted once
    assert stats.documents("site") == 4
    counts = {fp: stats.count("site", fp) for fp in stats.repeated("site", rules)}
    assert sorted(counts.values()) == [4]  # the newsletter line, alone or inside the footer paragraph


def test_batch_index_marks_a_copy_on_another_site_as_duplicate():
    config = load_config()
    body = [f"Sentence number {n} of a long article about the harbour and its new ferry timetable." for n in range(8)]
    rows = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": body},
            {"id": "c1", "source": "two/c.txt", "url": None, "site_name": None, "paragraphs": ["Other news."]}]
    index, batch = build_batch_index(lambda: [_shard(rows)], SiteStats(), config)
    assert index == {"repeated": {}, "duplicates": {"b1": "a1"}}
    assert batch.sites() == ["one", "two"]


def test_batch_index_reuses_what_the_shard_precomputed_and_records_drop_it():
    config = load_config()
    shard = [{"id": "a1", "source": "one/a.txt", "url": None, "site_name": None, "paragraphs": ["Alpha text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""},
             {"id": "b1", "source": "two/b.txt", "url": None, "site_name": None, "paragraphs": ["Other text."],
              "fingerprints": [], "text_hash": "h", "minhash": ""}]
    index, _ = build_batch_index(lambda: [_shard(shard)], SiteStats(), config)
    assert index["duplicates"] == {"b1": "a1"}  # equal precomputed hashes, though the texts differ
    records, rejects = io.StringIO(), io.StringIO()
    rows = [{**row, "text": row["paragraphs"][0], "removed": []} for row in shard]
    finalise_shard(_shard(rows), index, config, records, rejects)
    assert [sorted(set(json.loads(line)) & {"fingerprints", "text_hash", "minhash", "paragraphs", "kind"})
            for line in records.getvalue().splitlines()] == [[], []]


def test_batch_index_takes_one_id_twice_without_failing():
    # the same file, same name, in two input folders: equal source and content make equal ids
    row = {"id": "a1", "source": "a.txt", "url": None, "site_name": None,
           "paragraphs": ["Sentence one of a story about the harbour and its new ferry timetable."]}
    index, _ = build_batch_index(lambda: [_shard([row]), _shard([row])], SiteStats(), load_config())
    assert index["duplicates"] == {}


def test_each_process_warms_up_once_outside_any_budget_before_its_first_document(tmp_path, monkeypatch):
    import pipeline.batch
    import pipeline.cleaner
    from pipeline.cleaner import Cleaner
    from pipeline.inputs import Limits

    calls = []
    run_steps = pipeline.cleaner.run_steps

    def recording(raw, *args):
        calls.append((raw.source, signal.getitimer(signal.ITIMER_PROF)[0] > 0))  # (source, under a budget)
        return run_steps(raw, *args)

    monkeypatch.setattr(pipeline.cleaner, "run_steps", recording)
    monkeypatch.setattr(pipeline.batch, "_warmed", False)  # a fresh worker process
    config = load_config()
    cleaner, limits = Cleaner.from_config(config), Limits.from_config(config)
    files = discover_inputs([_files(tmp_path, 2)])
    clean_shard(files[:1], cleaner, limits, io.StringIO())
    clean_shard(files[1:], cleaner, limits, io.StringIO())
    assert calls == [("warm-up.html", False), ("warm-up.txt", False), ("doc000.txt", True), ("doc001.txt", True)]
