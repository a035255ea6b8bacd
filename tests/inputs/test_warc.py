"""(W)ARC inputs: each capture once whatever the framing, broken records rejected and reading resumed."""
from __future__ import annotations

import gzip
import io
from datetime import date

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from reading_helpers import LIMITS, PAGE, only_doc, only_reject, read, write
from pipeline.document import RawInput, Reject
from pipeline.inputs.discovery import Skipped
from pipeline.inputs.reading import read_input

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


@pytest.mark.parametrize("name, gz", [("ids.warc", False), ("ids.warc.gz", True)])
def test_a_capture_keeps_its_warc_record_id_date_and_target_uri(tmp_path, name, gz):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    record = _response(writer, "https://news.example.com/2024/03/01/story", PAGE.encode(),
                       warc_date="2024-03-01T10:00:00Z")
    record.rec_headers.replace_header("WARC-Record-ID", "<urn:uuid:6a1e1f3c-25a1-4c1e-9a57-0f3f3c1d2b7e>")
    writer.write_record(record)
    doc = only_doc(write(tmp_path / name, buffer.getvalue()))
    assert (doc.origin.warc_record_id, doc.origin.warc_date, doc.origin.warc_target_uri, doc.url) == (
        "<urn:uuid:6a1e1f3c-25a1-4c1e-9a57-0f3f3c1d2b7e>", "2024-03-01T10:00:00Z",
        "https://news.example.com/2024/03/01/story", "https://news.example.com/2024/03/01/story")
    assert (doc.origin.source_id, doc.origin.meta) == (None, {})
