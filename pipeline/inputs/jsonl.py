"""JSON Lines inputs: each non-blank line one document, or one reject saying why not."""
from __future__ import annotations

import gzip
import json
import zlib
from datetime import date
from functools import lru_cache
from typing import IO, Iterator

from pipeline.document import Origin, RawInput, Reject
from pipeline.inputs.decoding import GZIP_MAGIC, normalise_text
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.formats import checked_document, iso_day
from pipeline.inputs.warc import Range
from pipeline.inputs.limits import CHUNK, RAISE_HINT, Limits
from pipeline.schema import JsonlInput
from pipeline.inputs.rejects import (CORRUPT_GZIP, DECOMPRESSION_LIMIT, EMPTY, INVALID_FIELD, MALFORMED_JSON,
                                     MISSING_CONTENT, TOO_LARGE, TRUNCATED_GZIP, Rejected)

def read_jsonl(f: InputFile, compressed: bool, limits: Limits, part: Range | None = None) -> Iterator[RawInput | Reject]:
    produced = part is not None  # a range of a file with records owes no "only blank lines" reject
    number = part.first - 1 if part else 0
    with f.open() as raw:
        gzipped = compressed or raw.peek(2)[:2] == GZIP_MAGIC
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw
        if part is not None:
            raw.seek(part.start)
        while part is None or raw.tell() < part.end:
            number += 1
            source = f"{f.source}#{number}"
            try:
                line = _read_line(stream, limits, number)
            except Rejected as rejected:
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
            except Rejected as rejected:
                yield Reject(source, rejected.reason, rejected.message)
            produced = True
    if not produced:
        yield Reject(f.source, EMPTY, "the JSONL file holds no records, only blank lines")


def jsonl_ranges(f: InputFile, range_bytes: int, limits: Limits) -> list[Range] | None:
    """Cut an uncompressed JSONL file into ranges of about ``range_bytes`` at line starts, in one pass.

    None (read the file whole) for a gzipped file, a file without a non-blank line, or one
    with a line over ``max_input_bytes`` (whose reject stops the whole file's reading).
    """
    ranges: list[Range] = []
    start, first, number, line_start, content = 0, 1, 0, 0, False
    with f.open() as raw:
        if raw.peek(2)[:2] == GZIP_MAGIC:
            return None
        offset = 0
        while chunk := raw.read(CHUNK):
            at = chunk.find(b"\n")
            content = content or bool(chunk.translate(None, b" \t\r\n\f\v"))
            while at >= 0:
                end = offset + at + 1
                if end - line_start > limits.max_input_bytes:
                    return None
                number += 1
                line_start = end
                if line_start - start >= range_bytes:
                    ranges.append(Range(start, line_start, first))
                    start, first = line_start, number + 1
                at = chunk.find(b"\n", at + 1)
            offset += len(chunk)
        if offset - line_start > limits.max_input_bytes:
            return None
    if not content:
        return None
    if offset > start:
        ranges.append(Range(start, offset, first))
    return ranges


def _read_line(stream: IO[bytes], limits: Limits, number: int) -> bytes | None:
    """The next line (None at the end); an overlong line is skipped and rejected."""
    line = stream.readline(limits.max_input_bytes + 1)
    if not line:
        return None
    if len(line) <= limits.max_input_bytes or line.endswith(b"\n"):
        return line
    skipped = len(line)
    while not line.endswith(b"\n"):
        line = stream.readline(CHUNK)
        if not line:
            break
        skipped += len(line)
        if skipped > limits.max_decompressed_bytes:
            raise Rejected(DECOMPRESSION_LIMIT, f"line {number} runs past {limits.max_decompressed_bytes} bytes "
                           "(a compression bomb?); the rest of the file was not read")
    raise Rejected(TOO_LARGE, f"line {number} has over {limits.max_input_bytes} bytes; "
                   + RAISE_HINT.format(key="max_input_bytes"))


def _jsonl_record(source: str, line: bytes, number: int, limits: Limits) -> RawInput:
    notes = []
    text = line.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - line.count(b"\xef\xbf\xbd")
    if replaced:
        notes.append(f"decoded utf-8 with {replaced} replacement characters")
    try:
        record = json.loads(text.strip().lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise Rejected(MALFORMED_JSON, f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise Rejected(MALFORMED_JSON, f"line {number} is JSON nested too deeply to read") from None
    if not isinstance(record, dict):
        raise Rejected(MALFORMED_JSON, f"line {number} holds a JSON {type(record).__name__}, not an object")
    mapping = limits.jsonl or _packaged_mapping()
    html, html_name = _mapped_string(record, mapping.html_field, number)
    text, text_name = _mapped_string(record, mapping.text_field, number)
    url, _ = _mapped_string(record, mapping.url_field, number)
    kind, content = ("html", html) if html is not None else ("text", text)
    if content is None:
        raise Rejected(MISSING_CONTENT, f"line {number} has neither an {_names(mapping.html_field)} nor a "
                       f"{_names(mapping.text_field)} string field (name yours with --html-field or --text-field, "
                       "or in [inputs.jsonl])")
    content, cleaning_notes = normalise_text(content)
    reference_date = _record_date(record, mapping.date_field, notes)
    origin = Origin(source_id=_source_id(record, mapping.id_field, number), meta=_passed_through(record, mapping))
    return checked_document(source, content, kind, limits, url=url, reference_date=reference_date,
                            notes=notes + cleaning_notes, origin=origin)


@lru_cache(maxsize=1)
def _packaged_mapping() -> JsonlInput:
    from pipeline.config import load_config

    return load_config().settings.inputs.jsonl


def _names(candidates: list[str]) -> str:
    return " or ".join(repr(name) for name in candidates)


def _first_present(record: dict, candidates: list[str]) -> str | None:
    """The first of ``candidates`` that ``record`` holds with a non-null value."""
    return next((name for name in candidates if record.get(name) is not None), None)


def _mapped_string(record: dict, candidates: list[str], number: int) -> tuple[str | None, str | None]:
    """The value of the first candidate field present (a string, else a reject), and its name."""
    name = _first_present(record, candidates)
    return (None, None) if name is None else (_string_field(record, name, number), name)


def _source_id(record: dict, candidates: list[str], number: int) -> str | None:
    """The user's id as a string: a JSON string or integer (1 and "1" are one id)."""
    name = _first_present(record, candidates)
    if name is None:
        return None
    value = record[name]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Rejected(INVALID_FIELD, f"line {number}: id field '{name}' must be a string or an integer, "
                       f"not a JSON {type(value).__name__}")
    return str(value)


def _passed_through(record: dict, mapping: JsonlInput) -> dict:
    """The fields of ``record`` no mapping names, in their order, values untouched."""
    named = {*mapping.html_field, *mapping.text_field, *mapping.url_field, *mapping.id_field, *mapping.date_field}
    return {key: value for key, value in record.items() if key not in named}


def _string_field(record: dict, name: str, number: int) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise Rejected(INVALID_FIELD, f"line {number}: field '{name}' must be a string, "
                       f"not a JSON {type(value).__name__}")
    return value


def _record_date(record: dict, candidates: list[str], notes: list[str]) -> date | None:
    name = _first_present(record, candidates)
    if name is None:
        return None
    value = record[name]
    parsed = iso_day(value) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"ignored unreadable reference date {str(value)[:40]!r}")
    return parsed
