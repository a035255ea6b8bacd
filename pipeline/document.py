"""The one document type that flows through the pipeline, and the reject that ends one."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.html import HtmlElement


# the clock part of an ISO 8601 date_published: minutes, optional seconds, optional offset
_CLOCK = re.compile(r"T\d{2}:\d{2}(?P<seconds>:\d{2}(?:\.\d+)?)?(?P<offset>Z|[+-]\d{2}:\d{2})?$")


def date_precision(iso: str | None) -> str | None:
    """How fine an ISO 8601 ``date_published`` is: "day", "minute" or "second"; None without one."""
    if not iso:
        return None
    clock = _CLOCK.search(iso)
    if clock is None:
        return "day"
    return "second" if clock["seconds"] else "minute"


def date_zone_known(iso: str | None) -> bool | None:
    """Whether a ``date_published`` with a time of day names its offset; None for a day or no date."""
    clock = _CLOCK.search(iso or "")
    return None if clock is None else clock["offset"] is not None


@dataclass(frozen=True)
class Removal:
    """A piece of text taken out of the article: what, why (category) and which rule."""

    category: str
    text: str
    rule: str

    def as_dict(self) -> dict:
        return {"category": self.category, "text": self.text, "rule": self.rule}


@dataclass(frozen=True)
class Origin:
    """What an input says of itself, passed to its record as given (record fields of the same names).

    ``source_id`` is the user's own id of a JSONL line (``[inputs.jsonl] id_field``);
    ``meta`` every field of the line that no mapping names; the ``warc_*`` fields the
    WARC-Record-ID, WARC-Date and WARC-Target-URI headers of the capture.
    """

    source_id: str | None = None
    meta: dict = field(default_factory=dict)
    warc_record_id: str | None = None
    warc_date: str | None = None
    warc_target_uri: str | None = None


@dataclass
class RawInput:
    """One input document as read from disk, before any cleaning.

    ``kind`` is ``"html"`` or ``"text"``; ``content`` is already decoded to str.
    ``notes`` carries what reading had to do that a user should know (lossy decode...).
    ``origin`` what the input says of itself that the record passes on untouched: the
    user's id and other fields of a JSONL line, a WARC record's id, date and target URI.
    """

    source: str
    content: str
    kind: str
    url: str | None = None
    reference_date: date | None = None
    notes: list[str] = field(default_factory=list)
    origin: Origin = field(default_factory=Origin)

    @property
    def id(self) -> str:
        """Stable id: the same source path with the same content gives the same id."""
        digest = hashlib.sha256()
        digest.update(self.source.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(self.content.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:16]


@dataclass
class Reject:
    """An input that could not become a record, with a reason code a person can act on."""

    source: str
    reason: str
    message: str

    def as_dict(self) -> dict:
        return {"source": self.source, "reason": self.reason, "message": self.message}


@dataclass
class Work:
    """What the steps cleaning one document hand each other; never part of the record.

    ``content`` is the input as the next step reads it (the safe HTML; the article region
    of a text), ``tree`` the parsed page (extraction prunes it in place), ``page_url`` the
    page's own address (its canonical link first) and ``byline`` a text's byline line
    before it becomes authors.
    """

    content: str
    reference_date: date | None = None
    tree: HtmlElement | None = None
    page_url: str | None = None
    byline: str | None = None
    # a text's headline is read from the whole laid-out dump (it often sits above the region),
    # its markdown level-1 headings and the region's first line
    page: str | None = None
    headings: tuple[str, ...] = ()
    region_first: str | None = None
    # what the text chrome rules said of each line text: the chrome step's lines and the
    # metadata step's (the lines around the article) are often the same lines
    line_rules: dict = field(default_factory=dict)


@dataclass
class Document:
    """A cleaned article: metadata, body paragraphs and the audit trail of removals."""

    id: str
    source: str
    url: str | None = None
    kind: str = "text"
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_raw: str | None = None
    site_name: str | None = None
    language: str | None = None
    language_score: float | None = None
    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    duplicate_of: str | None = None
    notes: list[str] = field(default_factory=list)
    origin: Origin = field(default_factory=Origin)
    # set by the steps' runner while the document is cleaned, None on a finished one
    work: Work | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def date_precision(self) -> str | None:
        """"day", "minute" or "second", read from ``date_published`` so the two never disagree."""
        return date_precision(self.date_published)

    @property
    def date_zone_known(self) -> bool | None:
        """Whether ``date_published``'s time has an offset (None: a day, or no date)."""
        return date_zone_known(self.date_published)

    def remove(self, category: str, text: str, rule: str) -> None:
        self.removed.append(Removal(category, text, rule))

    def as_record(self) -> dict:
        """The JSON record written to the output, in a fixed key order."""
        return {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "description": self.description,
            "authors": list(self.authors),
            "date_published": self.date_published,
            "date_precision": self.date_precision,
            "date_zone_known": self.date_zone_known,
            "date_raw": self.date_raw,
            "site_name": self.site_name,
            "language": self.language,
            "language_score": self.language_score,
            "text": self.text,
            "removed": [r.as_dict() for r in self.removed],
            "duplicate_of": self.duplicate_of,
            "notes": list(self.notes),
            "source_id": self.origin.source_id,
            "warc_record_id": self.origin.warc_record_id,
            "warc_date": self.origin.warc_date,
            "warc_target_uri": self.origin.warc_target_uri,
            "meta": dict(self.origin.meta),
        }
