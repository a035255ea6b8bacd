"""One input document in, one cleaned Document or one Reject out: the per-document pipeline."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from pipeline.chrome import clean_text
from pipeline.config import Config
from pipeline.document import Document, RawInput, Reject
from pipeline.html_extract import extract_html
from pipeline.html_meta import extract_html_metadata
from pipeline.language import LanguageSettings, detect_language
from pipeline.normalise import normalise_authors, parse_date
from pipeline.region import locate_article

NO_ARTICLE_TEXT = "no_article_text"
TIME_BUDGET_EXCEEDED = "time_budget_exceeded"
CLEANING_ERROR = "cleaning_error"


class DocumentTimeout(Exception):
    """A document took longer than its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout in the block after ``seconds``; a no-op off the main thread.

    SIGALRM is the only way to interrupt pure-Python and C parsing alike; worker
    processes run tasks in their main thread, so it applies there too.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum, frame):
        raise DocumentTimeout()

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Cleaner:
    """Settings parsed once per run, applied to each document."""

    config: Config
    language: LanguageSettings
    time_budget: float
    reference_date: date | None = None

    @classmethod
    def from_config(cls, config: Config, reference_date: date | None = None) -> "Cleaner":
        return cls(
            config=config,
            language=LanguageSettings.from_config(config),
            time_budget=float(config.get("limits.document_time_budget", 0) or 0),
            reference_date=reference_date,
        )

    def clean(self, raw: RawInput) -> Document | Reject:
        """Clean one input; never raises for a bad document, it becomes a Reject instead."""
        try:
            with time_budget(self.time_budget):
                doc = clean_raw(raw, self.config, self.language, raw.reference_date or self.reference_date)
        except DocumentTimeout:
            return Reject(raw.source, TIME_BUDGET_EXCEEDED,
                          f"cleaning took longer than {self.time_budget:g} s (limits.document_time_budget)")
        except RecursionError:
            return Reject(raw.source, CLEANING_ERROR, "markup nested too deeply to clean")
        except Exception as exc:  # a bug on one page must not stop the run; it is reported
            return Reject(raw.source, CLEANING_ERROR, f"{type(exc).__name__}: {exc}"[:500])
        if not doc.paragraphs:
            return Reject(raw.source, NO_ARTICLE_TEXT, "no article text was found in the input")
        return doc


def clean_raw(raw: RawInput, config: Config, language: LanguageSettings,
              reference_date: date | None) -> Document:
    """Run extraction, chrome removal and metadata normalisation for one input."""
    doc = Document(id=raw.id, source=raw.source, url=raw.url, kind=raw.kind, notes=list(raw.notes))
    if raw.kind == "html":
        _clean_html(doc, raw.content, config, reference_date)
    else:
        _clean_plain_text(doc, raw.content, config, reference_date)
    doc.language, doc.language_score = detect_language(doc.text, language)
    return doc


def _clean_html(doc: Document, html: str, config: Config, reference_date: date | None) -> None:
    meta = extract_html_metadata(html, url=doc.url, reference_date=reference_date)
    extracted = extract_html(html, config, url=meta.url or doc.url)
    doc.url = doc.url or meta.url
    doc.title, doc.description = meta.title, meta.description
    doc.authors = list(meta.authors)
    doc.date_published, doc.date_raw = meta.date_published, meta.date_raw
    doc.site_name = meta.site_name
    doc.paragraphs = _drop_metadata_repeats(extracted.paragraphs, doc)
    doc.removed.extend(extracted.removed)


def _clean_plain_text(doc: Document, text: str, config: Config, reference_date: date | None) -> None:
    region = locate_article(text, config)
    doc.removed.extend(region.removed)
    cleaned = clean_text(region.text, config)
    doc.removed.extend(cleaned.removed)
    doc.paragraphs = cleaned.paragraphs
    doc.title, doc.description = cleaned.title, cleaned.description
    doc.site_name = cleaned.site_name
    doc.authors = normalise_authors(cleaned.byline, site_name=cleaned.site_name) if cleaned.byline else []
    if cleaned.date_raw:
        doc.date_raw = cleaned.date_raw
        parsed = parse_date(cleaned.date_raw, reference_date=reference_date)
        doc.date_published = parsed.iso if parsed else None


def _drop_metadata_repeats(paragraphs: list[str], doc: Document) -> list[str]:
    """The title is a field, not text: drop a leading paragraph that only repeats it."""
    if paragraphs and doc.title and " ".join(paragraphs[0].split()) == " ".join(doc.title.split()):
        return paragraphs[1:]
    return paragraphs
