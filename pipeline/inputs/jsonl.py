"""JSON Lines inputs: each non-blank line one document, or one reject saying why not."""
from __future__ import annotations

import gzip
import json
import zlib
from datetime import date
from typing import IO, Iterator

from pipeline.document import RawInput, Reject
from pipeline.inputs.decoding import GZIP_MAGIC, normalise_text
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.formats import checked_document, iso_day
from pipeline.inputs.limits import CHUNK, RAISE_HINT, Limits
from pipeline.inputs.rejects import (CORRUPT_GZIP, DECOMPRESSION_LIMIT, EMPTY, INVALID_FIELD, MALFORMED_JSON,
                                     MISSING_CONTENT, TOO_LARGE, TRUNCATED_GZIP, Rejected)

def read_jsonl(f: InputFile, compressed: bool, limits: Limits) -> Iterator[RawInput | Reject]:
    produced = False
    number = 0
    with f.open() as raw:
        gzipped = compressed or raw.peek(2)[:2] == GZIP_MAGIC
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw
        while True:
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
    fields = {name: _string_field(record, name, number) for name in ("url", "html", "text")}
    kind = "html" if fields["html"] is not None else "text"
    content = fields[kind]
    if content is None:
        raise Rejected(MISSING_CONTENT, f"line {number} has neither an 'html' nor a 'text' string field")
    content, cleaning_notes = normalise_text(content)
    reference_date = _record_date(record, notes)
    return checked_document(source, content, kind, limits, url=fields["url"], reference_date=reference_date,
                    notes=notes + cleaning_notes)


def _string_field(record: dict, name: str, number: int) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise Rejected(INVALID_FIELD, f"line {number}: field '{name}' must be a string, "
                       f"not a JSON {type(value).__name__}")
    return value


def _record_date(record: dict, notes: list[str]) -> date | None:
    value = record.get("reference_date", record.get("date"))
    if value is None:
        return None
    parsed = iso_day(value) if isinstance(value, str) else None
    if parsed is None:
        notes.append(f"ignored unreadable reference date {str(value)[:40]!r}")
    return parsed
