"""Metadata normalisation: bylines to person names, datelines to ISO 8601, titles without site names.

The patterns live in ``configs/rules/metadata.toml`` (section ``metadata``); this module holds
the mechanisms. Month names, weekday names and relative-date words are dateparser's job.
"""
from __future__ import annotations

import html
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Pattern

import dateparser

from pipeline import schema
from pipeline.config import Config, load_config

_FLAGS = re.IGNORECASE | re.UNICODE
_URL = re.compile(r"(?:https?://|www\.)\S+", _FLAGS)
# a match starts where a run of address characters starts (the lookbehind): tried from
# every character of a long run, the pattern was quadratic in the line's length
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+\s*(?:@|\[at\]|\(at\)|\{at\})\s*[\w-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[\w-]+)+", _FLAGS)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}", _FLAGS)
_EMPTY_BRACKETS = re.compile(r"[(\[{]\s*[)\]}]")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_EDGE_PUNCT = " \t\"'“”„«»‘’,;:.|/\\-–—·•*()[]{}©®"


@dataclass(frozen=True)
class AuthorRules:
    """Compiled byline rules: what to strip around names and what is not a person."""

    prefix: Pattern[str]
    ui_wrappers: tuple[Pattern[str], ...]
    role_suffixes: tuple[Pattern[str], ...]
    credit_part: Pattern[str]
    separators: Pattern[str]
    org_words: frozenset[str]
    drop_exact: frozenset[str]
    particles: frozenset[str]
    site_articles: frozenset[str]
    max_words: int


@dataclass(frozen=True)
class DateRules:
    """Compiled dateline rules: labels to drop, time detection, segmenting and order hints."""

    label: Pattern[str]
    updated_label: Pattern[str]
    segment_separators: Pattern[str]
    time: Pattern[str]
    relative_time_units: Pattern[str]
    spans: tuple[Pattern[str], ...]
    day_first_pattern: Pattern[str]
    day_first_locales: frozenset[str]
    fallback_languages: tuple[str, ...]
    min_year: int
    max_chars: int


@dataclass(frozen=True)
class TitleRules:
    """Separators between headline and site name, and how long a site name may be."""

    separators: tuple[str, ...]
    max_site_words: int


@dataclass(frozen=True)
class BylineRules:
    """Text-mode byline detection."""

    line: Pattern[str]
    max_chars: int


@dataclass(frozen=True)
class MetadataRules:
    """All metadata rules, parsed once per configuration."""

    authors: AuthorRules
    dates: DateRules
    titles: TitleRules
    bylines: BylineRules


@dataclass(frozen=True)
class ParsedDate:
    """A date found in text: ``iso`` is None when it is a date that cannot be resolved."""

    iso: str | None
    raw: str


def _compile(pattern: str, flags: int = _FLAGS) -> Pattern[str]:
    return re.compile(pattern, flags)


def _folded(words: list[str]) -> frozenset[str]:
    return frozenset(w.casefold() for w in words)


def build_metadata_rules(table: schema.Metadata) -> MetadataRules:
    """Compile the ``metadata`` rule file (checked when the configuration was loaded)."""
    a, d, t, b = table.authors, table.dates, table.titles, table.bylines
    authors = AuthorRules(
        prefix=_compile(a.prefix),
        ui_wrappers=tuple(_compile(p) for p in a.ui_wrappers),
        role_suffixes=tuple(_compile(p) for p in a.role_suffixes),
        credit_part=_compile(a.credit_part),
        # conjunctions are lower case; a capital "E" is a middle initial, not Portuguese "and"
        separators=_compile(a.separators, re.UNICODE),
        org_words=_folded(a.org_words),
        drop_exact=_folded(a.drop_exact),
        particles=_folded(a.particles),
        site_articles=_folded(a.site_articles),
        max_words=a.max_words,
    )
    dates = DateRules(
        label=_compile(d.label),
        updated_label=_compile(d.updated_label),
        segment_separators=_compile(d.segment_separators),
        time=_compile(d.time),
        relative_time_units=_compile(d.relative_time_units),
        spans=tuple(_compile(p) for p in d.spans),
        day_first_pattern=_compile(d.day_first_pattern),
        day_first_locales=_folded(d.day_first_locales),
        fallback_languages=tuple(d.fallback_languages),
        min_year=d.min_year,
        max_chars=d.max_chars,
    )
    return MetadataRules(authors=authors, dates=dates,
                         titles=TitleRules(separators=tuple(t.separators), max_site_words=t.max_site_words),
                         bylines=BylineRules(line=_compile(b.line), max_chars=b.max_chars))


@lru_cache(maxsize=1)
def default_config() -> Config:
    """The packaged configuration, loaded once per process."""
    return load_config()


def load_metadata_rules(config: Config | None = None) -> MetadataRules:
    """The compiled metadata rules of ``config`` (the packaged defaults when None)."""
    config = config or default_config()
    return config.built("metadata", lambda: build_metadata_rules(config.rules.metadata))


# ---------------------------------------------------------------- text helpers

def _clean_space(text: str) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text))
    return " ".join(text.replace("\u200b", " ").split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def comparison_key(text: str) -> str:
    """Comparison key: case-folded letters and digits only, accents dropped."""
    # \W keeps what str.isalnum keeps, but combining accents (Mn) are non-word too
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", text.casefold()))


# ---------------------------------------------------------------- authors

def _strip_edges(text: str) -> str:
    stripped = text.strip(_EDGE_PUNCT)
    # a closing bracket that closes one inside stays: "Anna Schmidt (dpa)" is cut by a role rule
    for opening, closing in ("()", "[]"):
        if text.rstrip().endswith(closing) and stripped.count(opening) > stripped.count(closing):
            return stripped + closing
    # keep the period of a final abbreviation or initial ("Perry Bacon Jr.", "John F.")
    if stripped and text.rstrip().rstrip(_EDGE_PUNCT.replace(".", "")).endswith(stripped + "."):
        last = stripped.split()[-1] if stripped.split() else ""
        if len(last) <= 2:
            return stripped + "."
    return stripped


def _unwrap(text: str, rules: AuthorRules) -> str:
    """Strip UI wrappers and byline prefixes, repeatedly ("By: Author: X")."""
    for _ in range(3):
        before = text
        for wrapper in rules.ui_wrappers:
            m = wrapper.match(text)
            if m:
                text = _strip_edges(m.group("name"))
        text = _strip_edges(rules.prefix.sub("", text, count=1))
        if text == before:
            break
    return text


def _cut_roles(text: str, rules: AuthorRules) -> str:
    for _ in range(3):
        before = text
        for suffix in rules.role_suffixes:
            text = _strip_edges(suffix.sub("", text))
        if text == before:
            break
    return text


def _site_keys(site_name: str, articles: frozenset[str]) -> set[str]:
    """Comparison keys of a site name: its letters, without a leading article ("The Telegraph"),
    and for a domain its name without "www." and TLD and its longest hyphenated part."""
    keys = {comparison_key(site_name)}
    words = site_name.split()
    if len(words) > 1 and words[0].casefold() in articles:
        keys.add(comparison_key(" ".join(words[1:])))
    text = site_name.strip().casefold()
    if "." in text and " " not in text:
        labels = [label for label in text.split(".") if label and label not in ("www", "m", "amp")]
        if len(labels) >= 2:
            keys.add(comparison_key(".".join(labels[:-1])))
            longest = max(labels[:-1], key=len)
            keys.add(comparison_key(longest))
            keys.add(comparison_key(max(longest.split("-"), key=len)))
    return {k for k in keys if len(k) >= 3}


def _is_site(name: str, site_name: str | None, articles: frozenset[str]) -> bool:
    """Whether ``name`` is the site: the same letters ("newser.com", "FreeWestMedia"), the
    site's name and more ("Newser Staff"), or the site's first words ("Eurosport" of
    "Eurosport Deutschland")."""
    if not site_name or not comparison_key(name):
        return False
    keys = _site_keys(site_name, articles)
    if comparison_key(name) in keys or any(len(k) >= 4 and comparison_key(name).startswith(k) for k in keys):
        return True
    name_words = [k for k in (comparison_key(w) for w in name.split()) if k]
    site_words = [k for k in (comparison_key(w) for w in site_name.split()) if k]
    shorter = min(len(name_words), len(site_words))
    return shorter > 0 and name_words[:shorter] == site_words[:shorter]


def _name_ok(name: str, rules: AuthorRules, site_name: str | None, config: Config | None = None) -> bool:
    if not name or name.casefold() in rules.drop_exact:
        return False
    words = name.split()
    if len(words) > rules.max_words or any(ch in name for ch in "!?:=<>{}#"):
        return False
    if not any(ch.isalpha() for ch in name) or words[0][0].isdigit():
        return False
    if any(ch.isdigit() for ch in name) and parse_date(name, config=config) is not None:
        return False  # "vor 5 Stunden", "Nov 9, 2023" in a byline element
    return not _is_organisation(name, rules, site_name)


def _is_organisation(name: str, rules: AuthorRules, site_name: str | None) -> bool:
    """Whether ``name`` holds an organisation word ("Staff", "Reuters", "GmbH") or is the site."""
    tokens = [_strip_edges(w).casefold() for w in re.split(r"[\s/]+", name)]
    return any(tok in rules.org_words for tok in tokens) or _is_site(name, site_name, rules.site_articles)


def _tidy_case(name: str) -> str:
    """Title-case a multi-word name written in capitals ("JOHN SMITH" -> "John Smith"); a
    name printed twice in one element ("Kathrin Führes Kathrin Führes") once."""
    words = name.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half >= 1 and words[:half] == words[half:]:
        words = words[:half]
        name = " ".join(words)
    if len(words) >= 2 and name.isupper():
        return " ".join(w.capitalize() if len(w) > 2 or not w.endswith(".") else w for w in words)
    return name


def _cut_at_date(text: str, config: Config | None) -> str:
    """The byline without a date in it: the text before the date (and a weekday right before
    it, "Thursday,"), or after it when the date comes first."""
    rules = load_metadata_rules(config).dates
    span = find_date_span(text, config=config)
    if span is None:
        return text
    date_text = text[span[0]:span[1]]
    words = text[: span[0]].split()
    while words and _is_weekday(words[-1], date_text, rules):
        words.pop()
    before = " ".join(words).strip(_EDGE_PUNCT)
    after = text[span[1]:].strip(_EDGE_PUNCT)
    # "Posted on 2015-04-05 by marc": the names may follow the date
    return f"{before} ; {after}" if before and after else before or after


def _is_weekday(word: str, date_text: str, rules: DateRules) -> bool:
    """Whether ``word`` is a weekday name: a capitalised word that changes nothing before a date."""
    word = word.strip(",.")
    if len(word) < 2 or not word[:1].isupper() or any(ch.isdigit() for ch in word):
        return False
    alone = _dateparser(date_text, None, None, None, rules)
    with_word = _dateparser(f"{word}, {date_text}", None, None, None, rules)
    return alone is not None and with_word is not None and with_word.date() == alone.date()


def _split_names(text: str, rules: AuthorRules) -> list[tuple[str, str]]:
    """The parts of a byline, each with the separator before it ("" for the first)."""
    parts, position, before = [], 0, ""
    for m in rules.separators.finditer(text):
        parts.append((text[position:m.start()], before))
        before, position = m.group(0).strip(), m.end()
    parts.append((text[position:], before))
    return parts


def _names_from(text: str, rules: AuthorRules, site_name: str | None,
                config: Config | None = None) -> list[str]:
    """The person names of one byline string."""
    text = _clean_space(text)
    text = _HANDLE.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text)))
    text = _clean_space(_EMPTY_BRACKETS.sub(" ", text))
    text = _cut_roles(_unwrap(_strip_edges(_cut_at_date(text, config)), rules), rules)
    found: list[tuple[str, bool]] = []  # (name, follows a comma)
    dropped_organisation = False
    for part, before in _split_names(text, rules):
        if rules.credit_part.match(_strip_edges(part)):
            continue
        part = _strip_edges(_cut_roles(_unwrap(_strip_edges(part), rules), rules))
        if _name_ok(part, rules, site_name, config):
            found.append((_tidy_case(part), before == ","))
        elif part and _is_organisation(part, rules, site_name):
            dropped_organisation = True
    return _drop_places_and_codes(found, dropped_organisation)


def _drop_places_and_codes(found: list[tuple[str, bool]], beside_organisation: bool) -> list[str]:
    """Drop what only looks like a name because of where it stands in the byline."""
    full_names = any(len(name.split()) > 1 for name, _ in found)
    if beside_organisation and not full_names:
        # "Reuters, Washington": beside an agency, one capitalised word is the dateline's place
        found = [(name, comma) for name, comma in found if not name[:1].isupper()]
    if len(found) > 1 and not all(_agency_code(name) for name, _ in found):
        # "Peter Maahn/SP-X": a short code in capitals beside a name is an agency
        found = [(name, comma) for name, comma in found if not _agency_code(name)]
    if full_names:
        # "Von Katrin Elger, Hamburg": one capitalised word after a comma, beside full names, is a place
        found = [(name, comma) for name, comma in found
                 if not (comma and len(name.split()) == 1 and name[:1].isupper())]
    return [name for name, _ in found]


def _agency_code(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return " " not in name and name.isupper() and len(letters) <= 5


def normalise_authors(raw: str | list[str] | None, *, site_name: str | None = None,
                      config: Config | None = None) -> list[str]:
    """Person names from a byline or author field(s), in order, without duplicates.

    Strips prefixes ("By", "Von", "Par"), roles and employers ("Staff Writer", "for Daily
    Mail", "| Reuters"), e-mails, handles, URLs and UI text; drops organisations and the
    site itself (``site_name``).
    """
    rules = load_metadata_rules(config).authors
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            continue
        for name in _names_from(item, rules, site_name, config):
            key = comparison_key(name)
            if key and key not in seen:
                seen.add(key)
                out.append(name)
    return out


def is_person_name(text: str, *, config: Config | None = None) -> bool:
    """Whether ``text`` is shaped like a person's name: 2-5 capitalised words, particles aside."""
    rules = load_metadata_rules(config).authors
    words = _clean_space(text).split()
    if len(words) == 1 and 2 <= len(words[0]) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in words[0]):
        return True  # a Chinese name is written as one run of two to four characters
    if not 2 <= len(words) <= rules.max_words:
        return False
    capitals = 0
    for word in words:
        if word.casefold() in rules.particles:
            continue
        head = word.lstrip("'’(\"")
        if not head or not head[0].isupper() or any(ch.isdigit() for ch in head):
            return False
        capitals += 1
    return capitals >= 2 and _name_ok(" ".join(words), rules, None, config)


def looks_like_byline(line: str, *, config: Config | None = None) -> bool:
    """Whether a text line is a byline: a byline prefix followed by person-shaped names."""
    rules = load_metadata_rules(config)
    text = _clean_space(line).lstrip(_EDGE_PUNCT)
    if not text or len(text) > rules.bylines.max_chars or not rules.bylines.line.match(text):
        return False
    names = normalise_authors(text, config=config)
    return bool(names) and all(is_person_name(n, config=config) or len(n.split()) == 1 for n in names) \
        and any(is_person_name(n, config=config) for n in names)


# ---------------------------------------------------------------- dates

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
    found = [m for pattern in rules.spans for m in [pattern.search(text)] if m]
    for m in sorted(found, key=lambda m: m.start()):
        if _dateparser(m.group(0), None, None, _date_order(m.group(0), None, rules), rules) is not None:
            return m.start(), m.end()
    return None


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
    """dateparser with our settings, trying ``languages`` then the configured fallback set
    (detecting among all of dateparser's locales would cost seconds per process)."""
    settings: dict = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    if order:
        settings["DATE_ORDER"] = order
    # the caller's languages first; the fallbacks after them catch a page that misstates its language
    langs = list(dict.fromkeys([lang.split("-")[0] for lang in languages or []] + list(rules.fallback_languages)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return dateparser.parse(text, languages=langs, settings=settings)
        except (ValueError, OverflowError, TypeError, AttributeError):
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
    rules = load_metadata_rules(config).dates
    if not isinstance(text, str):
        return None
    raw = _clean_space(text)
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
            # a date that moves with the base date is relative ("1 month ago", "yesterday")
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


# ---------------------------------------------------------------- titles

def _extra_words(part: str, site_key: str) -> int | None:
    """How many words of ``part`` follow its first words that spell ``site_key``, or None."""
    words = [k for k in (comparison_key(w) for w in part.split()) if k]
    spelled = ""
    for index, word in enumerate(words):
        spelled += word
        if spelled == site_key:
            return len(words) - index - 1
        if not site_key.startswith(spelled):
            return None
    return None


def _matches_site(part: str, site_name: str, articles: frozenset[str]) -> bool:
    """Whether a title affix names the site: its letters, or the site's name and at most two
    more words ("brand eins online" for brandeins.de, "Bundeskanzleramt Österreich")."""
    a = comparison_key(part)
    if not a:
        return False
    for b in _site_keys(site_name, articles):
        if a == b:
            return True
        extra = _extra_words(part, b) if len(b) >= 3 else None
        if extra is not None and extra <= 2:
            return True
        # the affix is the site's first words: "Eurosport" for "Eurosport Deutschland"
        if len(a) >= 4 and _extra_words(site_name, a) is not None:
            return True
    return False


def _strip_site_name(text: str, site_name: str, separators: tuple[str, ...]) -> str:
    """Cut a site name that itself holds separators ("My Daily Magazine - Art, Design")."""
    folded, site = text.casefold(), site_name.strip().casefold()
    for separator in separators:
        if folded.endswith(separator.casefold() + site) and len(text) > len(site) + len(separator):
            return text[: len(text) - len(site) - len(separator)].strip()
        if folded.startswith(site + separator.casefold()) and len(text) > len(site) + len(separator):
            return text[len(site) + len(separator):].strip()
    return text


def _unquote(text: str) -> str:
    """A headline wholly inside quotes loses them ("«Gute Löhne alleine reichen nicht»")."""
    pairs = {"«": "»", "»": "«", "“": "”", "„": "“", '"': '"', "‘": "’", "'": "'", "‹": "›"}
    if len(text) > 2 and text[0] in pairs and text[-1] == pairs[text[0]] \
            and text.count(text[0]) + text.count(text[-1]) == (1 if text[0] == text[-1] else 0) + 2:
        return text[1:-1].strip()
    return text


def _is_date_text(text: str, config: Config | None) -> bool:
    if not any(ch.isdigit() for ch in text) or len(text) > 40:
        return False
    parsed = parse_date(text, config=config)
    return parsed is not None and parsed.raw == _clean_space(text) and find_date_span(text, config=config) is not None


def _strip_date_affix(text: str, separators: tuple[str, ...], config: Config | None) -> str:
    """Drop a date before or after the headline ("23.01.2022 - Headline")."""
    for separator in separators:
        first, sep, rest = text.partition(separator)
        if sep and rest.strip() and _is_date_text(first.strip(), config):
            return rest.strip()
        head, sep, last = text.rpartition(separator)
        if sep and head.strip() and _is_date_text(last.strip(), config):
            return head.strip()
    return text


def clean_title(title: str, site_name: str | None = None, *, config: Config | None = None) -> str:
    """The headline without site-name prefixes or suffixes ("... - FIT FOR FUN", "Site | Title").

    With ``site_name`` an affix is cut when it matches the site; without, a short trailing
    affix after a strong separator (" | ", " - ") is cut when the headline is clearly longer.
    """
    rules = load_metadata_rules(config).titles
    articles = load_metadata_rules(config).authors.site_articles
    text = _clean_space(title or "")
    if not text:
        return ""
    if site_name:
        text = _strip_site_name(text, _clean_space(site_name), rules.separators)
    changed = True
    while changed:
        changed = False
        for separator in rules.separators:
            if separator not in text:
                continue
            # suffix: "Headline | Site"
            head, _, tail = text.rpartition(separator)
            head, tail = head.strip(), tail.strip()
            if head and tail and site_name and _matches_site(tail, site_name, articles):
                text, changed = head, True
                break
            # prefix: "Site | Headline"
            first, _, rest = text.partition(separator)
            first, rest = first.strip(), rest.strip()
            if first and rest and site_name and _matches_site(first, site_name, articles):
                text, changed = rest, True
                break
            # inside: "Headline - Site - Slogan" keeps what comes before the site
            parts = [p.strip() for p in text.split(separator)]
            inner = [i for i in range(1, len(parts) - 1) if site_name and _matches_site(parts[i], site_name, articles)]
            if inner:
                text, changed = separator.join(parts[: inner[0]]).strip(), True
                break
    if site_name and _matches_site(text, site_name, articles):
        return _clean_space(title)
    if not site_name:
        text = _strip_generic_suffix(text, rules)
    return _unquote(_strip_date_affix(text, rules.separators, config))


def _strip_generic_suffix(text: str, rules: TitleRules) -> str:
    for separator in (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » "):
        if separator not in rules.separators or separator not in text:
            continue
        head, _, tail = text.rpartition(separator)
        head, tail = head.strip(), tail.strip()
        if head and tail and len(tail.split()) <= min(4, rules.max_site_words) \
                and len(head.split()) >= 2 * len(tail.split()) and len(head.split()) >= 3:
            return head
    return text
