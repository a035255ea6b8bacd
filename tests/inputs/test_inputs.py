"""Finding inputs and reading every format, hostile files included, into documents or rejects."""
from __future__ import annotations

import gzip
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import overlay_config
from pipeline.config import ConfigError, load_config
from pipeline.document import RawInput, Reject
from pipeline.inputs.discovery import InputFile, Skipped, discover_inputs, skipped_inputs
from pipeline.inputs.formats import input_format
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input

LIMITS = Limits(max_input_bytes=100_000, max_decompressed_bytes=200_000, max_line_chars=5_000)
PAGE = "<html><head><title>T</title></head><body><p>Der Bürgermeister sprach.</p></body></html>"


def write(path: Path, data: bytes | str) -> InputFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return InputFile(path=path, root=path.parent, source=path.name)


def read(f: InputFile, limits: Limits = LIMITS) -> list[RawInput | Reject]:
    return list(read_input(f, limits))


def only_reject(f: InputFile, limits: Limits = LIMITS) -> tuple[str, str]:
    items = read(f, limits)
    assert len(items) == 1 and isinstance(items[0], Reject), items
    return items[0].source, items[0].reason


def only_doc(f: InputFile, limits: Limits = LIMITS) -> RawInput:
    items = read(f, limits)
    assert len(items) == 1 and isinstance(items[0], RawInput), items
    return items[0]


# --- limits and discovery -----------------------------------------------------------------

def test_limits_come_from_the_limits_table():
    limits = Limits.from_config(load_config())
    assert (limits.max_input_bytes, limits.max_decompressed_bytes, limits.max_line_chars) == (
        20_000_000, 50_000_000, 1_000_000)  # configs/newsclean.toml [limits]


@pytest.mark.parametrize("bad", [0, -5, "big", True, 1.5])
def test_bad_limit_is_a_config_error(bad, tmp_path):
    with pytest.raises(ConfigError, match=r"\[limits\] max_input_bytes"):
        overlay_config(tmp_path, "limits", max_input_bytes=bad)


def test_discover_walks_folders_in_stable_order_and_skips_what_is_not_input(tmp_path):
    root = tmp_path / "in"
    write(root / "sub" / "a b.html", PAGE)
    write(root / "Zürich ñ.txt", "Text")
    write(root / "b.txt", "Text")
    write(root / ".hidden.txt", "secret")
    write(root / ".git" / "config.txt", "secret")
    outside = write(tmp_path / "outside.txt", "not under the root")
    (root / "link-out.txt").symlink_to(outside.path)
    (root / "link-in.txt").symlink_to(root / "b.txt")
    (root / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(root / "pipe.txt")
    single = write(tmp_path / "single.html", PAGE)

    found = discover_inputs([root, single.path, root / "b.txt"])
    assert [(f.root, f.source) for f in found] == [
        (root, "Zürich ñ.txt"),
        (root, "b.txt"),  # link-in.txt is the same physical file, kept once
        (root, "sub/a b.html"),
        (tmp_path, "single.html"),
    ]
    assert all(f.path.is_absolute() and f.path == f.root / f.source for f in found)
    assert found[2].size() == len(PAGE.encode("utf-8"))
    assert skipped_inputs([root, single.path, root / "b.txt"]) == [
        Skipped(".git", "hidden"), Skipped(".hidden.txt", "hidden"), Skipped("link-in.txt", "same_file_twice"),
        Skipped("link-out.txt", "link_outside_folder"), Skipped("linked-dir", "link_to_folder"),
        Skipped("pipe.txt", "not_a_regular_file"), Skipped("b.txt", "same_file_twice"),
    ]


def test_file_name_that_is_not_utf8_gets_an_escaped_source_that_maps_back(tmp_path):
    (tmp_path / "in").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9 latin-1.txt"), "wb") as handle:
        handle.write(b"Some text.")
    [found] = discover_inputs([tmp_path / "in"])
    assert found.source == "caf\\xe9 latin-1.txt"
    found.source.encode("utf-8")  # safe in records and task parameters
    rebuilt = InputFile.at(found.root, found.source)
    assert rebuilt == found
    assert only_doc(rebuilt).content == "Some text."


def test_escaped_look_alike_and_non_utf8_name_are_two_documents(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Latin-1 name.")
    write(root / "caf\\xe9.txt", "Backslash name.")  # a name spelt like the escape of the other
    write(root / "a\\x5c.txt", "Spelt like an escaped backslash.")
    found = discover_inputs([root])
    assert sorted(f.source for f in found) == ["a\\x5cx5c.txt", "caf\\x5cxe9.txt", "caf\\xe9.txt"]
    contents = {f.source: only_doc(InputFile.at(f.root, f.source)).content for f in found}
    assert contents == {"caf\\xe9.txt": "Latin-1 name.", "caf\\x5cxe9.txt": "Backslash name.",
                        "a\\x5cx5c.txt": "Spelt like an escaped backslash."}
    assert all(InputFile.at(f.root, f.source) == f for f in found)


def test_a_symlink_loop_is_skipped_with_its_reason_and_discovery_goes_on(tmp_path):
    root = tmp_path / "in"
    write(root / "a.txt", "Text")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "ping.txt").symlink_to(root / "pong.txt")
    (root / "pong.txt").symlink_to(root / "ping.txt")
    assert [f.source for f in discover_inputs([root])] == ["a.txt"]
    assert skipped_inputs([root]) == [Skipped("loop.txt", "link_loop"), Skipped("ping.txt", "link_loop"),
                                      Skipped("pong.txt", "link_loop")]


def test_a_folder_that_cannot_be_listed_is_skipped_as_unreadable(tmp_path, monkeypatch):
    root = tmp_path / "in"
    write(root / "a.txt", "Text")
    write(root / "locked" / "b.txt", "Text")
    listdir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):  # as chmod 000 does for a user other than root
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return listdir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [f.source for f in discover_inputs([root])] == ["a.txt"]
    assert skipped_inputs([root]) == [Skipped("locked", "unreadable")]


def test_the_runs_own_output_and_state_folders_are_not_inputs(tmp_path):
    root = tmp_path / "nest"
    write(root / "story.txt", "Text")
    write(root / "out" / "records-0.jsonl", '{"text": "already cleaned"}\n')
    write(root / "out" / "_work" / "clean" / "s.jsonl", "{}\n")
    write(root / "state" / "site-stats-p.json", "{}\n")
    exclude = {root / "out": "run_output", root / "state": "run_state"}
    assert [f.source for f in discover_inputs([root], exclude)] == ["story.txt"]
    assert skipped_inputs([root], exclude) == [Skipped("out", "run_output"), Skipped("state", "run_state")]
    assert skipped_inputs([root / "out"], exclude) == [Skipped("out", "run_output")]  # given by name, too


def test_discover_refuses_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover_inputs([tmp_path / "nope"])


@pytest.mark.parametrize("name, expected", [
    ("a.HTML", ("html", False)), ("a.txt.gz", ("text", True)), ("a.warc.gz", ("warc", True)), ("a.arc.gz", ("arc", True)),
    ("a.jsonl.gz", ("jsonl", True)), ("a.gz", (None, True)), ("README", (None, False)),
])
def test_input_format_from_name(name, expected):
    assert input_format(name) == expected


# --- single documents ---------------------------------------------------------------------

def test_html_and_text_files_with_awkward_names(tmp_path):
    doc = only_doc(write(tmp_path / "Straße 1 é.html", PAGE))
    assert (doc.source, doc.kind, doc.content, doc.notes) == ("Straße 1 é.html", "html", PAGE, [])
    doc = only_doc(write(tmp_path / "notes file.txt", "Line one\r\nLine two\n"))
    assert (doc.kind, doc.content) == ("text", "Line one\nLine two\n")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_empty_and_whitespace_only_files_are_rejected(tmp_path, content):
    assert only_reject(write(tmp_path / "e.html", content)) == ("e.html", "empty")


def test_binary_and_pdf_under_an_html_name_are_rejected(tmp_path):
    assert only_reject(write(tmp_path / "img.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))) == ("img.html", "binary")
    assert only_reject(write(tmp_path / "doc.html", b"%PDF-1.5\n%\xb5\xed\xae\xfb\n")) == ("doc.html", "pdf")


def test_unknown_extension_is_sniffed(tmp_path):
    assert only_doc(write(tmp_path / "page.php", PAGE)).kind == "html"
    assert only_doc(write(tmp_path / "README", "Just some words.")).kind == "text"
    assert only_reject(write(tmp_path / "blob.bin", bytes(range(256)) * 3)) == ("blob.bin", "unsupported_format")


def test_utf16_with_bom_html(tmp_path):
    doc = only_doc(write(tmp_path / "u16.html", ("\ufeff" + PAGE).encode("utf-16-le")))
    assert (doc.kind, doc.content, doc.notes) == ("html", PAGE, [])


def test_latin1_declared_and_undeclared(tmp_path):
    declared = '<meta charset="latin1"><p>“Café” – crème</p>'
    assert only_doc(write(tmp_path / "d.html", declared.encode("cp1252"))).content == declared
    undeclared = only_doc(write(tmp_path / "u.txt", "Le garçon mangé déjà.".encode("latin-1")))
    assert undeclared.content == "Le garçon mangé déjà."
    assert undeclared.notes == ["charset cp1252 detected (none declared)"]


def test_invalid_utf8_is_kept_and_the_loss_noted(tmp_path):
    doc = only_doc(write(tmp_path / "bad.txt", "Köln ist schön ".encode("utf-8") + b"\xc3\x28 end"))
    assert doc.content == "Köln ist schön \ufffd( end"
    assert doc.notes == ["decoded utf-8 with 1 replacement characters"]


def test_nul_and_control_characters_never_reach_content(tmp_path):
    doc = only_doc(write(tmp_path / "ctl.html", "<p>Some\x00 real\x01 text\x0b here, long enough to be text.</p>"))
    assert doc.content == "<p>Some real text here, long enough to be text.</p>"
    assert doc.notes == ["removed 3 control characters"]


def test_truncated_html_is_read_as_it_is(tmp_path):
    cut = PAGE[: PAGE.index("sprach")]
    assert only_doc(write(tmp_path / "cut.html", cut)).content == cut


def test_file_over_max_input_bytes_is_rejected_before_reading(tmp_path):
    f = write(tmp_path / "big.html", "<p>" + "x" * 200 + "</p>")
    limits = Limits(max_input_bytes=100, max_decompressed_bytes=1000, max_line_chars=1000)
    items = read(f, limits)
    assert [(i.reason, i.message) for i in items] == [(
        "too_large", "the file has 207 bytes, over the limit of 100; "
        "raise [limits] max_input_bytes in a --config file to accept it")]


def test_very_long_line_rejects_text_but_not_html(tmp_path):
    line = "word " * 1_200
    assert only_reject(write(tmp_path / "long.txt", "ok\n" + line)) == ("long.txt", "line_too_long")
    assert only_doc(write(tmp_path / "minified.html", "<p>" + line + "</p>")).kind == "html"


# --- gzip ---------------------------------------------------------------------------------

def test_gzipped_html_and_bare_gz(tmp_path):
    assert only_doc(write(tmp_path / "p.html.gz", gzip.compress(PAGE.encode()))).content == PAGE
    bare = only_doc(write(tmp_path / "p.gz", gzip.compress(b"plain words only")))
    assert (bare.kind, bare.content) == ("text", "plain words only")


def test_gzip_under_a_plain_name_is_decompressed_with_a_note(tmp_path):
    doc = only_doc(write(tmp_path / "p.html", gzip.compress(PAGE.encode())))
    assert doc.content == PAGE
    assert doc.notes == ["the file was gzip-compressed although its name does not say so"]


def test_truncated_corrupt_and_fake_gzip(tmp_path):
    packed = gzip.compress(PAGE.encode() * 20)
    assert only_reject(write(tmp_path / "t.html.gz", packed[: len(packed) // 2])) == ("t.html.gz", "truncated_gzip")
    broken = bytearray(packed)
    broken[-6] ^= 0xFF  # the stored CRC no longer matches
    assert only_reject(write(tmp_path / "c.html.gz", bytes(broken))) == ("c.html.gz", "corrupt_gzip")
    assert only_reject(write(tmp_path / "f.html.gz", PAGE)) == ("f.html.gz", "corrupt_gzip")


def test_gzip_bomb_stops_at_the_decompression_cap(tmp_path):
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    assert only_reject(write(tmp_path / "bomb.html.gz", bomb)) == ("bomb.html.gz", "decompression_limit")


def test_gzip_decompressing_past_max_input_bytes_is_too_large(tmp_path):
    f = write(tmp_path / "big.txt.gz", gzip.compress(b"words and more words\n" * 7_000))
    assert only_reject(f) == ("big.txt.gz", "too_large")


# --- WARC ---------------------------------------------------------------------------------

def _response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
              status: str = "200 OK", warc_date: str = "2024-03-01T10:00:00Z"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": warc_date})


def make_warc(gz: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    writer.write_record(_response(writer, "http://example.com/a", b"<html><body><p>First</p></body></html>"))
    writer.write_record(writer.create_warc_record("http://example.com/a", "request",
                                                  payload=io.BytesIO(b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n")))
    writer.write_record(_response(writer, "http://example.com/b", "<p>Zweite Seite: Grüße</p>".encode("latin-1"),
                                  content_type="text/html; charset=ISO-8859-1", warc_date="2024-03-02T23:59:59Z"))
    writer.write_record(_response(writer, "http://example.com/logo.png", b"\x89PNG\r\n", content_type="image/png"))
    writer.write_record(_response(writer, "http://example.com/gone", b"<p>Not here</p>", status="404 Not Found"))
    return buffer.getvalue()


@pytest.mark.parametrize("name, gz", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_yields_one_item_per_capture_and_skips_the_rest_with_a_reason(tmp_path, name, gz):
    skipped = []
    items = list(read_input(write(tmp_path / name, make_warc(gz)), LIMITS, on_skip=skipped.append))
    docs = [i for i in items if isinstance(i, RawInput)]
    assert [(i.source, i.kind, i.url, i.reference_date, i.content) for i in docs] == [
        (f"{name}#1", "html", "http://example.com/a", date(2024, 3, 1), "<html><body><p>First</p></body></html>"),
        (f"{name}#3", "html", "http://example.com/b", date(2024, 3, 2), "<p>Zweite Seite: Grüße</p>"),
    ]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [(i.source, i.reason, i.message) for i in rejects] == [
        (f"{name}#4", "not_html", "the capture is image/png, not an HTML page"),
        (f"{name}#5", "http_status", "the server answered '404 Not Found', not a page"),
    ]
    assert skipped == [Skipped(f"{name}#2", "warc_request")]


def _plain_records(pages: range) -> list[bytes]:
    """One uncompressed WARC response record per page number."""
    records = []
    for n in pages:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False)
        writer.write_record(_response(writer, f"http://example.com/{n}", f"<p>Page {n}</p>".encode()))
        records.append(buffer.getvalue())
    return records


def test_each_capture_once_whatever_the_gzip_framing(tmp_path):
    r = _plain_records(range(60))
    members, n = [], 0
    while n < 60:  # every fourth member holds two or three records; junk between some members
        size = 1 + (len(members) % 4 == 0) + (len(members) % 8 == 0)
        members.append(gzip.compress(b"".join(r[n:n + size])))
        n += size
        if len(members) % 5 == 0:
            members.append(b"\r\njunk that is no gzip member\r\n")
    skipped = []
    items = list(read_input(write(tmp_path / "framed.warc.gz", b"".join(members)), LIMITS, on_skip=skipped.append))
    assert [(i.source, i.url) for i in items] == [(f"framed.warc.gz#{n + 1}", f"http://example.com/{n}")
                                                  for n in range(60)]
    assert {s.reason for s in skipped} == {"warc_garbage_between_members"}
    assert len(skipped) == sum(m.startswith(b"\r\njunk") for m in members)


def test_a_gzip_member_holding_the_last_records_gives_each_once(tmp_path):
    r = _plain_records(range(4))
    data = gzip.compress(r[0]) + gzip.compress(r[1] + r[2] + r[3])
    items = read(write(tmp_path / "tail.warc.gz", data))
    assert [(type(i).__name__, i.source) for i in items] == [("RawInput", f"tail.warc.gz#{n}") for n in (1, 2, 3, 4)]


def _three_pages(gz: bool, damage) -> bytes:
    """A WARC of three pages, the second record passed through ``damage``."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    ends = []
    for letter in "abc":
        writer.write_record(_response(writer, f"http://example.com/{letter}", f"<p>Page {letter}</p>".encode()))
        ends.append(buffer.tell())
    data = buffer.getvalue()
    return data[:ends[0]] + damage(data[ends[0]:ends[1]]) + data[ends[1]:]


@pytest.mark.parametrize("gz, damage, reason", [
    (False, lambda r: r.replace(b"WARC/1.", b"WARX/1."), "malformed_warc_record"),
    (False, lambda r: r.replace(b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK, longer"), "malformed_warc_record"),
    (False, lambda r: r.replace(b"Content-Length: ", b"Content-Length: 9"), "truncated_warc_record"),
    (True, lambda r: r[: len(r) // 2], "malformed_warc_record"),
    (True, lambda r: r[:20] + b"\0" * 30 + r[50:], "malformed_warc_record"),
], ids=["bad-version", "long-headers", "huge-length", "cut-gzip-member", "zeroed-gzip-member"])
def test_broken_warc_record_is_rejected_and_reading_resumes_after_it(tmp_path, gz, damage, reason):
    items = read(write(tmp_path / "broken.warc", _three_pages(gz, damage)))
    assert [(i.source, getattr(i, "reason", None)) for i in items] == [
        ("broken.warc#1", None), ("broken.warc#2", reason), ("broken.warc#3", None)]
    assert items[2].content == "<p>Page c</p>"
    assert items[1].message.isprintable()


def test_corrupt_warc_keeps_the_records_before_it(tmp_path):
    items = read(write(tmp_path / "bad.warc", make_warc(False) + b"garbage, not a WARC header\r\n\r\nmore"))
    assert [(i.source, getattr(i, "reason", None)) for i in items] == [
        ("bad.warc#1", None), ("bad.warc#3", None), ("bad.warc#4", "not_html"), ("bad.warc#5", "http_status"),
        ("bad.warc#6", "malformed_warc_record")]
    assert items[-1].message.startswith("record 6 could not be read (ArchiveLoadFailed")


def test_oversized_warc_record_is_rejected_and_the_rest_kept(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(_response(writer, "http://example.com/big", b"<p>" + b"x" * 150_000 + b"</p>"))
    writer.write_record(_response(writer, "http://example.com/small", b"<p>small</p>"))
    items = read(write(tmp_path / "big.warc.gz", buffer.getvalue()))
    assert [(i.source, getattr(i, "reason", None)) for i in items] == [
        ("big.warc.gz#1", "too_large"), ("big.warc.gz#2", None)]


def test_truncated_warc_record_is_rejected(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(_response(writer, "http://example.com/a", b"<p>Complete</p>"))
    writer.write_record(_response(writer, "http://example.com/b", b"<p>" + b"long text " * 50 + b"</p>"))
    items = read(write(tmp_path / "cut.warc", buffer.getvalue()[:-150]))
    assert [(i.source, getattr(i, "reason", None)) for i in items] == [
        ("cut.warc#1", None), ("cut.warc#2", "truncated_warc_record")]


def test_arc_response_becomes_a_document(tmp_path):
    header_body = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    payload = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Arc page</p>"
    arc = (b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(header_body) + header_body + b"\n"
           + b"http://example.com/arc 1.2.3.4 20240301100000 text/html %d\n" % len(payload) + payload + b"\n")
    doc = only_doc(write(tmp_path / "old.arc", arc))
    assert (doc.source, doc.url, doc.reference_date, doc.content) == (
        "old.arc#2", "http://example.com/arc", date(2024, 3, 1), "<p>Arc page</p>")


def test_warc_without_html_and_a_fake_warc_are_accounted_for(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(writer.create_warc_record("http://example.com/x", "request",
                                                  payload=io.BytesIO(b"GET /x HTTP/1.1\r\n\r\n")))
    writer.write_record(_response(writer, "dns:example.com", b"1.2.3.4", content_type="text/dns"))
    assert only_reject(write(tmp_path / "requests.warc", buffer.getvalue())) == ("requests.warc", "no_html_records")
    assert only_reject(write(tmp_path / "fake.warc", PAGE)) == ("fake.warc#1", "malformed_warc_record")


# --- JSONL --------------------------------------------------------------------------------

JSONL_LINES = [
    json.dumps({"url": "http://example.com/1", "html": PAGE, "date": "2024-05-06T08:00:00Z", "site": "Example"}),
    '{"url": "http://example.com/2", "text": "Plain text\\u0000 body"',
    "",
    json.dumps({"url": "http://example.com/3", "text": "Ein Text über Köln.", "reference_date": "2024-05-07"}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"url": "http://example.com/5"}),
    json.dumps({"url": 5, "text": "x"}),
    json.dumps({"text": "   "}),
    json.dumps({"text": "Undated\u0007 text", "date": "last Tuesday"}),
]


def expected_jsonl(name: str) -> list[tuple]:
    return [
        (f"{name}#1", "html", "http://example.com/1", date(2024, 5, 6), PAGE),
        (f"{name}#2", "malformed_json"),
        (f"{name}#4", "text", "http://example.com/3", date(2024, 5, 7), "Ein Text über Köln."),
        (f"{name}#5", "malformed_json"),
        (f"{name}#6", "missing_content"),
        (f"{name}#7", "invalid_field"),
        (f"{name}#8", "empty"),
        (f"{name}#9", "text", None, None, "Undated text"),
    ]


def summarise(items) -> list[tuple]:
    return [(i.source, i.reason) if isinstance(i, Reject)
            else (i.source, i.kind, i.url, i.reference_date, i.content) for i in items]


@pytest.mark.parametrize("name, pack", [("docs.jsonl", lambda b: b), ("docs.jsonl.gz", gzip.compress)])
def test_jsonl_rejects_bad_lines_one_by_one_and_keeps_the_rest(tmp_path, name, pack):
    items = read(write(tmp_path / name, pack("\n".join(JSONL_LINES).encode("utf-8"))))
    assert summarise(items) == expected_jsonl(name)
    assert items[-1].notes == ["ignored unreadable reference date 'last Tuesday'", "removed 1 control characters"]


def test_jsonl_messages_say_what_is_wrong(tmp_path):
    items = read(write(tmp_path / "d.jsonl", "\n".join(JSONL_LINES)))
    messages = {i.source: i.message for i in items if isinstance(i, Reject)}
    assert messages["d.jsonl#2"] == "line 2 is not valid JSON (Expecting ',' delimiter at column 64)"
    assert messages["d.jsonl#5"] == "line 5 holds a JSON list, not an object"
    assert messages["d.jsonl#6"] == "line 6 has neither an 'html' nor a 'text' string field"
    assert messages["d.jsonl#7"] == "line 7: field 'url' must be a string, not a JSON int"


def test_gzipped_jsonl_under_a_plain_name_is_read(tmp_path):
    items = read(write(tmp_path / "z.jsonl", gzip.compress(json.dumps({"text": "zipped"}).encode())))
    assert summarise(items) == [("z.jsonl#1", "text", None, None, "zipped")]


def test_jsonl_overlong_line_is_skipped_without_loading_it(tmp_path):
    lines = [json.dumps({"text": "first"}), json.dumps({"text": "y" * 500}), json.dumps({"text": "third"})]
    limits = Limits(max_input_bytes=100, max_decompressed_bytes=10_000, max_line_chars=1000)
    items = read(write(tmp_path / "l.jsonl", "\n".join(lines)), limits)
    assert summarise(items) == [("l.jsonl#1", "text", None, None, "first"), ("l.jsonl#2", "too_large"),
                                ("l.jsonl#3", "text", None, None, "third")]


def test_truncated_jsonl_gz_keeps_the_lines_before_the_break(tmp_path):
    lines = [json.dumps({"text": f"record {n} " + "pad " * 30}) for n in range(1, 200)]
    packed = gzip.compress("\n".join(lines).encode(), compresslevel=1)
    items = read(write(tmp_path / "t.jsonl.gz", packed[: len(packed) * 2 // 3]))
    assert all(isinstance(i, RawInput) for i in items[:-1]) and len(items) > 10
    assert (items[-1].source, items[-1].reason) == (f"t.jsonl.gz#{len(items)}", "truncated_gzip")


def test_jsonl_gz_bomb_without_newlines_stops_at_the_cap(tmp_path):
    bomb = gzip.compress(json.dumps({"text": "ok"}).encode() + b"\n" + b"x" * 3_000_000)
    items = read(write(tmp_path / "bomb.jsonl.gz", bomb))
    assert summarise(items) == [("bomb.jsonl.gz#1", "text", None, None, "ok"),
                                ("bomb.jsonl.gz#2", "decompression_limit")]


def test_jsonl_with_only_blank_lines_is_empty(tmp_path):
    assert only_reject(write(tmp_path / "b.jsonl", "\n\n  \n")) == ("b.jsonl", "empty")


def test_deeply_nested_json_line_is_malformed(tmp_path):
    assert only_reject(write(tmp_path / "n.jsonl", "[" * 20_000 + "]" * 20_000)) == ("n.jsonl#1", "malformed_json")


def test_the_archive_reader_counts_the_captures_it_owes_by_their_headers(tmp_path):
    seen = []
    items = list(read_input(write(tmp_path / "crawl.warc.gz", make_warc(True)), LIMITS,
                            on_seen=lambda: seen.append(1)))
    # four response records are captures (two become documents, two rejects); the request is not
    assert (len(seen), len(items)) == (4, 4)
    members = [gzip.compress(b"".join(_plain_records(range(n, n + 3)))) for n in range(0, 60, 3)]
    seen.clear()
    items = list(read_input(write(tmp_path / "framed.warc.gz", b"".join(members)), LIMITS,
                            on_seen=lambda: seen.append(1)))
    assert (len(seen), len(items)) == (60, 60)


def test_an_archive_without_captures_owes_its_one_reject(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(writer.create_warc_record("http://example.com/a", "request",
                                                  payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
    seen = []
    items = list(read_input(write(tmp_path / "requests.warc", buffer.getvalue()), LIMITS,
                            on_seen=lambda: seen.append(1)))
    assert ([(i.source, i.reason) for i in items], len(seen)) == ([("requests.warc", "no_html_records")], 1)
