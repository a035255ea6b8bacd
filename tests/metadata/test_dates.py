"""Tests for pipeline.metadata.dates: real-world datelines and date fields in many languages,
with exact outputs."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.metadata.dates import ParsedDate, parse_date


DATELINES = [
    # (dateline or date field, reference date, languages, expected ISO or None when unresolved)
    ("Published: March 5, 2025, 5:48 pm", None, None, "2025-03-05T17:48:00"),
    ("Posted Mar 5, 2025 5:23 PM CST", None, None, "2025-03-05T17:23:00-06:00"),
    ("Updated 10:23 AM EST, Wed March 5, 2025", None, ["en"], "2025-03-05T10:23:00-05:00"),
    ("Wednesday 5 March 2025 17.48 GMT", None, ["en"], "2025-03-05T17:48:00+00:00"),
    ("March 5, 2025", None, None, "2025-03-05"),
    ("Dec. 4, 2023", None, ["en"], "2023-12-04"),
    ("On 5 March 2025", None, ["en"], "2025-03-05"),
    ("1 month ago", None, None, None),
    ("1 month ago", date(2025, 4, 5), None, "2025-03-05"),
    ("yesterday", date(2025, 3, 6), ["en"], "2025-03-05"),
    ("3 hours ago", date(2025, 3, 5), ["en"], "2025-03-05"),
    ("5. März 2025", None, None, "2025-03-05"),
    ("5. März 2025", None, ["de"], "2025-03-05"),
    ("Veröffentlicht am 05.03.2025, 17:48 Uhr", None, ["de"], "2025-03-05T17:48:00"),
    ("Stand: 05.03.2025 17:48 Uhr", None, ["de"], "2025-03-05T17:48:00"),
    ("05.03.2025", None, None, "2025-03-05"),
    ("12.03.2021 | 14:30", None, None, "2021-03-12T14:30:00"),
    ("vor 3 Tagen", date(2025, 3, 8), ["de"], "2025-03-05"),
    ("vor 3 Tagen", None, ["de"], None),
    ("Publié le 5 mars 2025 à 17h48", None, ["fr"], "2025-03-05T17:48:00"),
    ("Mis à jour le 06/03/2025 à 09h12", None, ["fr"], "2025-03-06T09:12:00"),
    ("il y a 3 jours", date(2025, 3, 8), ["fr"], "2025-03-05"),
    ("Publicado el 5 de marzo de 2025", None, ["es"], "2025-03-05"),
    ("hace 2 días", date(2025, 3, 7), ["es"], "2025-03-05"),
    ("4 dicembre 2023", None, ["it"], "2023-12-04"),
    ("04-12-2023", None, ["nl"], "2023-12-04"),
    ("5 марта 2025", None, ["ru"], "2025-03-05"),
    ("2025年3月5日", None, ["zh"], "2025-03-05"),
    ("05/03/2025", None, ["en"], "2025-05-03"),
    ("05/03/2025", None, ["en-GB"], "2025-03-05"),
    ("05/03/2025", None, ["de"], "2025-03-05"),
    ("2025-03-05T17:48:00+01:00", None, None, "2025-03-05T17:48:00+01:00"),
    ("2025-03-05T16:48:00Z", None, None, "2025-03-05T16:48:00+00:00"),
    ("2025-03-05T17:48:00.000+0100", None, None, "2025-03-05T17:48:00+01:00"),
    ("2025-03-05", None, None, "2025-03-05"),
    ("5 March 2030", date(2025, 3, 6), ["en"], None),
    ("Von Deutscher Tennis Bund 4. 2. 2022.", None, ["de"], "2022-02-04"),
    ("Updated March 6, 2025 | Published March 5, 2025", None, ["en"], "2025-03-05"),
    ("March 5, 2025 (updated March 6, 2025)", None, ["en"], "2025-03-05"),
    ("Aktualisiert am 06.03.2025, veröffentlicht am 05.03.2025", None, ["de"], "2025-03-05"),
    ("Stand: 06.03.2025 | Erstellt: 05.03.2025", None, ["de"], "2025-03-05"),
    ("0001-01-01T00:00:00+00:00", None, None, None),
]


@pytest.mark.parametrize("text, reference, languages, expected", DATELINES)
def test_parse_date(text, reference, languages, expected):
    assert parse_date(text, reference_date=reference, languages=languages) == ParsedDate(iso=expected, raw=text)


@pytest.mark.parametrize("text", ["Barak Ravid", "Jobs", "", "Share this article", "2 min read"])
def test_parse_date_without_a_date(text):
    assert parse_date(text) is None


# ---------------------------------------------------------------- a page's date, by source order

from pipeline.metadata import dates as dates_module  # noqa: E402
from pipeline.metadata.dates import DATE_SOURCES, FoundDate, decide_date  # noqa: E402


def _sources(**given: str | tuple[str, str]) -> dict[str, FoundDate | None]:
    """A page's dates by source, as ``decide_date`` reads them (``PageDates.get``): an ISO
    string, or (ISO, the text it was read from)."""
    pairs = {s: v if isinstance(v, tuple) else (v, v) for s, v in given.items()}
    return {s: FoundDate(*pairs[s], s) if s in pairs else None for s in DATE_SOURCES}


ORDER = ("jsonld", "meta", "time", "url", "htmldate", "text")
DECISIONS = [
    # (what each source gives, order, URL-overrule days, expected (iso, source) or None)
    ({"meta": "2025-03-05T17:48:00+02:00", "htmldate": "2025-03-04"}, ORDER, 30,
     ("2025-03-05T17:48:00+02:00", "meta")),
    ({"meta": "2025-03-05T17:48:00+02:00", "htmldate": "2025-03-04"}, ("htmldate",) + ORDER[:4], 30,
     ("2025-03-04", "htmldate")),
    # a day-only winner takes the time of a structured field of the same day...
    ({"time": "2025-03-05T09:00:00", "htmldate": "2025-03-05"}, ("htmldate", "time"), 30,
     ("2025-03-05T09:00:00", "htmldate")),
    # ...and stays a day when none names that day with a time: no time is made up
    ({"time": "2025-03-06T09:00:00", "htmldate": "2025-03-05"}, ("htmldate", "time"), 30, ("2025-03-05", "htmldate")),
    # a URL date 30 days or more earlier overrules a re-stamped structured date
    ({"jsonld": "2025-06-01T10:00:00+00:00", "url": "2025-03-05"}, ORDER, 30, ("2025-03-05", "url")),
    ({"jsonld": "2025-03-20T10:00:00+00:00", "url": "2025-03-05"}, ORDER, 30, ("2025-03-20T10:00:00+00:00", "jsonld")),
    ({"text": "2025-03-05"}, ORDER, 30, ("2025-03-05", "text")),
    ({}, ORDER, 30, None),
    # an ambiguous numeric date takes the other reading when another source names only that day
    # (playfultones.com: <time datetime="02-12-2025"> read month-first, htmldate 2025-12-02)...
    ({"time": ("2025-02-12", "02-12-2025"), "htmldate": "2025-12-02"}, ORDER, 30, ("2025-12-02", "time")),
    ({"text": ("2023-03-10T09:15:00", "03/10/2023 9:15"), "url": "2023-10-03"}, ("text", "url"), 30,
     ("2023-10-03T09:15:00", "text")),
    # ...not when nothing else speaks, when the same text read the same way is the only other
    # voice, when the read day is named too, nor for a date that cannot be read the other way
    ({"time": ("2025-02-12", "02-12-2025")}, ORDER, 30, ("2025-02-12", "time")),
    ({"time": ("2025-02-12", "02-12-2025"), "text": ("2025-02-12", "02-12-2025")}, ORDER, 30, ("2025-02-12", "time")),
    ({"time": ("2025-02-12", "02-12-2025"), "htmldate": "2025-12-02", "jsonld": "2025-02-12T08:00:00+00:00"},
     ORDER, 30, ("2025-02-12T08:00:00+00:00", "jsonld")),
    ({"time": ("2025-02-12", "02-12-2025"), "htmldate": "2025-12-02", "jsonld": "2025-02-12"},
     ("time", "htmldate", "jsonld"), 30, ("2025-02-12", "time")),
    ({"time": ("2025-02-13", "02-13-2025"), "htmldate": "2025-12-02"}, ORDER, 30, ("2025-02-13", "time")),
    ({"time": ("2025-02-12", "2025-02-12"), "htmldate": "2025-12-02"}, ORDER, 30, ("2025-02-12", "time")),
    # a zone-less time takes the offset of a structured field naming the same minute, no other
    ({"text": ("2022-01-25T14:47:00", "25.01.2022 14:47 Uhr"), "jsonld": "2022-01-25T14:47:35+01:00"},
     ("text", "jsonld"), 30, ("2022-01-25T14:47:35+01:00", "text")),
    ({"text": ("2022-01-25T14:47:00", "25.01.2022 14:47 Uhr"), "jsonld": "2022-01-25T15:47:00+01:00"},
     ("text", "jsonld"), 30, ("2022-01-25T14:47:00", "text")),
]


@pytest.mark.parametrize("given, order, days, expected", DECISIONS)
def test_decide_date_by_source_order(given, order, days, expected):
    found = decide_date(_sources(**given), order, days)
    assert (None if found is None else (found.iso, found.source)) == expected


def test_dateparser_tries_the_pages_language_before_the_fallbacks(monkeypatch):
    calls = []
    real = dates_module.dateparser.parse

    def spy(text, languages=None, settings=None):
        calls.append(list(languages))
        return real(text, languages=languages, settings=settings)

    monkeypatch.setattr(dates_module.dateparser, "parse", spy)
    rules = dates_module.load_metadata_rules().dates
    assert dates_module._dateparser("5. März 2025", ["de"], None, "DMY", rules).date() == date(2025, 3, 5)
    assert calls == [["de"]]
    calls.clear()
    # a page that misstates its language: the fallbacks, without the language already tried
    assert dates_module._dateparser("March 5, 2025", ["ja"], None, None, rules).date() == date(2025, 3, 5)
    assert calls == [["ja"], [lang for lang in rules.fallback_languages if lang != "ja"]]


def test_parse_date_is_memoised_per_text_reference_and_languages(monkeypatch):
    dates_module._parse_date.cache_clear()
    calls = []
    real = dates_module.dateparser.parse
    monkeypatch.setattr(dates_module.dateparser, "parse",
                        lambda text, **kw: calls.append(text) or real(text, **kw))
    first = parse_date("Published: March 5, 2025, 5:48 pm", languages=["en"])
    count = len(calls)
    again = parse_date("Published: March 5, 2025, 5:48 pm", languages=["en"])
    assert (first, again, len(calls)) == (ParsedDate("2025-03-05T17:48:00", "Published: March 5, 2025, 5:48 pm"),
                                          first, count)
    parse_date("Published: March 5, 2025, 5:48 pm", languages=["en"], reference_date=date(2025, 3, 1))
    assert len(calls) > count  # another reference date is another question
