"""Why an input, or a part of one, is rejected: the reasons, and the exception carrying one."""
from __future__ import annotations

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


class Rejected(Exception):
    """Carries a reject reason out of a helper to the one place that yields it."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def describe(exc: BaseException) -> str:
    # warcio quotes the broken bytes; a message keeps printable text only
    text = "".join(ch if ch.isprintable() else " " for ch in str(exc)[:400])
    return f"{type(exc).__name__}: {' '.join(text.split())[:160]}"
