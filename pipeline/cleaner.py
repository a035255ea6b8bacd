"""One input document in, one cleaned Document or one Reject out: the Cleaner runs the steps."""
from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Sequence

from lxml import etree

from pipeline.config import Config, ConfigError
from pipeline.document import Document, RawInput, Reject, Work
from pipeline.filters import DocumentFilters
from pipeline.steps import HTML_STEPS, TEXT_STEPS
from pipeline.steps.base import Step

NO_ARTICLE_TEXT = "no_article_text"
TIME_BUDGET_EXCEEDED = "time_budget_exceeded"
CLEANING_ERROR = "cleaning_error"
MARKUP_TOO_DEEP = "markup_too_deep"

_REPEAT_SECONDS = 0.05


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


@dataclass
class StepStats:
    """Documents each step saw and the CPU seconds it took, by step name, over a Cleaner's life."""

    calls: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)

    def add(self, name: str, seconds: float) -> None:
        self.calls[name] += 1
        self.seconds[name] += seconds


@dataclass(frozen=True)
class Cleaner:
    """Settings parsed once per run and the steps built from them, applied to each document."""

    config: Config
    html_steps: tuple[Step, ...]
    text_steps: tuple[Step, ...]
    time_budget: float
    reference_date: date | None = None
    stats: StepStats = field(default_factory=StepStats, compare=False)
    filters: DocumentFilters | None = None

    @classmethod
    def from_config(cls, config: Config, reference_date: date | None = None, *,
                    html_steps: Sequence[type[Step]] = HTML_STEPS,
                    text_steps: Sequence[type[Step]] = TEXT_STEPS) -> "Cleaner":
        """A Cleaner running ``html_steps`` on pages and ``text_steps`` on texts, each built once."""
        return cls(
            config=config,
            html_steps=tuple(step(config) for step in html_steps),
            text_steps=tuple(step(config) for step in text_steps),
            time_budget=float(config.settings.limits.document_time_budget),
            reference_date=reference_date,
            filters=DocumentFilters.from_config(config),
        )

    def clean(self, raw: RawInput) -> Document | Reject:
        """Clean one input; never raises for a bad document, it becomes a Reject instead.

        A ConfigError does raise: it is the run's configuration, not the document, that
        is wrong, and every other document would fail alike. A document the [filters]
        leave out is a reject with the filter's reason: by its URL before any cleaning,
        by language, length or date after it.
        """
        filtered = self.filters.before_cleaning(raw) if self.filters else None
        if filtered:
            return filtered
        budget = Budget()
        try:
            with time_budget(self.time_budget) as budget:
                steps = self.html_steps if raw.kind == "html" else self.text_steps
                doc = run_steps(raw, steps, raw.reference_date or self.reference_date, self.stats)
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
        return (self.filters.after_cleaning(raw, doc) if self.filters else None) or doc

    def _timed_out(self, raw: RawInput) -> Reject:
        return Reject(raw.source, TIME_BUDGET_EXCEEDED, f"cleaning took longer than {self.time_budget:g} s; "
                      "raise [limits] document_time_budget in a --config file to allow more")


def run_steps(raw: RawInput, steps: Sequence[Step], reference_date: date | None, stats: StepStats) -> Document:
    """Apply ``steps`` in order to a new Document for ``raw``, timing each one."""
    doc = Document(id=raw.id, source=raw.source, url=raw.url, kind=raw.kind, notes=list(raw.notes),
                   origin=raw.origin)
    doc.work = Work(content=raw.content, reference_date=reference_date)
    for step in steps:
        started = time.process_time()
        step.apply(doc)
        stats.add(step.name, time.process_time() - started)
    doc.work = None  # the tree and the working text go with the run, not with the record
    return doc


def _beyond_parser_depth(html: str) -> bool:
    """Whether libxml2 stopped reading ``html`` at its nesting limit."""
    parser = etree.HTMLParser(no_network=True, recover=True)
    try:
        etree.fromstring(html, parser)
    except etree.Error:
        return False
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
