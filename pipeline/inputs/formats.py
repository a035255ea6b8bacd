"""A single text or HTML file (optionally gzipped) to one document, and the checks every document passes."""
from __future__ import annotations

import os
import re
from datetime import date
from types import MappingProxyType
from typing import Sequence

from pipeline.document import Origin, RawInput
from pipeline.inputs.decoding import GZIP_MAGIC, decode_bytes, normalise_text, sniff_binary
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.limits import RAISE_HINT, Limits, gunzip_capped
from pipeline.inputs.rejects import BINARY, EMPTY, LINE_TOO_LONG, PDF, TOO_LARGE, UNSUPPORTED_FORMAT, Rejected

# Extension (after any ".gz") to format; anything else is sniffed.
FORMATS = MappingProxyType({
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc", ".arc": "arc",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
})
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b", re.I)
_SNIFF_HTML_BYTES = 4096


def input_format(name: str) -> tuple[str | None, bool]:
    """The format a file name announces (None: sniff the content) and whether it is gzipped."""
    lower = name.lower()
    compressed = lower.endswith(".gz")
    if compressed:
        lower = lower[: -len(".gz")]
    return FORMATS.get(os.path.splitext(lower)[1]), compressed


def read_single(f: InputFile, fmt: str | None, compressed: bool, size: int, limits: Limits) -> RawInput:
    """The one document of a text or HTML file of ``size`` bytes (gzipped or not)."""
    if size > limits.max_input_bytes:
        raise Rejected(TOO_LARGE, f"the file has {size} bytes, over the limit of {limits.max_input_bytes}; "
                       + RAISE_HINT.format(key="max_input_bytes"))
    notes = []
    with f.open() as handle:
        gzipped = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        if compressed or gzipped:
            if not compressed:
                notes.append("the file was gzip-compressed although its name does not say so")
            data = gunzip_capped(handle, limits)
        else:
            data = handle.read()
    return bytes_document(f.source, data, fmt, limits, notes=notes)


def bytes_document(source: str, data: bytes, fmt: str | None, limits: Limits, *, url: str | None = None,
                   reference_date: date | None = None, declared: str | None = None,
                   notes: Sequence[str] = (), origin: Origin | None = None) -> RawInput:
    """Bytes of one document to a RawInput: sniffed, decoded, checked."""
    binary = sniff_binary(data, limits.decoding)
    if binary == PDF:
        raise Rejected(PDF, "the content is a PDF document, not HTML or text; extract its text first")
    if binary:
        if fmt is None:
            raise Rejected(UNSUPPORTED_FORMAT, "the file type is not one newsclean reads and its content is binary; "
                           f"inputs are {', '.join(sorted(FORMATS))} (optionally .gz)")
        raise Rejected(BINARY, "the content is binary data, not HTML or text (an image or archive under a text name?)")
    kind = fmt if fmt in ("html", "text") else _sniff_kind(data)
    decoded = decode_bytes(data, kind=kind, declared=declared, rules=limits.decoding)
    return checked_document(source, decoded.text, kind, limits, url=url, reference_date=reference_date,
                            notes=[*notes, *decoded.notes], origin=origin)


def looks_like_html(data: bytes) -> bool:
    """Whether the first bytes of ``data`` hold an HTML tag."""
    return bool(_HTML_SNIFF.search(data[:_SNIFF_HTML_BYTES]))


def _sniff_kind(data: bytes) -> str:
    return "html" if looks_like_html(data) else "text"


def checked_document(source: str, text: str, kind: str, limits: Limits, *, url: str | None = None,
                     reference_date: date | None = None, notes: Sequence[str] = (),
                     origin: Origin | None = None) -> RawInput:
    """A RawInput for clean text, or a reject if it is blank or has an overlong line."""
    if not text.strip():
        raise Rejected(EMPTY, "the input holds only whitespace")
    if kind == "text":
        longest = max(map(len, text.split("\n")))
        if longest > limits.max_line_chars:
            raise Rejected(LINE_TOO_LONG, f"a line has {longest} characters, over the limit of "
                           f"{limits.max_line_chars}; " + RAISE_HINT.format(key="max_line_chars"))
    notes = list(notes)
    return RawInput(source=source, content=text, kind=kind, url=_clean_field(url, "url", notes),
                    reference_date=reference_date, notes=notes, origin=origin or Origin())


def _clean_field(value: str | None, name: str, notes: list[str]) -> str | None:
    """A metadata string without control characters or surrounding space (None if blank)."""
    if value is None:
        return None
    cleaned, changes = normalise_text(value)
    cleaned = " ".join(cleaned.split())
    if changes:
        notes.append(f"{name}: " + "; ".join(changes))
    return cleaned or None


def iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
