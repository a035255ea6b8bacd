"""The manifest's accounted: the readers' own count against records plus rejects."""
import io
from pathlib import Path

from pipeline.batch.clean import clean_shard
from pipeline.batch.finalise import finalise_shard
from pipeline.batch.manifest import RunFacts, build_manifest
from pipeline.config import load_config
from pipeline.inputs.discovery import discover_inputs


def _two_captures(path: Path) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.mkdir()
    with open(path / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
        for n in range(2):
            body = f"<html><body><p>Page {n} of a report on the harbour ferry timetable.</p></body></html>"
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://example.com/{n}", "response",
                                                          payload=io.BytesIO(body.encode()), http_headers=headers))
    return path


def _manifest_of(inputs: Path) -> dict:
    from pipeline.cleaner import Cleaner
    from pipeline.inputs.limits import Limits

    config = load_config()
    shard, records, rejects = io.StringIO(), io.StringIO(), io.StringIO()
    files = discover_inputs([inputs])
    clean_shard(files, Cleaner.from_config(config), Limits.from_config(config), shard)
    shard.seek(0)
    counts = finalise_shard(shard, {"repeated": {}, "duplicates": {}}, config, records, rejects)
    run = RunFacts(plan="p1", paths=[str(inputs)], files=len(files), shards=1, config=config, config_path=None,
                   reference_date=None, own_folders={})
    return build_manifest(run, counts, ["records-s1.jsonl"], 0.0)


def test_accounted_holds_the_captures_the_reader_counted_against_records_and_rejects(tmp_path):
    manifest = _manifest_of(_two_captures(tmp_path / "in"))
    assert (manifest["inputs"]["documents"], manifest["records"] + manifest["rejects"], manifest["accounted"]) == \
        (2, 2, True)


def test_an_item_without_a_capture_behind_it_makes_accounted_false(tmp_path, monkeypatch):
    import pipeline.batch.clean
    from pipeline.document import Reject

    read_input = pipeline.batch.clean.read_input

    def phantom(f, limits, on_skip=None, on_seen=None, part=None):
        # what the old gzip framing did: one more reject than the archive holds captures
        yield from read_input(f, limits, on_skip=on_skip, on_seen=on_seen, part=part)
        yield Reject(f"{f.source}#4", "malformed_warc_record", "a phantom record")

    monkeypatch.setattr(pipeline.batch.clean, "read_input", phantom)
    manifest = _manifest_of(_two_captures(tmp_path / "in"))
    assert (manifest["inputs"]["documents"], manifest["records"] + manifest["rejects"], manifest["accounted"]) == \
        (2, 3, False)
