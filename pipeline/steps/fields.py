"""The steps every input ends with, whatever its kind: control characters out, the language."""
from __future__ import annotations

from pipeline.config import Config
from pipeline.decoding import strip_controls
from pipeline.document import Document, Removal
from pipeline.language import detect_language
from pipeline.steps.base import Step

_PRELOAD_TEXT = "The council met on Tuesday to vote on the budget for the coming year."


class ScrubControls(Step):
    """Drop control characters from every field: the last guard, whatever a parser produced."""

    name = "scrub_controls"

    def apply(self, doc: Document) -> None:
        scrub_controls(doc)


def scrub_controls(doc: Document) -> None:
    """Drop control characters from every field of ``doc`` (and blank paragraphs and authors)."""
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


class DetectLanguage(Step):
    """ISO 639-1 code and probability of the body, langdetect seeded."""

    name = "language"

    def __init__(self, config: Config) -> None:
        self.settings = config.settings.language
        # Language profiles load on first use; loaded here, no document's budget pays for
        # them, and no timeout can leave langdetect half-initialised for the rest of the run.
        detect_language(_PRELOAD_TEXT, self.settings)

    def apply(self, doc: Document) -> None:
        doc.language, doc.language_score = detect_language(doc.text, self.settings)
