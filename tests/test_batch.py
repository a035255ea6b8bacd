"""Batch mechanics without a scheduler: plans, publishing, clean-up, progress, scaling."""
import io
import json
from pathlib import Path

import pytest
from luigi import LocalTarget

from pipeline import cli
from pipeline.batch import (PLAN_FORMAT, build_batch_index, count_site_paragraphs, finalise_shard, plan_shards,
                            read_plan, shard_weight, write_plan)
from pipeline.config import load_config
from pipeline.inputs import discover_inputs
from pipeline.measure.benchmark import scale_inputs
from pipeline.site_stats import SiteRepeatedRules, SiteStats
from pipeline.tasks import drop_stale_work, publish_records, published
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


def test_published_file_appears_whole_or_not_at_all(tmp_path):
    with published(str(tmp_path), "manifest.json") as handle:
        handle.write("{}\n")
        assert not (tmp_path / "manifest.json").exists()  # nothing visible while it is written
    assert (tmp_path / "manifest.json").read_text(encoding="utf-8") == "{}\n"
    with pytest.raises(RuntimeError):
        with published(str(tmp_path), "manifest.json") as handle:
            handle.write('{"half": ')
            raise RuntimeError("killed mid-write")
    assert (tmp_path / "manifest.json").read_text(encoding="utf-8") == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_work", "manifest.json"]
    assert list((tmp_path / "_work" / "publish").iterdir()) == []


def test_publish_records_links_new_files_and_drops_older_plans(tmp_path):
    shards = plan_shards(discover_inputs([_files(tmp_path, 3)]), 100)
    final = tmp_path / "out" / "_work" / "final" / "plan"
    final.mkdir(parents=True)
    (final / "a.records.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    (tmp_path / "out" / "records-0000000000000000.jsonl").write_text("old\n", encoding="utf-8")
    names = publish_records(str(tmp_path / "out"), shards, [{"records": LocalTarget(str(final / "a.records.jsonl"))}])
    assert names == [f"records-{shards[0].id}.jsonl"]
    published_file = tmp_path / "out" / names[0]
    assert published_file.read_text(encoding="utf-8") == '{"id": 1}\n'
    assert published_file.stat().st_ino == (final / "a.records.jsonl").stat().st_ino  # linked, not copied
    assert sorted(p.name for p in (tmp_path / "out").glob("records-*")) == names


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
