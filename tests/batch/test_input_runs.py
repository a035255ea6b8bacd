"""Whole runs over the inputs of issue 16: JSONL field mapping and passthrough, WARC ids, stdin,
and filters counted in the manifest. Inputs are built in tmp_path."""
import io
import json
import sys
from pathlib import Path

import luigi
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import cli
from test_batch_runs import article, html_page, records


def _cli(capsys, *args: str) -> tuple[int, list[str]]:
    """Exit code and the lines of one in-process ``newsclean`` command, stdout's after stderr's."""
    luigi.task_register.Register.clear_instance_cache()
    capsys.readouterr()
    code = cli.main([*args, "--no-progress"])
    said = capsys.readouterr()
    return code, said.err.splitlines() + said.out.splitlines()


def _story(n: int) -> str:
    return "\n\n".join(article(n)[1])


def _manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


def _rejects(output: Path) -> list[dict]:
    return [json.loads(line) for line in (output / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]


ORIGIN = ("source_id", "warc_record_id", "warc_date", "warc_target_uri", "meta")


def test_jsonl_fields_mapped_on_the_command_line_and_the_rest_kept_under_meta(tmp_path, capsys):
    lines = [{"doc_id": 101, "content": _story(1), "link": "https://a.example/1", "tags": ["council"], "n": 1.5},
             {"doc_id": "b-2", "content": _story(2), "link": "https://b.example/2"},
             {"doc_id": 101, "content": _story(3)}]  # the same user id twice: both kept, each its own id
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "docs.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    output = tmp_path / "out"
    code, err = _cli(capsys, "run", str(tmp_path / "in"), "--output", str(output), "--text-field", "content",
                     "--url-field", "link", "--id-field", "doc_id")
    assert (code, err[-1]) == (0, f"newsclean: 3 documents in, 3 records, 0 rejects -> {output}")
    got = records(output)
    assert {s: (r["url"], *(r[k] for k in ORIGIN)) for s, r in got.items()} == {
        "docs.jsonl#1": ("https://a.example/1", "101", None, None, None, {"tags": ["council"], "n": 1.5}),
        "docs.jsonl#2": ("https://b.example/2", "b-2", None, None, None, {}),
        "docs.jsonl#3": (None, "101", None, None, None, {}),
    }
    assert len({r["id"] for r in got.values()}) == 3
    assert list(got["docs.jsonl#1"])[-5:] == list(ORIGIN)  # added after the fields that were there


def test_a_warc_capture_keeps_its_record_id_date_and_target_uri(tmp_path, capsys):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    ids = []
    for n in (1, 2):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(f"https://news.example.com/story/{n}", "response",
                                           payload=io.BytesIO(html_page(n).encode()), http_headers=headers,
                                           warc_headers_dict={"WARC-Date": f"2024-03-0{n}T10:00:00Z"})
        ids.append(record.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(record)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc.gz").write_bytes(buffer.getvalue())
    output = tmp_path / "out"
    assert _cli(capsys, "run", str(tmp_path / "in"), "--output", str(output))[0] == 0
    assert {s: tuple(r[k] for k in ORIGIN) for s, r in records(output).items()} == {
        "crawl.warc.gz#1": (None, ids[0], "2024-03-01T10:00:00Z", "https://news.example.com/story/1", {}),
        "crawl.warc.gz#2": (None, ids[1], "2024-03-02T10:00:00Z", "https://news.example.com/story/2", {}),
    }
    assert all(i.startswith("<urn:uuid:") for i in ids)


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_stdin_jsonl(tmp_path, capsys, monkeypatch):
    data = "".join(json.dumps({"url": f"https://e.example/{n}", "text": _story(n), "lang": "en"}) + "\n"
                   for n in (4, 5))
    monkeypatch.setattr(sys, "stdin", _Stdin(data.encode()))
    output = tmp_path / "out"
    code, err = _cli(capsys, "run", "-", "--output", str(output))
    assert (code, err[-1]) == (0, f"newsclean: 2 documents in, 2 records, 0 rejects -> {output}")
    assert {s: (r["url"], r["meta"]) for s, r in records(output).items()} == {
        "stdin.jsonl#1": ("https://e.example/4", {"lang": "en"}), "stdin.jsonl#2": ("https://e.example/5", {"lang": "en"})}
    before = (output / "manifest.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", _Stdin(data.encode()))
    assert _cli(capsys, "run", "-", "--output", str(output))[0] == 0  # the same input again: nothing to do
    assert (output / "manifest.json").read_bytes() == before


def test_stdin_single_page_then_another_replaces_it(tmp_path, capsys, monkeypatch):
    output = tmp_path / "out"
    monkeypatch.setattr(sys, "stdin", _Stdin(html_page(6).encode()))
    assert _cli(capsys, "run", "-", "--output", str(output))[0] == 0
    (record,) = records(output).values()
    assert (record["source"], record["title"], record["site_name"]) == (
        "stdin.html", article(6)[0], "County Gazette")
    monkeypatch.setattr(sys, "stdin", _Stdin(("Plain title\n\n" + _story(7) + "\n").encode()))
    assert _cli(capsys, "run", "-", "--output", str(output))[0] == 0
    assert [r["source"] for r in records(output).values()] == ["stdin.txt"]
    assert len(list((output / "_work" / "stdin").iterdir())) == 1  # the earlier spool is gone


def test_empty_stdin_is_one_reject(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    output = tmp_path / "out"
    code, err = _cli(capsys, "run", "-", "--output", str(output))
    assert (code, err[-1]) == (0, f"newsclean: 1 documents in, 0 records, 1 rejects -> {output}")
    assert _rejects(output) == [{"source": "stdin.txt", "reason": "empty", "message": "the file is empty (0 bytes)"}]


def test_stdin_given_twice_is_a_usage_error(tmp_path, capsys):
    assert _cli(capsys, "run", "-", "-", "--output", str(tmp_path / "out")) == (
        2, ["newsclean: standard input ('-') can be given once"])


def test_filtered_documents_are_rejects_the_manifest_counts(tmp_path, capsys):
    lines = [{"url": "https://keep.example/1", "text": _story(8)},
             {"url": "https://ads.keep.example/2", "text": _story(9)},
             {"url": "https://keep.example/3", "text": "Gemeinderat beschließt den Bau einer neuen Brücke über den "
                                                        "Fluss, die im nächsten Jahr fertig werden soll."}]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "d.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines),
                                             encoding="utf-8")
    config = tmp_path / "filters.toml"
    config.write_text('[filters]\nlanguages = ["en"]\nhost_exclude = ["ads.keep.example"]\n', encoding="utf-8")
    output = tmp_path / "out"
    assert _cli(capsys, "run", str(tmp_path / "in"), "--output", str(output), "--config", str(config))[0] == 0
    assert list(records(output)) == ["d.jsonl#1"]
    assert _rejects(output) == [
        {"source": "d.jsonl#2", "reason": "filtered_url",
         "message": "host ads.keep.example is excluded by [filters] host_exclude 'ads.keep.example'"},
        {"source": "d.jsonl#3", "reason": "filtered_language",
         "message": "language 'de' is not in [filters] languages ['en']"}]
    manifest = _manifest(output)
    assert (manifest["rejects_by_reason"], manifest["accounted"]) == (
        {"filtered_language": 1, "filtered_url": 1}, True)
