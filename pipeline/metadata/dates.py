"""Publication dates: datelines and date fields to ISO 8601, and a page's date chosen among its
structured fields, its URL, htmldate's search and the dateline under the headline.

Month names, weekday names and relative-date words are dateparser's job.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterator
from urllib.parse import urlsplit

import dateparser
from lxml.html import HtmlElement

from pipeline.config import Config
from pipeline.metadata.jsonld import JsonLd
from pipeline.metadata.markup import (attribute_words, element_text, field_text, headline_wrappers, marked_elements,
                                      meta_values,
                                      outside_article)
from pipeline.metadata.rules import DateRules, HtmlMetaRules, load_metadata_rules
from pipeline.metadata.strings import clean_space

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class ParsedDate:
    """A date found in text: ``iso`` is None when it is a date that cannot be resolved."""

    iso: str | None
    raw: str


# ---------------------------------------------------------------- date text

def _strip_labels(text: str, rules: DateRules) -> str:
    for _ in range(3):
        stripped = rules.label.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    return text


def _date_segments(body: str, rules: DateRules) -> list[str]:
    """Texts to try, in order: with two dates or more, the date spans, those labelled as
    updates last ("Updated March 6 | Published March 5"); else the whole text, its
    separated segments, then the spans."""
    matches = sorted((m for pattern in rules.spans for m in pattern.finditer(body)), key=lambda m: m.start())
    spans: list[tuple[str, bool]] = []
    previous_end = 0
    for m in matches:
        if m.start() < previous_end:
            continue  # a shorter pattern inside a span already taken
        updated = bool(rules.updated_label.search(body[previous_end:m.start()]))
        spans.append((m.group(0).strip(), updated))
        previous_end = m.end()
    if len(spans) > 1:
        texts = [text for text, updated in spans if not updated] + [text for text, updated in spans if updated]
    else:
        segments = [s.strip() for s in rules.segment_separators.split(body) if s and s.strip()]
        texts = [body] + segments + [text for text, _ in spans]
    out = [_strip_labels(text, rules) for text in texts]
    return [text for text in dict.fromkeys(out) if text and any(ch.isalnum() for ch in text)]


def find_date_span(text: str, *, config: Config | None = None) -> tuple[int, int] | None:
    """Start and end of the first date-shaped span in ``text`` (numeric or with a month word)."""
    rules = load_metadata_rules(config).dates
    if not any(ch.isdigit() for ch in text):
        return None  # every span pattern holds a day or a year
    found = [m for pattern in rules.spans for m in [pattern.search(text)] if m]
    for m in sorted(found, key=lambda m: m.start()):
        if _is_date(m.group(0), rules):
            return m.start(), m.end()
    return None


@lru_cache(maxsize=8192)
def _is_date(span: str, rules: DateRules) -> bool:
    """Whether a date-shaped span is a date dateparser reads; memoised (sites repeat their datelines)."""
    return _dateparser(span, None, None, _date_order(span, None, rules), rules) is not None


# a fixed date a weekday name is tried before: the answer depends on the word alone
_PROBE_DAY = "01.01.2020"


def is_weekday(word: str, date_text: str, rules: DateRules) -> bool:
    """Whether ``word`` is a weekday name: a capitalised word that changes nothing before a date."""
    word = word.strip(",.")
    if len(word) < 2 or not word[:1].isupper() or any(ch.isdigit() for ch in word):
        return False
    return _is_weekday_word(word, rules)


@lru_cache(maxsize=4096)
def _is_weekday_word(word: str, rules: DateRules) -> bool:
    """One dateparser call per distinct word: prefixed to a fixed day, it leaves that day."""
    with_word = _dateparser(f"{word}, {_PROBE_DAY}", None, None, "DMY", rules)
    return with_word is not None and with_word.date() == date(2020, 1, 1)


def _iso_from(text: str) -> datetime | date | None:
    if not _ISO.match(text):
        return None
    value = text.replace("Z", "+00:00").replace(" ", "T")
    if re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None


def _date_order(text: str, languages: list[str] | None, rules: DateRules) -> str | None:
    if rules.day_first_pattern.search(text):
        return "DMY"
    if languages:
        first = languages[0].casefold()
        if first in rules.day_first_locales or first.split("-")[0] != "en":
            return "DMY"
        return "MDY"
    return None


def _dateparser(text: str, languages: list[str] | None, base: datetime | None,
                order: str | None, rules: DateRules) -> datetime | None:
    """dateparser with our settings, in the caller's languages first and the configured
    fallback set only when they find nothing (one language costs a quarter of the set;
    detecting among all of dateparser's locales would cost seconds per process)."""
    settings: dict = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    if order:
        settings["DATE_ORDER"] = order
    own = list(dict.fromkeys(lang.split("-")[0] for lang in languages or []))
    # the fallbacks catch a page that misstates its language
    fallbacks = [lang for lang in rules.fallback_languages if lang not in own]
    for langs in (own, fallbacks) if own else (fallbacks,):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                found = dateparser.parse(text, languages=langs, settings=settings)
            except (ValueError, OverflowError, TypeError, AttributeError):
                found = None
        if found is not None:
            return found
    return None


def _reference_base(reference: date | datetime | None) -> datetime | None:
    if reference is None:
        return None
    if isinstance(reference, datetime):
        return reference.replace(tzinfo=None)
    # a day reference: the end of that day, so "3 hours ago" stays on it
    return datetime.combine(reference, time(23, 59, 59))


def _format(value: datetime, with_time: bool) -> str:
    if not with_time:
        return value.date().isoformat()
    return value.replace(microsecond=0).isoformat()


def parse_date(text: str, *, reference_date: date | None = None,
               languages: list[str] | None = None, config: Config | None = None) -> ParsedDate | None:
    """The date in a dateline or date field, as ISO 8601; None when the text holds no date.

    Labels ("Published:", "Posted", "Stand:") are dropped; a date with a clock time gives a
    datetime, with the UTC offset only when the text names a zone or offset; relative dates
    ("1 month ago", "vor 3 Tagen") are resolved against ``reference_date`` and unresolved
    (``iso`` None) without it, as is any date after ``reference_date``. ``languages`` (ISO
    639-1 or locales like "en-GB") fix the language and the day/month order.
    """
    if not isinstance(text, str):
        return None
    return _parse_date(text, reference_date, tuple(languages) if languages else None,
                       load_metadata_rules(config).dates)


@lru_cache(maxsize=8192)
def _parse_date(text: str, reference_date: date | None, languages: tuple[str, ...] | None,
                rules: DateRules) -> ParsedDate | None:
    """``parse_date``, memoised: pages repeat their date fields, and a site its datelines."""
    languages = list(languages) if languages else None
    raw = clean_space(text)
    if not raw or len(raw) > rules.max_chars:
        return None
    body = _strip_labels(raw, rules)
    parsed = _iso_from(body)
    relative = False
    with_time = False
    if parsed is not None:
        with_time = isinstance(parsed, datetime)
    else:
        base = _reference_base(reference_date)
        probe_base = (base or datetime.now()) - timedelta(days=1)
        for segment in _date_segments(raw, rules):
            order = _date_order(segment, languages, rules)
            found = _dateparser(segment, languages, base, order, rules)
            if found is None:
                continue
            # a date that moves with the base date is relative ("1 month ago", "yesterday"); one
            # that names its year is not, and needs no second call
            relative = False
            if not _YEAR.search(segment):
                probe = _dateparser(segment, languages, probe_base, order, rules)
                relative = probe is not None and probe.replace(tzinfo=None) != found.replace(tzinfo=None)
            if relative:
                with_time = bool(rules.relative_time_units.search(segment)) and isinstance(reference_date, datetime)
            else:
                with_time = bool(rules.time.search(segment)) or found.tzinfo is not None
            parsed = found
            break
        if parsed is None:
            return None
        if relative and base is None:
            return ParsedDate(iso=None, raw=raw)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    if day.year < rules.min_year:
        return ParsedDate(iso=None, raw=raw)  # a placeholder such as 0001-01-01
    if reference_date is not None:
        ref_day = reference_date.date() if isinstance(reference_date, datetime) else reference_date
        if day > ref_day:
            return ParsedDate(iso=None, raw=raw)
    if isinstance(parsed, datetime):
        return ParsedDate(iso=_format(parsed, with_time), raw=raw)
    return ParsedDate(iso=parsed.isoformat(), raw=raw)


# ---------------------------------------------------------------- a page's date

def date_languages(hint: str | None) -> list[str] | None:
    """The languages to read a page's dates in, from its language hint ("de-DE"), or None."""
    if not hint:
        return None
    code = hint.split(",")[0].strip().lower()
    if not re.fullmatch(r"[a-z]{2}(?:-[a-z]{2})?", code):
        return None
    # dateparser knows the languages; the locale only orders numeric day and month
    return [code]


# The sources of a page's date, each giving its first date that parses; the order in which
# they are trusted is configuration (``[metadata.html] date_sources``), measured on dev.
JSONLD, META, TIME, URL, HTMLDATE, TEXT = "jsonld", "meta", "time", "url", "htmldate", "text"
DATE_SOURCES = (JSONLD, META, TIME, URL, HTMLDATE, TEXT)
# sources that write a time of day when the page has one (URL and htmldate give a day)
_TIMED = (JSONLD, META, TIME, TEXT)


@dataclass(frozen=True)
class FoundDate:
    """One source's date for a page: ISO 8601, the text it was read from, and the source."""

    iso: str
    raw: str
    source: str


def _time_candidates(tree: HtmlElement, rules: HtmlMetaRules) -> Iterator[str]:
    """``<time datetime>`` and elements whose class or id names a date, inside the article.

    The headline's own wrappers do not put a date outside the article: a layout class
    ("sfn-sidebar-fixed--contain sfn-article-content") that also holds the h1 says nothing
    of the date under it."""
    wrappers = headline_wrappers(tree)
    for element in tree.iter("time"):
        parent = element.getparent()
        words = attribute_words(element) + " " + (attribute_words(parent) if parent is not None else "")
        if rules.date_exclude.search(words) or outside_article(element, rules, wrappers):
            continue
        if element.get("datetime"):
            yield element.get("datetime")
    body = tree.find("body")
    for element in marked_elements(body, rules.date_attribute) if body is not None else ():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta"):
            continue
        words = attribute_words(element)
        if not words or not rules.date_attribute.search(words) or rules.date_exclude.search(words):
            continue
        if outside_article(element, rules, wrappers):
            continue
        value = element.get("datetime") or element.get("content") or element_text(element)
        if value and len(value) <= 120:
            yield value


def _url_date(url: str | None, rules: HtmlMetaRules) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in rules.url_date:
        m = pattern.search(path)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                continue
    return None


class PageDates:
    """The dates one page's sources give, each read on first use and kept."""

    def __init__(self, html: str, tree: HtmlElement, fields: dict[str, list[str]], jsonld: JsonLd,
                 url: str | None, reference_date: date | None, languages: list[str] | None,
                 rules: HtmlMetaRules, config: Config | None):
        self.html, self.tree, self.fields, self.jsonld, self.url = html, tree, fields, jsonld, url
        self.reference_date, self.languages, self.rules, self.config = reference_date, languages, rules, config
        self._found: dict[str, FoundDate | None] = {}
        self._searched: tuple[str | None, ...] = ()  # htmldate's answer, once asked

    def get(self, source: str) -> FoundDate | None:
        """The date ``source`` gives for the page, or None."""
        if source not in self._found:
            self._found[source] = self._read(source)
        return self._found[source]

    def _first_parsed(self, source: str, candidates: Iterator[str]) -> FoundDate | None:
        for candidate in candidates:
            parsed = parse_date(candidate, reference_date=self.reference_date, languages=self.languages,
                                config=self.config)
            if parsed is not None and parsed.iso is not None:
                return FoundDate(parsed.iso, parsed.raw, source)
        return None

    def _read(self, source: str) -> FoundDate | None:
        if source == JSONLD:
            return self._first_parsed(source, iter(self.jsonld.dates))
        if source == META:
            return self._first_parsed(source, (v for _, v in meta_values(self.fields, self.rules.date_meta)))
        if source == TIME:
            return self._first_parsed(source, _time_candidates(self.tree, self.rules))
        if source == URL:
            day = _url_date(self.url, self.rules)
            if day and self.reference_date is not None and day > self.reference_date.isoformat():
                return None
            return FoundDate(day, day, source) if day else None
        if source == HTMLDATE:
            day = self.searched_day()
            return FoundDate(day, day, source) if day and self._publication_day(day) else None
        if source == TEXT:
            found = _text_date(self.tree, self.reference_date, self.languages, self.rules, self.config)
            return FoundDate(found[0], found[1], source) if found else None
        raise ValueError(f"unknown date source {source!r}")

    def searched_day(self) -> str | None:
        """htmldate's own answer for the page, before ``_publication_day`` judges it (what
        "htmldate alone" is measured by)."""
        if not self._searched:
            self._searched = (_htmldate(self.html, self.url, self.reference_date),)
        return self._searched[0]

    def _publication_day(self, day: str) -> bool:
        """Whether htmldate's day may be the publication day: not the day a meta field marks
        as a modification ("article:modified_time", "og:updated_time") unless a published
        field names it too, and not a 1 January no other source names (a year made a day,
        from "© 2026")."""
        named = {f.iso[:10] for f in map(self.get, (JSONLD, META, TIME, URL, TEXT)) if f is not None}
        if day in named:
            return True
        if day.endswith("-01-01"):
            return False
        for key, values in self.fields.items():
            if self.rules.date_exclude.search(re.sub(r"[:.]", " ", key)):
                for value in values:
                    parsed = parse_date(value, reference_date=self.reference_date, config=self.config)
                    if parsed is not None and parsed.iso is not None and parsed.iso[:10] == day:
                        return False
        return True


def decide_date(dates: PageDates, order: tuple[str, ...], url_overrules_after_days: int) -> FoundDate | None:
    """The publication date: the first source of ``order`` that gives one, unless the URL's
    full date is ``url_overrules_after_days`` or more earlier (URLs keep the first publication
    day of a page re-stamped on an update). A day-only winner takes the time of day of a
    structured field that names the same day, so a time is kept when the page gives one and
    never made up."""
    found = next((f for f in map(dates.get, order) if f is not None), None)
    from_url = dates.get(URL) if URL in order else None
    if from_url is not None and found is not None and found.source != URL and \
            (date.fromisoformat(found.iso[:10]) - date.fromisoformat(from_url.iso)).days >= url_overrules_after_days:
        found = from_url
    if found is None:
        return None
    found = _resolve_day_month(found, dates)
    if len(found.iso) > 10:
        return _with_known_zone(found, dates)
    timed = next((t for t in map(dates.get, _TIMED) if t is not None and t.iso[:10] == found.iso and len(t.iso) > 10),
                 None)
    return FoundDate(timed.iso, found.raw, found.source) if timed else found


# a numeric date whose first two numbers could each be the day or the month ("02-12-2025")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})(?!\d)")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:\d{2})$")


def _resolve_day_month(found: FoundDate, dates: PageDates) -> FoundDate:
    """An ambiguous numeric date read in the other order when another of the page's sources
    names that other day and none names the day as read: "02-12-2025" on an English page is
    2 December when the page's markup or URL says 2025-12-02 (the language alone cannot tell
    a British page from an American one)."""
    if not _ambiguous(found.raw):
        return found
    try:
        swapped = date.fromisoformat(found.iso[:10])
        swapped = swapped.replace(month=swapped.day, day=swapped.month).isoformat()
    except ValueError:
        return found
    # a source that read the same kind of text in the same order is no second opinion
    others = [d.iso[:10] for d in map(dates.get, DATE_SOURCES)
              if d is not None and d.source != found.source and not _ambiguous(d.raw)]
    if swapped in others and found.iso[:10] not in others:
        return FoundDate(swapped + found.iso[10:], found.raw, found.source)
    return found


def _ambiguous(raw: str) -> bool:
    """Whether ``raw`` holds a numeric date whose day and month could be swapped ("03/10/2023")."""
    m = _NUMERIC_DATE.search(raw)
    return m is not None and not _ISO.match(raw.strip()) and m.group(1) != m.group(2) \
        and all(1 <= int(g) <= 12 for g in m.groups())


def _with_known_zone(found: FoundDate, dates: PageDates) -> FoundDate:
    """A zone-less time takes the offset of a structured field that names the same minute:
    the page's own zone, not an assumed one."""
    if _OFFSET.search(found.iso):
        return found
    zoned = next((t for t in map(dates.get, _TIMED) if t is not None and t.iso[:16] == found.iso[:16]
                  and _OFFSET.search(t.iso)), None)
    return FoundDate(zoned.iso, found.raw, found.source) if zoned else found


def _text_date(tree: HtmlElement, reference_date: date | None, languages: list[str] | None,
               rules: HtmlMetaRules, config: Config | None) -> tuple[str, str] | None:
    """The first full date written in the text right after the headline (a dateline), not
    an update's; without one, a date written right above the headline ("January 23, 2025"
    as a pre-headline)."""
    body = tree.find("body")
    if body is None:
        return None
    start = next(iter(body.iter("h1")), None)
    wrappers = headline_wrappers(tree)
    above: list[tuple[HtmlElement, str, bool]] = []  # (element, text, its own text?) before the headline, nearest last
    seen = 0
    started = start is None
    for element in body.iter():
        if seen > rules.text_date_window_chars:
            break
        if element is start:
            started = True
            continue
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript"):
            continue
        outside = None  # read once for the element's text and its tail
        for own, text in ((True, element.text), (False, element.tail)):
            text = field_text(text)
            if not text:
                continue
            if not started:
                above.append((element, text, own))  # judged below, only while near the headline
                continue
            if outside is None:
                outside = outside_article(element, rules, wrappers)
            if outside:
                continue
            found = _dateline(text, reference_date, languages, rules, config)
            if found:
                return _machine_readable(element, found, reference_date, config) if own else found
            seen += len(text)
            if seen > rules.text_date_window_chars:
                break
    near = 0
    for element, text, own in reversed(above):
        if outside_article(element, rules, wrappers):
            continue
        near += len(text)
        if near > rules.text_date_above_chars:
            break
        found = _dateline(text, reference_date, languages, rules, config)
        if found:
            return _machine_readable(element, found, reference_date, config) if own else found
    return None


def _machine_readable(element: HtmlElement, found: tuple[str, str], reference_date: date | None,
                      config: Config | None) -> tuple[str, str]:
    """A dateline written inside ``<time datetime>`` as that attribute gives it: the
    machine-readable form of the text, with the time and zone the text leaves out."""
    if element.tag != "time" or not element.get("datetime"):
        return found
    parsed = parse_date(element.get("datetime"), reference_date=reference_date, config=config)
    return (parsed.iso, parsed.raw) if parsed is not None and parsed.iso is not None else found


def _dateline(text: str, reference_date: date | None, languages: list[str] | None, rules: HtmlMetaRules,
              config: Config | None) -> tuple[str, str] | None:
    """The date of one text of the page, as (ISO, raw), unless it is labelled an update's or
    sits inside a sentence."""
    date_rules = load_metadata_rules(config).dates
    span = find_date_span(text, config=config)
    if span is None or date_rules.updated_label.search(text[: span[0]]):
        return None
    if len(text) > date_rules.max_chars and span[0] > rules.text_date_prose_offset_chars:
        return None  # a date the prose mentions
    # a short line goes whole, so parse_date sees its labels; a long one by its date
    line = text if len(text) <= date_rules.max_chars else text[span[0]:span[1]]
    parsed = parse_date(line, reference_date=reference_date, languages=languages, config=config)
    return (parsed.iso, parsed.raw) if parsed is not None and parsed.iso is not None else None


def warm_up_htmldate() -> None:
    """Load htmldate's own dateparser, which reads every locale on its first free-text date
    (about 4 s of CPU once per process), so that no document's time budget pays for it."""
    from htmldate.extractors import _external_date

    _external_date("Budget vote 12")


def _htmldate(html: str, url: str | None, reference_date: date | None) -> str | None:
    """htmldate's original-date search, extensive (free text included), over markup and URL: a day."""
    from htmldate import find_date

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            kwargs = {"max_date": reference_date.isoformat()} if reference_date else {}
            return find_date(html, url=url, original_date=True, extensive_search=True, **kwargs)
        except (ValueError, TypeError):
            return None
