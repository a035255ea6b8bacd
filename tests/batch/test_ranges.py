"""Range shards: a large gzipped WARC or JSONL file cut into record ranges, each its own shard."""
from __future__ import annotations

import io
import json
import os
import signal
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.batch.plan import file_ranges, plan_shards
from pipeline.config import load_config
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input
from pipeline.inputs.warc import Range
from test_batch_runs import finish, html_page, newsclean, started_until_cleaned

LIMITS = Limits.from_config(load_config())


def _warc(path: Path, count: int, page=lambda n: f"<html><body><p>Short page {n} of the gazette.</p></body></html>"):
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for n in range(count):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://gazette{n % 7}.example/news/{n}", "response", payload=io.BytesIO(page(n).encode("utf-8")),
                http_headers=headers, warc_headers_dict={"WARC-Date": "2026-03-10T08:00:00Z",
                                                         "WARC-Record-ID": f"<urn:uuid:{n:032x}>"}))


def _items(f: InputFile, part: Range | None = None) -> list[tuple]:
    skipped, seen = [], []
    items = [(item.source, getattr(item, "content", None), getattr(item, "reason", None))
             for item in read_input(f, LIMITS, on_skip=skipped.append, on_seen=lambda: seen.append(1), part=part)]
    return items + [("skipped", len(skipped), None), ("seen", len(seen), None)]


def _whole_and_ranges(f: InputFile, parts: list[Range]) -> tuple[list, list]:
    ranged = [_items(f, part) for part in parts]
    counted = [item for items in ranged for item in items if item[0] not in ("skipped", "seen")]
    totals = [(name, sum(dict((i[0], i[1]) for i in items)[name] for items in ranged), None)
              for name in ("skipped", "seen")]
    return _items(f), counted + totals


def test_a_gzipped_warc_is_cut_at_member_starts_and_its_ranges_read_as_the_whole(tmp_path):
    _warc(tmp_path / "a.warc.gz", 40)
    f = InputFile(tmp_path / "a.warc.gz", tmp_path, "a.warc.gz")
    parts = file_ranges(f, 2000, LIMITS)
    assert len(parts) > 3
    assert parts[0].start == 0 and parts[-1].end == f.size()
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert parts[0].first == 1 and parts[1].first > 2  # record 1 is the warcinfo
    whole, ranged = _whole_and_ranges(f, parts)
    assert ranged == whole
    assert whole[-2:] == [("skipped", 1, None), ("seen", 40, None)]


def test_a_jsonl_file_is_cut_at_line_starts_and_its_ranges_read_as_the_whole(tmp_path):
    lines = [json.dumps({"url": f"https://a.example/{n}", "html": f"<p>Page {n} of the site.</p>"}) for n in range(50)]
    lines[7] = "not json"
    lines[12] = "   "
    (tmp_path / "a.jsonl").write_text("\n".join(lines), encoding="utf-8")  # no newline at the end
    f = InputFile(tmp_path / "a.jsonl", tmp_path, "a.jsonl")
    parts = file_ranges(f, 500, LIMITS)
    assert len(parts) > 3 and parts[-1].end == f.size()
    whole, ranged = _whole_and_ranges(f, parts)
    assert ranged == whole
    assert ("a.jsonl#8", None, "malformed_json") in whole and whole[-1] == ("seen", 49, None)


def test_small_gzipped_broken_and_blank_files_are_not_cut(tmp_path):
    _warc(tmp_path / "a.warc.gz", 40)
    data = (tmp_path / "a.warc.gz").read_bytes()
    (tmp_path / "b.warc.gz").write_bytes(data[:len(data) // 2] + b"garbage" + data[len(data) // 2:])
    (tmp_path / "c.jsonl").write_text("\n" * 5000, encoding="utf-8")
    files = {name: InputFile(tmp_path / name, tmp_path, name) for name in ("a.warc.gz", "b.warc.gz", "c.jsonl")}
    assert file_ranges(files["a.warc.gz"], len(data), LIMITS) is None  # not over range_bytes
    assert file_ranges(files["b.warc.gz"], 2000, LIMITS) is None  # bytes that are no gzip member
    assert file_ranges(files["c.jsonl"], 500, LIMITS) is None  # only blank lines: one reject, as a whole


def test_each_range_is_its_own_shard_in_the_files_place(tmp_path):
    _warc(tmp_path / "b.warc.gz", 40)
    for name in ("a.html", "c.html"):
        (tmp_path / name).write_text("<p>x</p>", encoding="utf-8")
    files = [InputFile(tmp_path / n, tmp_path, n) for n in ("a.html", "b.warc.gz", "c.html")]
    shards = plan_shards(files, 25, lambda f: file_ranges(f, 2000, LIMITS))
    parts = file_ranges(files[1], 2000, LIMITS)
    assert [(s.members, s.part) for s in shards] == [((files[0],), None)] + [((files[1],), p) for p in parts] + [
        ((files[2],), None)]
    assert len({s.id for s in shards}) == len(shards)


@pytest.fixture(scope="module")
def big_warc(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("warc") / "in"
    folder.mkdir()
    _warc(folder / "crawl.warc.gz", 2000, page=html_page)
    return folder


def _published(output: Path) -> bytes:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["accounted"] and manifest["inputs"]["documents"] == 2000
    return b"".join((output / name).read_bytes() for name in manifest["record_files"]) + \
        (output / "rejects.jsonl").read_bytes()


def test_a_2000_record_warc_on_two_workers_gives_the_records_of_one_shard_and_survives_sigkill(big_warc, tmp_path):
    config = tmp_path / "ranges.toml"
    config.write_text("[run]\nrange_bytes = 150_000\n", encoding="utf-8")
    whole, split, killed = tmp_path / "whole", tmp_path / "split", tmp_path / "killed"
    finish(newsclean("run", str(big_warc), "--output", str(whole), "--workers", "2"), timeout=900)
    finish(newsclean("run", str(big_warc), "--output", str(split), "--workers", "2", "--config", str(config)),
           timeout=900)
    assert json.loads((whole / "manifest.json").read_text())["shards"] == 1
    assert json.loads((split / "manifest.json").read_text())["shards"] > 4
    assert _published(split) == _published(whole)
    run = ["run", str(big_warc), "--output", str(killed), "--workers", "2", "--config", str(config)]
    process = started_until_cleaned(run, killed, 2)
    os.killpg(process.pid, signal.SIGKILL)  # the whole process tree
    process.communicate(timeout=30)
    assert not (killed / "_SUCCESS").exists()
    finish(newsclean(*run), timeout=900)
    assert _published(killed) == _published(whole)
