"""Cleaning from Python: one page or one text in, a Document (or a Reject) out.

The packaged configuration is loaded and the steps are built once per process, on the
first call; later calls reuse them.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from pipeline.cleaner import Cleaner
from pipeline.config import load_config
from pipeline.decoding import decode_bytes, normalise_text
from pipeline.document import Document, RawInput, Reject
from pipeline.inputs import Limits

# a RawInput's source names where it came from; a string handed in has no file
SOURCE = "<input>"


@lru_cache(maxsize=1)
def _settings() -> tuple[Cleaner, Limits]:
    config = load_config()
    return Cleaner.from_config(config), Limits.from_config(config)


def clean_html(page: str | bytes, *, url: str | None = None, reference_date: date | None = None) -> Document | Reject:
    """Clean one HTML page: the article's paragraphs and metadata, or a Reject saying why there is none.

    ``page`` as bytes is decoded as a page file is (BOM, declared charset, then sniffing);
    ``url`` is the page's address; ``reference_date`` the day relative dates resolve against.
    """
    return _clean(page, "html", url, reference_date)


def clean_text(text: str | bytes, *, url: str | None = None, reference_date: date | None = None) -> Document | Reject:
    """Clean one plain-text article or whole-page text dump; arguments as for :func:`clean_html`."""
    return _clean(text, "text", url, reference_date)


def _clean(content: str | bytes, kind: str, url: str | None, reference_date: date | None) -> Document | Reject:
    cleaner, limits = _settings()
    if isinstance(content, bytes):
        decoded = decode_bytes(content, kind=kind, rules=limits.decoding)
        text, notes = decoded.text, decoded.notes
    else:
        text, notes = normalise_text(content)
    raw = RawInput(source=url or SOURCE, content=text, kind=kind, url=url, reference_date=reference_date,
                   notes=notes)
    return cleaner.clean(raw)
