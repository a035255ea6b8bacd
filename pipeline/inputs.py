"""Finding input files and reading each into documents, safely, one document at a time.

Every file read ends as at least one ``RawInput`` or ``Reject``: a bad file, record or
line never raises out of ``read_input`` and never stops the rest of its file.  Sizes are
checked before reading, compressed streams are read with a cap, and archives and JSONL
are streamed record by record, so memory stays bounded whatever the input holds.
"""
from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import IO, Callable, Iterator, Mapping, Sequence

from warcio.archiveiterator import ArchiveIterator

from pipeline.config import Config
from pipeline.decoding import GZIP_MAGIC, DecodingRules, decode_bytes, normalise_text, sniff_binary
from pipeline.document import RawInput, Reject

EMPTY = "empty"
BINARY = "binary"
PDF = "pdf"
TOO_LARGE = "too_large"
DECOMPRESSION_LIMIT = "decompression_limit"
CORRUPT_GZIP = "corrupt_gzip"
TRUNCATED_GZIP = "truncated_gzip"
LINE_TOO_LONG = "line_too_long"
MALFORMED_JSON = "malformed_json"
MISSING_CONTENT = "missing_content"
INVALID_FIELD = "invalid_field"
MALFORMED_WARC_RECORD = "malformed_warc_record"
TRUNCATED_WARC_RECORD = "truncated_warc_record"
NO_HTML_RECORDS = "no_html_records"
HTTP_STATUS = "http_status"
NOT_HTML = "not_html"
UNSUPPORTED_FORMAT = "unsupported_format"
UNREADABLE = "unreadable"
# Bytes between two gzip members of a WARC that are no member: skipped, neither a document nor a reject.
WARC_GARBAGE = "warc_garbage_between_members"

# Extension (after any ".gz") to format; anything else is sniffed.
FORMATS = MappingProxyType({
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc", ".arc": "arc",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
})
_HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b", re.I)
_SNIFF_HTML_BYTES = 4096
_CHUNK = 1 << 20
_RAISE_HINT = "raise [limits] {key} in a --config file to accept it"


@dataclass(frozen=True)
class Limits:
    """Caps that keep one hostile input from exhausting the machine ([limits] table).

    ``decoding`` carries the detection thresholds reading applies (rules/decoding.toml;
    None: the packaged ones).
    """

    max_input_bytes: int
    max_decompressed_bytes: int
    max_line_chars: int
    decoding: DecodingRules | None = None

    @classmethod
    def from_config(cls, config: Config) -> "Limits":
        limits = config.settings.limits
        return cls(max_input_bytes=limits.max_input_bytes, max_decompressed_bytes=limits.max_decompressed_bytes,
                   max_line_chars=limits.max_line_chars, decoding=config.rules.decoding)


@dataclass(frozen=True)
class InputFile:
    """One file to read: where it is, the argument it was found under, and its stable name."""

    path: Path
    root: Path
    source: str

    def size(self) -> int:
        return self.path.stat().st_size

    @classmethod
    def at(cls, root: Path, source: str) -> "InputFile":
        """The file ``source`` names under ``root``, undoing the escapes ``_source_name`` made."""
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), source.encode("utf-8"))
        return cls(path=Path(root) / os.fsdecode(name), root=Path(root), source=source)


# A file name's bytes that are not UTF-8 appear in ``source`` as \xNN, so that records
# and task parameters stay valid UTF-8; a backslash of the name that would read as such
# an escape is written \x5c itself, so that two names never give one source, and
# ``InputFile.at`` maps every source back to its one file.
_ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")
_LOOKS_ESCAPED = re.compile(rb"\\(?=x[0-9a-fA-F]{2})")


def _source_name(relative: str) -> str:
    return _LOOKS_ESCAPED.sub(rb"\\x5c", os.fsencode(relative)).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Skipped:
    """Something found that is not an input document, and why (a file or an archive record)."""

    source: str
    reason: str


class _Rejected(Exception):
    """Carries a reject reason out of a helper to the one place that yields it."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def discover_inputs(paths: Sequence[Path], exclude: Mapping[Path, str] | None = None) -> list[InputFile]:
    """Input files under ``paths`` (files, or folders walked), in a stable order, each once.

    Hidden files and folders are skipped, symlinked folders are not entered, symlinked
    files are kept only when they point inside their folder, and only regular files are
    kept (a FIFO would block the reader).  The folders of ``exclude`` (the run's own
    output and state) are not entered, each skipped with the reason it maps to.
    ``skipped_inputs`` says what was left out.
    """
    return [f for f, reason in _candidates(paths, exclude or {}) if reason is None]


def skipped_inputs(paths: Sequence[Path], exclude: Mapping[Path, str] | None = None) -> list[Skipped]:
    """What ``discover_inputs`` leaves out of ``paths``, each with the reason, in a stable order."""
    return [Skipped(f.source, reason) for f, reason in _candidates(paths, exclude or {}) if reason is not None]


def _candidates(paths: Sequence[Path], exclude: Mapping[Path, str]) -> Iterator[tuple[InputFile, str | None]]:
    """Every entry found under ``paths``, with the reason it is not an input (None: it is one)."""
    seen: set[tuple[int, int]] = set()
    excluded = {os.path.realpath(folder): reason for folder, reason in exclude.items()}
    for given in paths:
        given = Path(os.path.abspath(given))
        inside = _excluded_reason(given, excluded)
        if inside:
            candidates = [(InputFile(path=given, root=given.parent, source=_source_name(given.name)), inside)]
        elif given.is_dir():
            candidates = _walk(given, excluded)
        elif given.exists():
            candidates = [(InputFile(path=given, root=given.parent, source=_source_name(given.name)), None)]
        else:
            raise FileNotFoundError(f"input {given} does not exist")
        for f, reason in candidates:
            if reason is None:
                try:
                    info = f.path.stat()
                except OSError as exc:
                    reason = "link_loop" if exc.errno == errno.ELOOP else (
                        "dangling_link" if f.path.is_symlink() else "unreadable")
                else:
                    if not stat.S_ISREG(info.st_mode):
                        reason = "not_a_regular_file"
                    elif (info.st_dev, info.st_ino) in seen:
                        reason = "same_file_twice"
                    else:
                        seen.add((info.st_dev, info.st_ino))
            yield f, reason


def _excluded_reason(path: Path, excluded: Mapping[str, str]) -> str | None:
    """The reason ``path`` is left out when it is one of the excluded folders."""
    return excluded.get(os.path.realpath(path)) if excluded else None


def _walk(root: Path, excluded: Mapping[str, str]) -> list[tuple[InputFile, str | None]]:
    real_root = os.path.realpath(root)
    found = []

    def entry(path: Path, reason: str | None) -> None:
        found.append((InputFile(path=path, root=root, source=_source_name(path.relative_to(root).as_posix())), reason))

    def unreadable(error: OSError) -> None:
        # os.walk would pass over a folder it cannot list without a word
        if error.filename and Path(error.filename) != root:
            entry(Path(error.filename), "unreadable")
        else:
            raise error

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=False):
        kept = []
        for name in dirs:
            path = Path(folder, name)
            reason = "hidden" if name.startswith(".") else (
                "link_to_folder" if path.is_symlink() else _excluded_reason(path, excluded))
            if reason:  # a link is not entered either: no loops, no escape
                entry(path, reason)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in names:
            path = Path(folder, name)
            if name.startswith("."):
                entry(path, "hidden")
            elif path.is_symlink():
                target = os.path.realpath(path)  # a loop resolves to itself, and then fails stat as link_loop
                inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
                entry(path, None if inside else "link_outside_folder")
            else:
                entry(path, None)
    return sorted(found, key=lambda item: item[0].source)


def input_format(name: str) -> tuple[str | None, bool]:
    """The format a file name announces (None: sniff the content) and whether it is gzipped."""
    lower = name.lower()
    compressed = lower.endswith(".gz")
    if compressed:
        lower = lower[: -len(".gz")]
    return FORMATS.get(os.path.splitext(lower)[1]), compressed


def read_input(f: InputFile, limits: Limits,
               on_skip: Callable[[Skipped], None] | None = None) -> Iterator[RawInput | Reject]:
    """Yield the documents of ``f`` one at a time, or a reject for each part that is unusable.

    An input is a file; in an archive, each capture (response or resource record of an
    http(s) URL); in JSONL, each non-blank line.  Archives and JSONL yield one item per
    input, with source ``"<file>#<n>"`` (n counts all records, so gaps are the archive
    records that are not captures, each passed to ``on_skip``).
    """
    fmt, compressed = input_format(f.path.name)
    try:
        size = f.size()
        if size == 0:
            raise _Rejected(EMPTY, "the file is empty (0 bytes)")
        if fmt in ("warc", "arc"):
            yield from _read_warc(f, limits, arc=fmt == "arc", on_skip=on_skip)
        elif fmt == "jsonl":
            yield from _read_jsonl(f, compressed, limits)
        else:
            yield _read_single(f, fmt, compressed, size, limits)
    except _Rejected as rejected:
        yield Reject(f.source, rejected.reason, rejected.message)
    except OSError as exc:
        yield Reject(f.source, UNREADABLE, f"the file could not be read: {exc.strerror or exc}")
    except Exception as exc:  # last resort: one odd file must not stop the run
        yield Reject(f.source, UNREADABLE, f"reading failed unexpectedly ({_describe(exc)}); please report it")


def _read_single(f: InputFile, fmt: str | None, compressed: bool, size: int, limits: Limits) -> RawInput:
    if size > limits.max_input_bytes:
        raise _Rejected(TOO_LARGE, f"the file has {size} bytes, over the limit of {limits.max_input_bytes}; "
                        + _RAISE_HINT.format(key="max_input_bytes"))
    notes = []
    with open(f.path, "rb") as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        if compressed or gzipped:
            if not compressed:
                notes.append("the file was gzip-compressed although its name does not say so")
            data = _gunzip_capped(handle, limits)
        else:
            data = handle.read()
    return _document(f.source, data, fmt, limits, notes=notes)


def _gunzip_capped(handle: IO[bytes], limits: Limits) -> bytes:
    """Decompress a whole .gz stream, stopping at the caps instead of filling memory."""
    kept: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=handle) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > limits.max_decompressed_bytes:
                    raise _Rejected(DECOMPRESSION_LIMIT, f"decompressing gave over {limits.max_decompressed_bytes} "
                                    "bytes (a compression bomb?); " + _RAISE_HINT.format(key="max_decompressed_bytes"))
                if total <= limits.max_input_bytes:
                    kept.append(chunk)
    except EOFError:
        raise _Rejected(TRUNCATED_GZIP, "the gzip stream ends early (truncated download or copy?); "
                        "re-fetch or re-compress the file") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise _Rejected(CORRUPT_GZIP, f"the file is not a valid gzip stream ({exc}); "
                        "check it with `gzip -t`") from None
    if total > limits.max_input_bytes:
        raise _Rejected(TOO_LARGE, f"the file decompresses to {total} bytes, over the limit of "
                        f"{limits.max_input_bytes}; " + _RAISE_HINT.format(key="max_input_bytes"))
    return b"".join(kept)


def _document(source: str, data: bytes, fmt: str | None, limits: Limits, *, url: str | None = None,
              reference_date: date | None = None, declared: str | None = None,
              notes: Sequence[str] = ()) -> RawInput:
    """Bytes of one document to a RawInput: sniffed, decoded, checked."""
    binary = sniff_binary(data, limits.decoding)
    if binary == PDF:
        raise _Rejected(PDF, "the content is a PDF document, not HTML or text; extract its text first")
    if binary:
        if fmt is None:
            raise _Rejected(UNSUPPORTED_FORMAT, "the file type is not one newsclean reads and its content is binary; "
                            f"inputs are {', '.join(sorted(FORMATS))} (optionally .gz)")
        raise _Rejected(BINARY, "the content is binary data, not HTML or text (an image or archive under a text name?)")
    kind = fmt if fmt in ("html", "text") else _sniff_kind(data)
    decoded = decode_bytes(data, kind=kind, declared=declared, rules=limits.decoding)
    return _checked(source, decoded.text, kind, limits, url=url, reference_date=reference_date,
                    notes=[*notes, *decoded.notes])


def _sniff_kind(data: bytes) -> str:
    return "html" if _HTML_SNIFF.search(data[:_SNIFF_HTML_BYTES]) else "text"


def _checked(source: str, text: str, kind: str, limits: Limits, *, url: str | None = None,
             reference_date: date | None = None,
             notes: Sequence[str] = ()) -> RawInput:
    """A RawInput for clean text, or a reject if it is blank or has an overlong line."""
    if not text.strip():
        raise _Rejected(EMPTY, "the input holds only whitespace")
    if kind == "text":
        longest = max(map(len, text.split("\n")))
        if longest > limits.max_line_chars:
            raise _Rejected(LINE_TOO_LONG, f"a line has {longest} characters, over the limit of "
                            f"{limits.max_line_chars}; " + _RAISE_HINT.format(key="max_line_chars"))
    notes = list(notes)
    return RawInput(source=source, content=text, kind=kind, url=_clean_field(url, "url", notes),
                    reference_date=reference_date, notes=notes)


def _clean_field(value: str | None, name: str, notes: list[str]) -> str | None:
    """A metadata string without control characters or surrounding space (None if blank)."""
    if value is None:
        return None
    cleaned, changes = normalise_text(value)
    cleaned = " ".join(cleaned.split())
    if changes:
        notes.append(f"{name}: " + "; ".join(changes))
    return cleaned or None


# --- JSONL ---------------------------------------------------------------------------------

def _read_jsonl(f: InputFile, compressed: bool, limits: Limits) -> Iterator[RawInput | Reject]:
    produced = False
    number = 0
    with open(f.path, "rb") as raw:
        gzipped = compressed or raw.peek(2)[:2] == GZIP_MAGIC
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw
        while True:
            number += 1
            source = f"{f.source}#{number}"
            try:
                line = _read_line(stream, limits, number)
            except _Rejected as rejected:
                yield Reject(source, rejected.reason, rejected.message)
                produced = True
                if rejected.reason != TOO_LARGE:
                    break  # the stream itself is unusable from here on
                continue
            except EOFError:
                yield Reject(source, TRUNCATED_GZIP, f"the gzip stream ends early at line {number}; the lines "
                             "before it were read, re-fetch the file for the rest")
                produced = True
                break
            except (gzip.BadGzipFile, zlib.error) as exc:
                yield Reject(source, CORRUPT_GZIP, f"the gzip stream is corrupt at line {number} ({exc}); "
                             "the lines before it were read")
                produced = True
                break
            if line is None:
                break
            if not line.strip():
                continue
            try:
                yield _jsonl_record(source, line, number, limits)
            except _Rejected as rejected:
                yield Reject(source, rejected.reason, rejected.message)
            produced = True
    if not produced:
        yield Reject(f.source, EMPTY, "the JSONL file holds no records, only blank lines")


def _read_line(stream: IO[bytes], limits: Limits, number: int) -> bytes | None:
    """The next line (None at the end); an overlong line is skipped and rejected."""
    line = stream.readline(limits.max_input_bytes + 1)
    if not line:
        return None
    if len(line) <= limits.max_input_bytes or line.endswith(b"\n"):
        return line
    skipped = len(line)
    while not line.endswith(b"\n"):
        line = stream.readline(_CHUNK)
        if not line:
            break
        skipped += len(line)
        if skipped > limits.max_decompressed_bytes:
            raise _Rejected(DECOMPRESSION_LIMIT, f"line {number} runs past {limits.max_decompressed_bytes} bytes "
                            "(a compression bomb?); the rest of the file was not read")
    raise _Rejected(TOO_LARGE, f"line {number} has over {limits.max_input_bytes} bytes; "
                    + _RAISE_HINT.format(key="max_input_bytes"))


def _jsonl_record(source: str, line: bytes, number: int, limits: Limits) -> RawInput:
    notes = []
    text = line.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - line.count(b"\xef\xbf\xbd")
    if replaced:
        notes.append(f"decoded utf-8 with {replaced} replacement characters")
    try:
        record = json.loads(text.strip().lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise _Rejected(MALFORMED_JSON, f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _Rejected(MALFORMED_JSON, f"line {number} is JSON nested too deeply to read") from None
    if not isinstance(record, dict):
        raise _Rejected(MALFORMED_JSON, f"line {number} holds a JSON {type(record).__name__}, not an object")
    fields = {name: _string_field(record, name, number) for name in ("url", "html", "text")}
    kind = "html" if fields["html"] is not None else "text"
    content = fields[kind]
    if content is None:
        raise _Rejected(MISSING_CONTENT, f"line {number} has neither an 'html' nor a 'text' string field")
    content, cleaning_notes = normalise_text(content)
    reference_date = _record_date(record, notes)
    return _checked(source, content, kind, limits, url=fields["url"], reference_date=reference_date,
                    notes=notes + cleaning_notes)


def _string_field(record: dict, name: str, number: int) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise _Rejected(INVALID_FIELD, f"line {number}: field '{name}' must be a string, "
                        f"not a JSON {type(value).__name__}")
    return value


def _record_date(record: dict, notes: list[str]) -> date | None:
    value = record.get("reference_date", record.get("date"))
    if value is None:
        return None
    parsed = _iso_day(value) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"ignored unreadable reference date {str(value)[:40]!r}")
    return parsed


def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


# --- WARC ---------------------------------------------------------------------------------

# An input of an archive is one capture: a response or resource record of an http(s)
# URL.  Each becomes a document or a reject; the other records (warcinfo, request,
# metadata, revisit, dns: captures) are bookkeeping, reported to ``on_skip``.
_CAPTURE_TYPES = frozenset({"response", "resource"})
_WARC_LINE_START = b"\nWARC/1."
_GZIP_MEMBER_START = GZIP_MAGIC + b"\x08"


def _read_warc(f: InputFile, limits: Limits, *, arc: bool,
               on_skip: Callable[[Skipped], None] | None) -> Iterator[RawInput | Reject]:
    """Records of a (W)ARC; after a broken record, reading resumes at the next record header.

    A record is held until the next one is parsed, because only then does warcio tell
    whether its declared length ran past its end (a record that swallowed its neighbours).
    """
    with open(f.path, "rb") as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
    if gzipped and not arc:
        yield from _read_gzip_warc(f, limits, on_skip)
        return
    produced = False
    number = 0
    with open(f.path, "rb") as handle:
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
                held = None
                if archive.err_count > errors:  # its Content-Length ran into what follows it
                    item = Reject(f"{f.source}#{number - 1}", MALFORMED_WARC_RECORD,
                                  f"record {number - 1} does not end where its Content-Length says; "
                                  "reading resumed at the next record header")
                    record, failure, resume_at = None, None, start + 1
                    number -= 1
                if item is not None:
                    yield item
                    produced = True
            if failure is not None:
                resume_at = archive.offset + 1
                yield Reject(source, MALFORMED_WARC_RECORD,
                             f"record {number} could not be read ({_describe(failure)}); "
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
            item = _warc_item(record, source, limits, on_skip)
            if isinstance(item, Reject) and item.reason == TRUNCATED_WARC_RECORD:
                yield item
                produced = True
                archive = _resumed(handle, start + 1, marker, arc)
                if archive is None:
                    break
                continue
            held = (item, start, archive.err_count)
    if not produced:
        yield Reject(f.source, NO_HTML_RECORDS,
                     f"the archive holds {number - 1} records, none a capture of an http(s) page")


class _GzipMember(io.RawIOBase):
    """The gzip member that starts at ``handle``'s position, decompressed as it is read.

    Once it is read to its end, ``end`` is the file offset just after it. Past ``cap``
    decompressed bytes it raises _Rejected (a compression bomb), and EOFError if the file
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
                self.pending = self.handle.read(_CHUNK)
                self.consumed += len(self.pending)
                if not self.pending:
                    raise EOFError("the file ends inside a gzip member")
            data = self.inflater.decompress(self.pending, len(buffer))
            self.pending = self.inflater.unconsumed_tail
            if data:
                self.produced += len(data)
                if self.produced > self.cap:
                    raise _Rejected(DECOMPRESSION_LIMIT, f"a gzip member decompresses to over {self.cap} bytes "
                                    "(a compression bomb?); " + _RAISE_HINT.format(key="max_decompressed_bytes"))
                buffer[:len(data)] = data
                return len(data)
        self.end = self.start + self.consumed - len(self.inflater.unused_data)
        return 0

    def finish(self) -> int:
        """Read what is left of the member; the offset just after it."""
        while self.end is None:
            self.read(_CHUNK)
        return self.end


def _read_gzip_warc(f: InputFile, limits: Limits,
                    on_skip: Callable[[Skipped], None] | None) -> Iterator[RawInput | Reject]:
    """Records of a gzipped WARC, one gzip member at a time.

    Each member is decompressed as it is read and parsed as an uncompressed archive, so a
    member holding several records gives each of them once, and bytes between members
    that are no member are skipped (WARC_GARBAGE) rather than read as a broken record.
    A broken member is one reject, and reading resumes at the next member.
    """
    produced = False
    number = 0
    with open(f.path, "rb") as handle:
        at: int | None = 0
        while at is not None:
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
                    item = _warc_item(record, f"{f.source}#{number}", limits, on_skip)
                    if item is not None:
                        yield item
                        produced = True
                    if isinstance(item, Reject) and item.reason == TRUNCATED_WARC_RECORD:
                        break  # the member ends inside it: what follows is the next member
                else:
                    after = member.finish()
            except _Rejected as rejected:
                number += 1
                yield Reject(f"{f.source}#{number}", rejected.reason, rejected.message)
                produced = True
            except Exception as exc:  # a broken member: zlib, warcio or the file's end
                number += 1
                yield Reject(f"{f.source}#{number}", MALFORMED_WARC_RECORD,
                             f"record {number} could not be read ({_describe(exc)}); "
                             "reading resumed at the next gzip member")
                produced = True
            at = after if after is not None else _find(handle, at + 1, _GZIP_MEMBER_START)
    if not produced:
        yield Reject(f.source, NO_HTML_RECORDS,
                     f"the archive holds {number} records, none a capture of an http(s) page")


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
    while chunk := handle.read(_CHUNK):
        data = carried + chunk
        at = data.find(marker)
        if at >= 0:
            return base - len(carried) + at
        carried = data[-(len(marker) - 1):]
        base += len(chunk)
    return None


def _describe(exc: BaseException) -> str:
    # warcio quotes the broken bytes; a message keeps printable text only
    text = "".join(ch if ch.isprintable() else " " for ch in str(exc)[:400])
    return f"{type(exc).__name__}: {' '.join(text.split())[:160]}"


def _warc_item(record, source: str, limits: Limits,
               on_skip: Callable[[Skipped], None] | None) -> RawInput | Reject | None:
    """A document or reject for a capture record; None (and ``on_skip``) for other records."""
    try:
        skipped = _not_a_capture(record)
        if skipped is not None:
            if on_skip is not None:
                on_skip(Skipped(source, skipped))
            return None
        return _warc_document(record, source, limits)
    except _Rejected as rejected:
        return Reject(source, rejected.reason, rejected.message)
    except Exception as exc:
        return Reject(source, MALFORMED_WARC_RECORD, f"the record is malformed ({_describe(exc)})")


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
            raise _Rejected(HTTP_STATUS, "the response record holds no HTTP headers")
        status = (record.http_headers.get_statuscode() or "").strip()
        if not status.startswith("2"):
            line = " ".join(record.http_headers.statusline.split())[:80]
            location = record.http_headers.get_header("Location")
            raise _Rejected(HTTP_STATUS, f"the server answered {line!r}, not a page"
                            + (f" (a redirect to {location[:200]})" if location else ""))
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    media_type, charset = _parse_content_type(content_type)
    if media_type is not None and media_type not in _HTML_MEDIA_TYPES:
        raise _Rejected(NOT_HTML, f"the capture is {media_type[:80]}, not an HTML page")
    data = _read_capped(record.content_stream(), limits.max_input_bytes)
    if len(data) > limits.max_input_bytes:
        raise _Rejected(TOO_LARGE, f"the record's content has over {limits.max_input_bytes} bytes; "
                        + _RAISE_HINT.format(key="max_input_bytes"))
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise _Rejected(TRUNCATED_WARC_RECORD, f"the record is truncated: {missing} of its declared bytes "
                        "are missing from the archive")
    if media_type is None and not _HTML_SNIFF.search(data[:_SNIFF_HTML_BYTES]):
        raise _Rejected(NOT_HTML, "the capture declares no media type and its content is not HTML")
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ") or None
    warc_date = record.rec_headers.get_header("WARC-Date")
    return _document(source, data, "html", limits, url=url,
                     reference_date=_iso_day(warc_date) if warc_date else None, declared=charset)


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type and charset parameter of a Content-Type header (None when absent)."""
    if not value:
        return None, None
    media_type, _, params = value.partition(";")
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", params, re.I)
    return media_type.strip().lower() or None, match.group(1) if match else None


def _read_capped(stream, cap: int) -> bytes:
    """Up to ``cap + 1`` bytes of ``stream``: one more than allowed tells it is too large."""
    parts = []
    total = 0
    while total <= cap:
        chunk = stream.read(min(_CHUNK, cap + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)
