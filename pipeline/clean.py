"""One input document in, one cleaned Document or one Reject out: the per-document pipeline."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from lxml import etree

from pipeline.config import Config, ConfigError
from pipeline.decoding import strip_controls
from pipeline.document import Document, RawInput, Reject, Removal
from pipeline.html.extract import extract_html
from pipeline.html.parse import parse_html, safe_html
from pipeline.language import LanguageSettings, detect_language
from pipeline.metadata.authors import normalise_authors
from pipeline.metadata.dates import parse_date
from pipeline.metadata.page import extract_html_metadata
from pipeline.text.chrome import clean_text
from pipeline.text.layout import normalise_layout
from pipeline.text.region import locate_article

NO_ARTICLE_TEXT = "no_article_text"
TIME_BUDGET_EXCEEDED = "time_budget_exceeded"
CLEANING_ERROR = "cleaning_error"
MARKUP_TOO_DEEP = "markup_too_deep"



_REPEAT_SECONDS = 0.05
_PRELOAD_TEXT = "The council met on Tuesday to vote on the budget for the coming year."


class DocumentTimeout(BaseException):
    """A document took more CPU time than its time budget.

    A BaseException, like KeyboardInterrupt, so that the ``except Exception`` of a
    library it interrupts cannot swallow it and carry on with the slow document.
    """


@dataclass
class Budget:
    """Whether a time budget ran out, even if the timeout was caught and turned into another error."""

    expired: bool = False


@contextmanager
def time_budget(seconds: float) -> Iterator[Budget]:
    """Raise DocumentTimeout in the block after ``seconds`` of CPU time; a no-op off the main thread.

    CPU time of the process (ITIMER_PROF), not wall-clock: a busy machine slows a
    document down without using up its budget, so the same input gives the same record
    on a loaded and on a quiet machine.  SIGPROF interrupts pure-Python work at once and
    a C call (one lxml parse, one regex search) as soon as it returns; worker processes
    run tasks in their main thread, so it applies there too.  The yielded Budget tells
    afterwards whether time ran out.
    """
    budget = Budget()
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield budget
        return

    def _expired(signum, frame):
        budget.expired = True
        raise DocumentTimeout()

    previous = signal.signal(signal.SIGPROF, _expired)
    # the alarm repeats until the block ends: a timeout raised where Python cannot pass
    # it on (a weakref callback, a __del__) is swallowed, and the next one is not
    signal.setitimer(signal.ITIMER_PROF, seconds, _REPEAT_SECONDS)
    try:
        yield budget
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@dataclass(frozen=True)
class Cleaner:
    """Settings parsed once per run, applied to each document."""

    config: Config
    language: LanguageSettings
    time_budget: float
    reference_date: date | None = None

    @classmethod
    def from_config(cls, config: Config, reference_date: date | None = None) -> "Cleaner":
        language = config.settings.language
        # Language profiles load on first use; loaded here, no document's budget pays for
        # them, and no timeout can leave langdetect half-initialised for the rest of the run.
        detect_language(_PRELOAD_TEXT, language)
        return cls(
            config=config,
            language=language,
            time_budget=float(config.settings.limits.document_time_budget),
            reference_date=reference_date,
        )

    def clean(self, raw: RawInput) -> Document | Reject:
        """Clean one input; never raises for a bad document, it becomes a Reject instead.

        A ConfigError does raise: it is the run's configuration, not the document, that
        is wrong, and every other document would fail alike.
        """
        budget = Budget()
        try:
            with time_budget(self.time_budget) as budget:
                doc = clean_raw(raw, self.config, self.language, raw.reference_date or self.reference_date)
        except DocumentTimeout:
            return self._timed_out(raw)
        except RecursionError:
            return Reject(raw.source, MARKUP_TOO_DEEP, "the markup is nested too deeply to clean")
        except ConfigError:
            raise
        except Exception as exc:  # a bug on one page must not stop the run; it is reported
            if budget.expired:  # a library caught the timeout and raised its own error
                return self._timed_out(raw)
            return Reject(raw.source, CLEANING_ERROR, f"{type(exc).__name__}: {exc}"[:500])
        if budget.expired:  # a library swallowed the timeout: what it returned cannot be trusted
            return self._timed_out(raw)
        if not doc.paragraphs:
            if raw.kind == "html" and _beyond_parser_depth(raw.content):
                return Reject(raw.source, MARKUP_TOO_DEEP, "the markup nests deeper than the HTML parser's "
                              "limit (256 levels), and no article text was found above that depth")
            return Reject(raw.source, NO_ARTICLE_TEXT, "no article text was found in the input")
        return doc


    def _timed_out(self, raw: RawInput) -> Reject:
        return Reject(raw.source, TIME_BUDGET_EXCEEDED, f"cleaning took longer than {self.time_budget:g} s; "
                      "raise [limits] document_time_budget in a --config file to allow more")


def clean_raw(raw: RawInput, config: Config, language: LanguageSettings,
              reference_date: date | None) -> Document:
    """Run extraction, chrome removal and metadata normalisation for one input."""
    doc = Document(id=raw.id, source=raw.source, url=raw.url, kind=raw.kind, notes=list(raw.notes))
    if raw.kind == "html":
        html, notes = safe_html(raw.content)
        doc.notes.extend(notes)
        _clean_html(doc, html, config, reference_date)
    else:
        _clean_plain_text(doc, raw.content, config, reference_date)
    _scrub_controls(doc)
    doc.language, doc.language_score = detect_language(doc.text, language)
    _resolve_text_date(doc, config, reference_date)
    return doc


def _scrub_controls(doc: Document) -> None:
    """Drop control characters from every field: the last guard, whatever a parser produced."""
    removed = 0

    def scrub(value: str | None) -> str | None:
        nonlocal removed
        if value is None:
            return None
        cleaned, count = strip_controls(value)
        removed += count
        return cleaned

    paragraphs = [scrub(p) for p in doc.paragraphs]
    doc.paragraphs = [p for p in paragraphs if p.strip()]
    doc.title, doc.description = scrub(doc.title), scrub(doc.description)
    doc.site_name, doc.date_raw, doc.url = scrub(doc.site_name), scrub(doc.date_raw), scrub(doc.url)
    doc.authors = [a for a in map(scrub, doc.authors) if a.strip()]
    doc.removed = [Removal(r.category, scrub(r.text), r.rule) for r in doc.removed]
    if removed:
        doc.notes.append(f"removed {removed} control characters from the cleaned fields")


def _beyond_parser_depth(html: str) -> bool:
    """Whether libxml2 stopped reading ``html`` at its nesting limit."""
    parser = etree.HTMLParser(no_network=True, recover=True)
    try:
        etree.fromstring(html, parser)
    except etree.Error:
        return False
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


def _clean_html(doc: Document, html: str, config: Config, reference_date: date | None) -> None:
    # one parse serves both: metadata only reads the tree, extraction then prunes it
    tree = parse_html(html)
    meta = extract_html_metadata(html, url=doc.url, reference_date=reference_date, config=config, tree=tree)
    extracted = extract_html(html, config, url=meta.url or doc.url, tree=tree)
    doc.url = doc.url or meta.url
    doc.title, doc.description = meta.title, meta.description
    doc.authors = list(meta.authors)
    doc.date_published, doc.date_raw = meta.date_published, meta.date_raw
    doc.site_name = meta.site_name
    doc.removed.extend(extracted.removed)
    doc.paragraphs = _drop_title_repeat(extracted.paragraphs, doc)


def _clean_plain_text(doc: Document, text: str, config: Config, reference_date: date | None) -> None:
    # every renderer's layout made paragraphs first: the region model and the rules judge those
    layout = normalise_layout(text, config)
    doc.notes.extend(layout.notes)
    doc.removed.extend(layout.removed)
    region = locate_article(layout.text, config)
    doc.removed.extend(region.removed)
    cleaned = clean_text(region.text, config)
    doc.removed.extend(cleaned.removed)
    doc.paragraphs = cleaned.paragraphs
    doc.title, doc.description = cleaned.title, cleaned.description
    doc.site_name = cleaned.site_name
    doc.authors = normalise_authors(cleaned.byline, site_name=cleaned.site_name, config=config) \
        if cleaned.byline else []
    doc.date_raw = cleaned.date_raw


def _resolve_text_date(doc: Document, config: Config, reference_date: date | None) -> None:
    """The dateline of a text input as ISO 8601, read in the body's language when known."""
    if doc.kind == "html" or not doc.date_raw:
        return
    languages = [doc.language] if doc.language else None
    parsed = parse_date(doc.date_raw, reference_date=reference_date, languages=languages, config=config)
    doc.date_published = parsed.iso if parsed else None


def _drop_title_repeat(paragraphs: list[str], doc: Document) -> list[str]:
    """The title is a field, not text: drop (and record) a leading paragraph that only repeats it.

    Extraction already drops repeats of the page's title sources; this catches the chosen
    headline once site-name affixes are gone from it.
    """
    if paragraphs and doc.title and " ".join(paragraphs[0].split()) == " ".join(doc.title.split()):
        doc.remove("title", paragraphs[0], "title_field_repeat.v1")
        return paragraphs[1:]
    return paragraphs
