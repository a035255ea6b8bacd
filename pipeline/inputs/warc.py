"""(W)ARC inputs: each capture once, whatever the framing; a broken record is one reject and reading resumes."""
from __future__ import annotations

import io
import re
import zlib
from typing import IO, Callable, Iterator, NamedTuple

from warcio.archiveiterator import ArchiveIterator

from pipeline.document import Origin, RawInput, Reject
from pipeline.inputs.decoding import GZIP_MAGIC
from pipeline.inputs.discovery import InputFile, Skipped
from pipeline.inputs.formats import bytes_document, iso_day, looks_like_html
from pipeline.inputs.limits import CHUNK, RAISE_HINT, Limits, read_capped
from pipeline.inputs.rejects import (DECOMPRESSION_LIMIT, HTTP_STATUS, MALFORMED_WARC_RECORD, NO_HTML_RECORDS,
                                     NOT_HTML, TOO_LARGE, TRUNCATED_WARC_RECORD, WARC_GARBAGE, Rejected, describe)

# An input of an archive is one capture: a response or resource record of an http(s)
# URL.  Each becomes a document or a reject; the other records (warcinfo, request,
# metadata, revisit, dns: captures) are bookkeeping, reported to ``on_skip``.
_CAPTURE_TYPES = frozenset({"response", "resource"})
_WARC_LINE_START = b"\nWARC/1."
_GZIP_MEMBER_START = GZIP_MAGIC + b"\x08"
_HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def read_warc(f: InputFile, limits: Limits, *, arc: bool, on_skip: Callable[[Skipped], None] | None,
              on_seen: Callable[[], None]) -> Iterator[RawInput | Reject]:
    """Records of a (W)ARC; after a broken record, reading resumes at the next record header.

    ``on_seen`` is called for each capture when its header is read, for each broken
    record, and once for an archive without captures: the reader's own count of the
    documents it owes, which the manifest holds against records plus rejects.

    A record is held until the next one is parsed, because only then does warcio tell
    whether its declared length ran past its end (a record that swallowed its neighbours).
    """
    with f.open() as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
    if gzipped and not arc:
        yield from _read_gzip_warc(f, limits, on_skip, on_seen)
        return
    produced = False
    number = 0
    with f.open() as handle:
        # resynchronise on "WARC/1." lines; ARC files are not resumed
        marker = None if arc else _WARC_LINE_START
        archive = ArchiveIterator(handle, arc2warc=arc)
        held: tuple[RawInput | Reject | None, int, int] | None = None
        resume_at = None
        while True:
            number += 1
            source = f"{f.source}#{number}"
            record = failure = None
            try:
                record = next(archive)
            except StopIteration:
                pass
            except Exception as exc:  # warcio raises many types on a broken stream
                failure = exc
            if held is not None:
                item, start, errors = held
                held, held_skipped = None, item is None
                if archive.err_count > errors:  # its Content-Length ran into what follows it
                    item = Reject(f"{f.source}#{number - 1}", MALFORMED_WARC_RECORD,
                                  f"record {number - 1} does not end where its Content-Length says; "
                                  "reading resumed at the next record header")
                    record, failure, resume_at = None, None, start + 1
                    number -= 1
                    if held_skipped:
                        on_seen()  # a record taken for bookkeeping turns out broken: one more owed
                if item is not None:
                    yield item
                    produced = True
            if failure is not None:
                on_seen()
                resume_at = archive.offset + 1
                yield Reject(source, MALFORMED_WARC_RECORD,
                             f"record {number} could not be read ({describe(failure)}); "
                             + ("reading resumed at the next record header" if marker else
                                f"the {number - 1} records before it were read"))
                produced = True
            if resume_at is not None:
                archive = _resumed(handle, resume_at, marker, arc)
                resume_at = None
                if archive is None:
                    break
                continue
            if record is None:
                break
            start = archive.offset
            item = _warc_item(record, source, limits, on_skip, on_seen)
            if isinstance(item, Reject) and item.reason == TRUNCATED_WARC_RECORD:
                yield item
                produced = True
                archive = _resumed(handle, start + 1, marker, arc)
                if archive is None:
                    break
                continue
            held = (item, start, archive.err_count)
    if not produced:
        on_seen()
        yield Reject(f.source, NO_HTML_RECORDS,
                     f"the archive holds {number - 1} records, none a capture of an http(s) page")


class _GzipMember(io.RawIOBase):
    """The gzip member that starts at ``handle``'s position, decompressed as it is read.

    Once it is read to its end, ``end`` is the file offset just after it. Past ``cap``
    decompressed bytes it raises Rejected (a compression bomb), and EOFError if the file
    ends inside it.
    """

    def __init__(self, handle: IO[bytes], cap: int):
        self.handle, self.cap = handle, cap
        self.start = handle.tell()
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""
        self.consumed = self.produced = 0
        self.end: int | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.inflater.eof:
            if not self.pending:
                self.pending = self.handle.read(CHUNK)
                self.consumed += len(self.pending)
                if not self.pending:
                    raise EOFError("the file ends inside a gzip member")
            data = self.inflater.decompress(self.pending, len(buffer))
            self.pending = self.inflater.unconsumed_tail
            if data:
                self.produced += len(data)
                if self.produced > self.cap:
                    raise Rejected(DECOMPRESSION_LIMIT, f"a gzip member decompresses to over {self.cap} bytes "
                                   "(a compression bomb?); " + RAISE_HINT.format(key="max_decompressed_bytes"))
                buffer[:len(data)] = data
                return len(data)
        self.end = self.start + self.consumed - len(self.inflater.unused_data)
        return 0

    def finish(self) -> int:
        """Read what is left of the member; the offset just after it."""
        while self.end is None:
            self.read(CHUNK)
        return self.end


def _read_gzip_warc(f: InputFile, limits: Limits, on_skip: Callable[[Skipped], None] | None,
                    on_seen: Callable[[], None], part: Range | None = None) -> Iterator[RawInput | Reject]:
    """Records of a gzipped WARC, one gzip member at a time.

    Each member is decompressed as it is read and parsed as an uncompressed archive, so a
    member holding several records gives each of them once, and bytes between members
    that are no member are skipped (WARC_GARBAGE) rather than read as a broken record.
    A broken member is one reject, and reading resumes at the next member.
    """
    produced = part is not None  # a range of an archive with captures owes no "none a capture" reject
    number = part.first - 1 if part else 0
    with f.open() as handle:
        at: int | None = part.start if part else 0
        while at is not None and (part is None or at < part.end):
            handle.seek(at)
            head = handle.read(len(_GZIP_MEMBER_START))
            if not head:
                break
            if head != _GZIP_MEMBER_START:
                if on_skip is not None:
                    on_skip(Skipped(f"{f.source}@{at}", WARC_GARBAGE))
                at = _find(handle, at + 1, _GZIP_MEMBER_START)
                continue
            handle.seek(at)
            member = _GzipMember(handle, limits.max_decompressed_bytes)
            after: int | None = None
            try:
                for record in ArchiveIterator(member):
                    number += 1
                    item = _warc_item(record, f"{f.source}#{number}", limits, on_skip, on_seen)
                    if item is not None:
                        yield item
                        produced = True
                    if isinstance(item, Reject) and item.reason == TRUNCATED_WARC_RECORD:
                        break  # the member ends inside it: what follows is the next member
                else:
                    after = member.finish()
            except Rejected as rejected:
                number += 1
                on_seen()
                yield Reject(f"{f.source}#{number}", rejected.reason, rejected.message)
                produced = True
            except Exception as exc:  # a broken member: zlib, warcio or the file's end
                number += 1
                on_seen()
                yield Reject(f"{f.source}#{number}", MALFORMED_WARC_RECORD,
                             f"record {number} could not be read ({describe(exc)}); "
                             "reading resumed at the next gzip member")
                produced = True
            at = after if after is not None else _find(handle, at + 1, _GZIP_MEMBER_START)
    if not produced:
        on_seen()
        yield Reject(f.source, NO_HTML_RECORDS,
                     f"the archive holds {number} records, none a capture of an http(s) page")


class Range(NamedTuple):
    """Records of one file from byte ``start`` (a record's or gzip member's start) to ``end``; ``first`` is
    the number of its first record in the whole file."""

    start: int
    end: int
    first: int


def read_gzip_warc_range(f: InputFile, part: Range, limits: Limits, on_skip: Callable[[Skipped], None] | None,
                         on_seen: Callable[[], None]) -> Iterator[RawInput | Reject]:
    """The records of one range of a gzipped WARC that ``gzip_warc_ranges`` found, numbered as in the whole file."""
    yield from _read_gzip_warc(f, limits, on_skip, on_seen, part)


def gzip_warc_ranges(f: InputFile, range_bytes: int, limits: Limits) -> list[Range] | None:
    """Cut a gzipped WARC into ranges of about ``range_bytes`` at gzip member starts, in one pass.

    The pass decompresses each member and counts its records as the reader will, so that
    every range knows the number of its first record. None (read the file whole) when it
    is not a clean series of members holding at least one capture: after garbage, a
    broken or truncated member, the reader's own resynchronisation decides.
    """
    ranges: list[Range] = []
    start, first, number, captures = 0, 1, 0, 0
    try:
        with f.open() as handle:
            at = 0
            while True:
                handle.seek(at)
                head = handle.read(len(_GZIP_MEMBER_START))
                if not head:
                    break
                if head != _GZIP_MEMBER_START:
                    return None
                if at - start >= range_bytes:
                    ranges.append(Range(start, at, first))
                    start, first = at, number + 1
                handle.seek(at)
                member = _GzipMember(handle, limits.max_decompressed_bytes)
                for record in ArchiveIterator(member):
                    number += 1
                    captures += _not_a_capture(record) is None
                at = member.finish()
    except Exception:  # Rejected, EOFError, zlib and warcio errors alike: no split
        return None
    if not captures:
        return None
    ranges.append(Range(start, at, first))
    return ranges
    

def _resumed(handle: IO[bytes], start: int, marker: bytes | None, arc: bool) -> ArchiveIterator | None:
    """An archive iterator from the first record header at or after ``start``, if any."""
    if marker is None:
        return None
    at = _find(handle, start, marker)
    if at is None:
        return None
    handle.seek(at + (1 if marker == _WARC_LINE_START else 0))
    return ArchiveIterator(handle, arc2warc=arc)


def _find(handle: IO[bytes], start: int, marker: bytes) -> int | None:
    """Offset of ``marker`` at or after ``start``, reading a chunk at a time."""
    handle.seek(max(start - (1 if marker == _WARC_LINE_START else 0), 0))
    base = handle.tell()
    carried = b""
    while chunk := handle.read(CHUNK):
        data = carried + chunk
        at = data.find(marker)
        if at >= 0:
            return base - len(carried) + at
        carried = data[-(len(marker) - 1):]
        base += len(chunk)
    return None


def _warc_item(record, source: str, limits: Limits, on_skip: Callable[[Skipped], None] | None,
               on_seen: Callable[[], None]) -> RawInput | Reject | None:
    """A document or reject for a capture record (``on_seen`` once its header says capture);
    None (and ``on_skip``) for other records."""
    try:
        skipped = _not_a_capture(record)
        if skipped is not None:
            if on_skip is not None:
                on_skip(Skipped(source, skipped))
            return None
    except Exception as exc:
        on_seen()
        return Reject(source, MALFORMED_WARC_RECORD, f"the record is malformed ({describe(exc)})")
    on_seen()
    try:
        return _warc_document(record, source, limits)
    except Rejected as rejected:
        return Reject(source, rejected.reason, rejected.message)
    except Exception as exc:
        return Reject(source, MALFORMED_WARC_RECORD, f"the record is malformed ({describe(exc)})")


def _not_a_capture(record) -> str | None:
    """Why ``record`` is not a page capture (a Skipped reason), or None when it is one."""
    if record.rec_type not in _CAPTURE_TYPES:
        return f"warc_{record.rec_type or 'untyped'}"
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ").lower()
    if not uri.startswith(("http://", "https://")):
        return "not_http_capture"
    return None


def _warc_document(record, source: str, limits: Limits) -> RawInput:
    """A RawInput for a capture of an HTML page with a 2xx status, else a reject saying why not."""
    if record.rec_type == "response":
        if record.http_headers is None:
            raise Rejected(HTTP_STATUS, "the response record holds no HTTP headers")
        status = (record.http_headers.get_statuscode() or "").strip()
        if not status.startswith("2"):
            line = " ".join(record.http_headers.statusline.split())[:80]
            location = record.http_headers.get_header("Location")
            raise Rejected(HTTP_STATUS, f"the server answered {line!r}, not a page"
                           + (f" (a redirect to {location[:200]})" if location else ""))
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    media_type, charset = _parse_content_type(content_type)
    if media_type is not None and media_type not in _HTML_MEDIA_TYPES:
        raise Rejected(NOT_HTML, f"the capture is {media_type[:80]}, not an HTML page")
    data = read_capped(record.content_stream(), limits.max_input_bytes)
    if len(data) > limits.max_input_bytes:
        raise Rejected(TOO_LARGE, f"the record's content has over {limits.max_input_bytes} bytes; "
                       + RAISE_HINT.format(key="max_input_bytes"))
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise Rejected(TRUNCATED_WARC_RECORD, f"the record is truncated: {missing} of its declared bytes "
                       "are missing from the archive")
    if media_type is None and not looks_like_html(data):
        raise Rejected(NOT_HTML, "the capture declares no media type and its content is not HTML")
    origin = warc_origin(record)
    warc_date = origin.warc_date
    return bytes_document(source, data, "html", limits, url=origin.warc_target_uri,
                          reference_date=iso_day(warc_date) if warc_date else None, declared=charset, origin=origin)


def warc_origin(record) -> Origin:
    """The capture's WARC-Record-ID, WARC-Date and WARC-Target-URI, as the headers give them.

    Only the angle brackets WARC 1.0 allows around a URI and surrounding space are taken
    off, so each value joins the record back to its archive (CC-NEWS and the like).
    """
    def header(name: str) -> str | None:
        return (record.rec_headers.get_header(name) or "").strip() or None

    uri = header("WARC-Target-URI")
    return Origin(warc_record_id=header("WARC-Record-ID"), warc_date=header("WARC-Date"),
                  warc_target_uri=uri.strip("<> ") or None if uri else None)


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type and charset parameter of a Content-Type header (None when absent)."""
    if not value:
        return None, None
    media_type, _, params = value.partition(";")
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", params, re.I)
    return media_type.strip().lower() or None, match.group(1) if match else None
