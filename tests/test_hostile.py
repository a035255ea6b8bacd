"""Hostile inputs through the whole run: nothing crashes it, nothing is lost, nothing escapes.

Every input is built here, in a temporary folder, and goes through the Luigi DAG
(``CleanRun``) or the ``newsclean run`` command; each outcome is asserted exactly.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import luigi
import pytest
from lxml import etree
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.batch import warm_up
from pipeline.cleaner import Cleaner
from pipeline.config import load_config
from pipeline.tasks import CleanRun

# Caps small enough to test quickly, far above every ordinary page here.
HOSTILE_CONFIG = """
[limits]
max_input_bytes = 3_000_000
max_decompressed_bytes = 4_000_000
max_line_chars = 10_000
document_time_budget = {budget}
"""

EN = [
    "The city council voted on Tuesday to close the old river bridge to heavy traffic, citing an "
    "engineering report that found cracks in two of its supporting piers.",
    "Engineers said the repairs would take at least eight months and cost about four million dollars, "
    "money the city hopes to recover from a state infrastructure fund.",
    "Residents who cross the bridge every day said the detour would add twenty minutes to their commute, "
    "and several of them asked the council to add an express bus route.",
]
DE = [
    "Der Gemeinderat hat am Dienstag beschlossen, die alte Rheinbrücke für den Schwerverkehr zu sperren, "
    "nachdem ein Gutachten Risse in zwei Pfeilern gefunden hatte.",
    "Die Reparatur werde mindestens acht Monate dauern und rund vier Millionen Euro kosten, sagte der "
    "Bürgermeister vor Journalisten im Rathaus.",
    "Viele Pendler ärgern sich über den Umweg, der täglich zwanzig Minuten mehr Fahrzeit bedeutet, und "
    "fordern eine zusätzliche Buslinie über die Südbrücke.",
]
FR = [
    "Le conseil municipal a voté mardi la fermeture du vieux pont aux poids lourds, après qu'une étude a "
    "révélé des fissures dans deux de ses piliers.",
    "Les travaux dureront au moins huit mois et coûteront environ quatre millions d'euros, a précisé la "
    "maire lors d'une conférence de presse à l'hôtel de ville.",
    "Les habitants qui traversent le pont chaque jour regrettent un détour de vingt minutes et réclament "
    "une nouvelle ligne de bus express vers le centre.",
]
CP1252 = [
    "The mayor’s “bridge plan” will cost €4 million — more than the council’s budget allows, "
    "critics said on Tuesday after a long meeting in the town hall.",
    "Café owners near the river said the works would hurt trade; Mr. Müller, who runs a bakery, "
    "called the decision “a disaster for the whole neighbourhood”.",
]


def page(paragraphs: list[str], *, title: str = "Bridge closed to heavy traffic", lang: str = "en",
         head: str = "", body: str = "") -> str:
    """A small but ordinary news page."""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title>{head}</head><body>'
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{text}</article>{body}</body></html>")


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
              status: str = "200 OK"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"})


def crawl_warc() -> bytes:
    """Records: 1 warcinfo, 2 page, 3 request, 4 404, 5 image, 6 broken header line, 7 page, 8 cut short."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    writer.write_record(_response(writer, "http://example.com/a", page(EN).encode()))
    writer.write_record(writer.create_warc_record("http://example.com/a", "request",
                                                  payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
    writer.write_record(_response(writer, "http://example.com/gone", b"<p>Not found</p>", status="404 Not Found"))
    writer.write_record(_response(writer, "http://example.com/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"))
    broken_at = buffer.tell()
    writer.write_record(_response(writer, "http://example.com/b", page(FR, lang="fr").encode()))
    middle = buffer.tell()
    writer.write_record(_response(writer, "http://example.com/c", page(DE, lang="de").encode()))
    writer.write_record(_response(writer, "http://example.com/d", page(EN[:2]).encode()))
    data = buffer.getvalue()
    broken = data[broken_at:middle].replace(b"WARC/1.", b"WARC/9x", 1)
    return data[:broken_at] + broken + data[middle:-200]


def jsonl_lines() -> bytes:
    lines = [
        json.dumps({"url": "http://example.com/1", "html": page(EN)}),
        '{"url": "http://example.com/2", "html": "<p>unfinished',
        json.dumps({"url": "http://example.com/3"}),
        json.dumps({"url": ["not", "a", "string"], "html": page(EN)}),
        "",
        # ids, sources and urls that would escape a folder if anything wrote by them
        json.dumps({"id": "../../escaped", "source": "/etc/passwd", "url": "../../escaped", "html": page(DE, lang="de")}),
        json.dumps({"id": "/tmp/evil", "source": "../../../evil.jsonl", "url": "file:///etc/passwd\u0000",
                    "site": "../..", "html": page(FR, lang="fr")}),
        "[1, 2, 3]",
    ]
    return "\n".join(lines).encode("utf-8") + b"\n"


def deep_markup() -> bytes:
    depth = 100_000
    return ("<html><body>" + "<div>" * depth + "".join(f"<p>{p}</p>" for p in EN)
            + "</div>" * depth + "</body></html>").encode()


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
    return ('<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY lol0 "lol">\n' + entities + "]>\n"
            + page(EN, body="<p>&lol9;</p>")).encode()


def external_entity() -> bytes:
    return ('<?xml version="1.0"?>\n<!DOCTYPE html SYSTEM "http://example.invalid/x.dtd" [\n'
            '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n<!ENTITY net SYSTEM "http://example.invalid/e">\n]>\n'
            + page(DE, lang="de", title="Brücke &xxe;", body="<p>&xxe; &net;</p>")).encode()


NETWORK_HEAD = ('<base href="http://example.invalid/"><link rel="stylesheet" href="http://example.invalid/s.css">'
                '<link rel="alternate" type="application/rss+xml" href="http://example.invalid/feed.rss">'
                '<script src="https://example.invalid/app.js"></script><meta http-equiv="refresh" '
                'content="0; url=http://example.invalid/next"><style>@import url("http://example.invalid/i.css");</style>'
                '<link rel="canonical" href="http://example.invalid/bridge">')
NETWORK_BODY = ('<img src="http://example.invalid/a.jpg" srcset="http://example.invalid/b.jpg 2x">'
                '<iframe src="http://example.invalid/embed"></iframe><object data="http://example.invalid/o.swf"></object>'
                '<video poster="http://example.invalid/p.jpg" src="http://example.invalid/v.mp4"></video>'
                '<script type="application/ld+json">{"@context": "http://schema.org", "@type": "NewsArticle",'
                ' "author": {"@id": "http://example.invalid/author"}}</script>')


def controls_page() -> bytes:
    text = page([EN[0].replace("council", "coun\x00cil").replace("Tuesday", "Tues\x01day\x1b"),
                 EN[1] + "\x7f\u0085 &#1;&#x80;&#0;&#x9f;", EN[2]],
                title="Bridge\x00 closed&#2;", head='<meta name="author" content="Jane&#3; Doe\x02">')
    return text.encode()


def invalid_utf8() -> bytes:
    good = page(FR, lang="fr").encode()
    return good.replace("révélé".encode(), b"r\xe9v\xc3l\xff").replace(b"pont", b"p\xc3\x28nt", 1)


def very_large() -> bytes:
    paragraph = "<p>" + " ".join(EN) + "</p>\n"
    return ("<html><body><article>" + paragraph * (3_100_000 // len(paragraph)) + "</article></body></html>").encode()


def slow_page() -> bytes:
    """A valid page that takes far longer to clean than the tiny test budget."""
    paragraphs = [f"Paragraph {n}: " + EN[n % 3] for n in range(12000)]
    return page(paragraphs).encode()


def script_only() -> bytes:
    return (b"<html><head><script>var config = {pages: 10, text: 'A long string that is not an article'};</script>"
            b"</head><body><script>document.write('<p>' + config.text + '</p>');</script>"
            b"<noscript></noscript></body></html>")


# name -> (content, expected outcome): ("reject", reason) or ("record", language, must-contain texts)
CASES: dict[str, tuple[bytes, tuple]] = {
    "empty.html": (b"", ("reject", "empty")),
    "whitespace.txt": (b"  \n\t \r\n   \n", ("reject", "empty")),
    "binary.html": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, ("reject", "binary")),
    "random.html": (bytes((n * 7919 + 13) % 256 for n in range(4096)), ("reject", "binary")),
    "report.html": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", ("reject", "pdf")),
    "utf16-bom.html": (page(DE, lang="de").encode("utf-16"), ("record", "de", DE)),
    "latin1-declared.html": (page(FR, lang="fr", head='<meta charset="iso-8859-1">').encode("latin-1"),
                             ("record", "fr", FR)),
    "latin1-undeclared.html": (page(FR, lang="fr").encode("latin-1"), ("record", "fr", FR)),
    "cp1252-declared.html": (page(CP1252, head='<meta http-equiv="Content-Type" content="text/html; '
                                               'charset=windows-1252">').encode("cp1252"), ("record", "en", CP1252)),
    "cp1252-undeclared.html": (page(CP1252).encode("cp1252"), ("record", "en", CP1252)),
    "invalid-utf8.html": (invalid_utf8(), ("record", "fr", FR[1:])),
    "controls.html": (controls_page(), ("record", "en", EN[::2])),
    "truncated.html": (page(EN).encode()[: page(EN).encode().index(b"money") + 5],
                       ("record", "en", [EN[0], EN[1][: EN[1].index("money") + 5]])),
    "truncated.html.gz": (gz(page(EN).encode())[:-40], ("reject", "truncated_gzip")),
    "corrupt.html.gz": (gz(page(EN).encode())[:30] + b"\xff" * 40 + gz(page(EN).encode())[70:],
                        ("reject", "corrupt_gzip")),
    "not-gzip.html.gz": (b"\x1f\x8bthis is no gzip stream", ("reject", "corrupt_gzip")),
    "bomb.html.gz": (gz(b"<p>" + b"ha" * 10_000_000 + b"</p>"), ("reject", "decompression_limit")),
    "very-large.html": (very_large(), ("reject", "too_large")),
    "long-line.txt": (("Headline\n\n" + "word " * 4_000 + "\n").encode(), ("reject", "line_too_long")),
    "deep-nesting.html": (deep_markup(), ("reject", "markup_too_deep")),
    "billion-laughs.xhtml": (billion_laughs(), ("record", "en", EN)),
    "external-entity.html": (external_entity(), ("record", "de", DE)),
    "script-only.html": (script_only(), ("reject", "no_article_text")),
    "german.html": (page(DE, lang="de", title="Rheinbrücke gesperrt").encode(), ("record", "de", DE)),
    "french.html": (page(FR, lang="fr", title="Le vieux pont fermé").encode(), ("record", "fr", FR)),
    "name with spaces.html": (page(EN[:2]).encode(), ("record", "en", EN[:2])),
    "Zürich Ärger ñandú.html": (page(DE[1:], lang="de").encode(), ("record", "de", DE[1:])),
    "network.html": (page(EN, head=NETWORK_HEAD, body=NETWORK_BODY).encode(), ("record", "en", EN)),
    "slow.html": (slow_page(), ("record", "en", [f"Paragraph 1499: {EN[1499 % 3]}"])),
    "docs.jsonl": (jsonl_lines(), None),
    "crawl.warc": (crawl_warc(), None),
}
NON_UTF8_NAME = b"caf\xe9 latin-1 name.html"  # its source is "caf\\xe9 latin-1 name.html"

# Archives: one outcome per document of the file.
PARTS = {
    "docs.jsonl#1": ("record", "en", EN),
    "docs.jsonl#2": ("reject", "malformed_json"),
    "docs.jsonl#3": ("reject", "missing_content"),
    "docs.jsonl#4": ("reject", "invalid_field"),
    "docs.jsonl#6": ("record", "de", DE),
    "docs.jsonl#7": ("record", "fr", FR),
    "docs.jsonl#8": ("reject", "malformed_json"),
    "crawl.warc#2": ("record", "en", EN),
    "crawl.warc#4": ("reject", "http_status"),
    "crawl.warc#5": ("reject", "not_html"),
    "crawl.warc#6": ("reject", "malformed_warc_record"),
    "crawl.warc#7": ("record", "de", DE),
    "crawl.warc#8": ("reject", "truncated_warc_record"),
}
EXPECTED = {**{name: outcome for name, (_, outcome) in CASES.items() if outcome}, **PARTS}


def write_config(folder: Path, budget: float) -> Path:
    path = folder / "hostile.toml"
    path.write_text(HOSTILE_CONFIG.format(budget=budget), encoding="utf-8")
    return path


def build_inputs(folder: Path) -> list[str]:
    """Write every case into ``folder``; return the sources expected in the output."""
    folder.mkdir(parents=True)
    for name, (data, _) in CASES.items():
        (folder / name).write_bytes(data)
    sources = sorted(EXPECTED)
    try:
        with open(os.path.join(os.fsencode(folder), NON_UTF8_NAME), "wb") as handle:
            handle.write(page(EN[1:]).encode())
        sources.append(NON_UTF8_NAME.decode("utf-8", "backslashreplace"))
    except OSError:
        pass  # a file system that refuses names that are not UTF-8: nothing to test
    # not inputs: a hidden file, a link out of the folder, a FIFO that would block a reader
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "passwd.html").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe.html")
    return sorted(sources)


def run(inputs: list[Path], output: Path, config_path: Path) -> bool:
    # Luigi reuses task instances with equal parameters; a run must see the inputs as they are now
    luigi.task_register.Register.clear_instance_cache()
    task = CleanRun(inputs=[str(p) for p in inputs], output_dir=str(output), config_path=str(config_path))
    return luigi.build([task], local_scheduler=True, workers=1, log_level="WARNING")


def read_output(output: Path) -> tuple[dict, dict, dict]:
    records, rejects = {}, {}
    for path in sorted(output.glob("records-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["source"] not in records
            records[row["source"]] = row
    for line in (output / "rejects.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row["source"] not in rejects
        rejects[row["source"]] = row
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    return records, rejects, manifest


def files_under(folder: Path, leave_out: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_relative_to(leave_out)}


class NetworkGuard:
    """Replaces the socket entry points; records every attempt instead of connecting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.attempts: list[str] = []
        for owner, name in ((socket.socket, "connect"), (socket.socket, "connect_ex"),
                            (socket, "create_connection"), (socket, "getaddrinfo")):
            monkeypatch.setattr(owner, name, self._refuse(name))

    def _refuse(self, name: str):
        def refuse(*args, **kwargs):
            self.attempts.append(f"{name}{args[1:] if name.startswith('connect') else args}")
            raise OSError(f"network access attempted while cleaning: {name}")
        return refuse


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One run over every case, with the network cut off; what lay outside the output before it."""
    base = tmp_path_factory.mktemp("hostile")
    inputs = base / "in"
    sources = build_inputs(inputs)
    (base / "etc").mkdir()
    (base / "etc" / "passwd").write_text("decoy\n", encoding="utf-8")
    output = base / "out"
    config = write_config(base / "etc", budget=20)
    before = files_under(base, output)
    with pytest.MonkeyPatch.context() as patch:
        guard = NetworkGuard(patch)
        ok = run([inputs], output, config)
    return {"ok": ok, "base": base, "inputs": inputs, "output": output, "sources": sources,
            "before": before, "network": guard.attempts, "result": read_output(output)}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_each_hostile_input_ends_as_expected(hostile, source):
    records, rejects, _ = hostile["result"]
    expected = EXPECTED[source]
    if expected[0] == "reject":
        assert source not in records
        assert (rejects[source]["reason"], bool(rejects[source]["message"])) == (expected[1], True)
        return
    assert source not in rejects, rejects.get(source)
    record = records[source]
    paragraphs = record["text"].split("\n\n")
    for text in expected[2]:
        assert text in paragraphs or (source == "truncated.html" and text in record["text"]), (text, paragraphs)
    assert record["language"] == expected[1]


def test_the_run_succeeds_and_accounts_for_every_input(hostile):
    records, rejects, manifest = hostile["result"]
    assert hostile["ok"]
    assert sorted([*records, *rejects]) == hostile["sources"]  # each source exactly once (read_output checks)
    assert manifest["inputs"]["documents"] == len(records) + len(rejects) == manifest["records"] + manifest["rejects"]
    assert manifest["accounted"] is True
    assert manifest["rejects_by_reason"] == dict(sorted(
        {reason: sum(1 for r in rejects.values() if r["reason"] == reason)
         for reason in {r["reason"] for r in rejects.values()}}.items()))


def test_file_names_with_spaces_non_ascii_and_non_utf8_bytes_keep_their_source(hostile):
    records, _, _ = hostile["result"]
    assert records["name with spaces.html"]["text"].split("\n\n") == EN[:2]
    assert records["Zürich Ärger ñandú.html"]["text"].split("\n\n") == DE[1:]
    escaped = NON_UTF8_NAME.decode("utf-8", "backslashreplace")
    if escaped in hostile["sources"]:
        assert records[escaped]["text"].split("\n\n") == EN[1:]


def test_legacy_charsets_are_decoded_exactly(hostile):
    records, _, _ = hostile["result"]
    for name in ("cp1252-declared.html", "cp1252-undeclared.html"):
        assert records[name]["text"].split("\n\n") == CP1252
    assert records["latin1-declared.html"]["text"].split("\n\n") == FR
    assert records["latin1-undeclared.html"]["notes"] == ["charset cp1252 detected (none declared)"]
    assert records["utf16-bom.html"]["text"].split("\n\n") == DE


def test_invalid_utf8_is_decoded_and_the_loss_recorded(hostile):
    record = hostile["result"][0]["invalid-utf8.html"]
    assert record["notes"] == ["decoded utf-8 with 4 replacement characters"]
    first = FR[0].replace("révélé", "r\ufffdv\ufffdl\ufffd").replace("pont", "p\ufffd(nt", 1)
    assert record["text"].split("\n\n") == [first, *FR[1:]]


def test_control_characters_reach_no_field_of_any_output(hostile):
    records, rejects, _ = hostile["result"]
    controls = {chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]}
    for row in [*records.values(), *rejects.values()]:
        for value in _strings(row):
            assert not controls & set(value), (row["source"], value)
    record = records["controls.html"]
    # &#x80; and &#x9f; are windows-1252 characters to an HTML parser, as in browsers
    assert record["text"].split("\n\n") == [EN[0], EN[1] + " €Ÿ", EN[2]]
    assert (record["title"], record["authors"]) == ("Bridge closed", ["Jane Doe"])
    assert record["notes"] == ["removed 8 control characters", "removed 5 character references to control characters"]


def test_entity_declarations_are_never_expanded(hostile):
    records, _, _ = hostile["result"]
    everything = "".join(p.read_text(encoding="utf-8") for p in sorted(hostile["output"].rglob("*.json*")))
    assert "root:" not in everything and "decoy" not in everything
    assert "lollol" not in everything
    laughs = records["billion-laughs.xhtml"]
    assert laughs["text"].split("\n\n") == EN  # the short "&lol9;" line after it is not article text
    assert "removed the DOCTYPE's internal subset (entity declarations are never expanded)" in laughs["notes"]
    external = records["external-entity.html"]
    assert (external["text"].split("\n\n"), external["title"]) == (DE, "Brücke &xxe;")


def test_no_network_access_while_cleaning(hostile):
    assert hostile["network"] == []
    assert records_of(hostile)["network.html"]["text"].split("\n\n") == EN
    # the C parser cannot reach the network either: libxml2 is built without HTTP and FTP
    assert not {"http", "ftp"} & set(getattr(etree, "LIBXML_FEATURES", ()))


def records_of(hostile) -> dict:
    return hostile["result"][0]


def test_nothing_is_written_outside_the_output_folder(hostile):
    assert files_under(hostile["base"], hostile["output"]) == hostile["before"]
    records, _, _ = hostile["result"]
    assert (records["docs.jsonl#6"]["url"], records["docs.jsonl#7"]["url"]) == ("../../escaped", "file:///etc/passwd")
    assert records["docs.jsonl#7"]["notes"] == ["url: removed 1 control characters"]


def test_a_slow_document_is_cut_by_the_time_budget_and_the_shard_goes_on(tmp_path, monkeypatch):
    # a timeout raised in a __del__ is reported to sys.unraisablehook; the interpreter's own
    # hook (C) is what runs in production, pytest's (Python) could be interrupted in turn
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-slow.html").write_bytes(slow_page())
    for n, paragraphs in enumerate((EN, DE, FR)):
        (inputs / f"b-page-{n}.html").write_text(page(paragraphs), encoding="utf-8")
    config = write_config(tmp_path, budget=1.0)
    warm_up(Cleaner.from_config(load_config(config)))  # models load once, outside any document's budget
    started = time.perf_counter()
    assert run([inputs], tmp_path / "out", config)
    records, rejects, manifest = read_output(tmp_path / "out")
    assert {s: r["reason"] for s, r in rejects.items()} == {"a-slow.html": "time_budget_exceeded"}
    assert sorted(records) == ["b-page-0.html", "b-page-1.html", "b-page-2.html"]
    assert (manifest["shards"], manifest["accounted"]) == (1, True)
    assert time.perf_counter() - started < 10


def test_command_over_all_inputs_exits_0_in_bounded_time_and_memory(hostile, tmp_path):
    output = tmp_path / "out"
    config = write_config(tmp_path, budget=2)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(hostile["inputs"]), "--output",
                           str(output), "--config", str(config), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 0, done.stderr[-2000:]
    records, rejects, manifest = read_output(output)
    assert sorted([*records, *rejects]) == hostile["sources"]
    assert manifest["accounted"] is True
    assert manifest["inputs"]["documents"] == manifest["records"] + manifest["rejects"] == len(hostile["sources"])
    assert f"{manifest['inputs']['documents']} documents in" in done.stdout
    assert seconds < 90 and peak_mb < 1536, (seconds, peak_mb)
    print(f"\nall hostile inputs: {manifest['inputs']['documents']} documents, {manifest['records']} records, "
          f"rejects {manifest['rejects_by_reason']}, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
