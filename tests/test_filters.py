"""[filters]: each filter leaves a document out as one reject with its own reason and message."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.cleaner import Cleaner
from pipeline.config import ConfigError, load_config
from pipeline.document import Document, RawInput, Reject

PAGE = ("<html><head><title>Bridge to close</title>"
        '<meta property="article:published_time" content="2025-03-05T22:30:00-06:00"></head><body><article>'
        "<p>The council voted on Tuesday to close the old bridge to heavy traffic, citing a report that "
        "found cracks in two of its supporting piers.</p><p>Engineers said repairs would take at least "
        "eight months and cost about four million dollars.</p></article></body></html>")
URL = "https://www.example.com/news/2025/bridge"


def _cleaner(**filters) -> Cleaner:
    return Cleaner.from_config(load_config(None, {"filters": filters} if filters else None))


def _clean(cleaner: Cleaner, url: str | None = URL, content: str = PAGE) -> Document | Reject:
    return cleaner.clean(RawInput(source="p.html", content=content, kind="html", url=url,
                                  reference_date=date(2025, 3, 10)))


def _reject(result) -> tuple[str, str, str]:
    assert isinstance(result, Reject), result
    return result.source, result.reason, result.message


def test_every_filter_is_off_by_default():
    doc = _clean(_cleaner())
    assert isinstance(doc, Document)
    assert (doc.language, doc.date_published, len(doc.text.split())) == ("en", "2025-03-05T22:30:00-06:00", 40)


def test_language_allow_list():
    assert isinstance(_clean(_cleaner(languages=["en", "de"])), Document)
    assert _reject(_clean(_cleaner(languages=["de", "fr"]))) == (
        "p.html", "filtered_language", "language 'en' is not in [filters] languages ['de', 'fr']")


def test_a_body_too_short_to_tell_its_language_is_kept_unless_asked():
    short = "<html><body><article><p>Bridge shut.</p></article></body></html>"
    assert _clean(_cleaner(languages=["en"]), content=short).language is None
    assert _reject(_clean(_cleaner(languages=["en"], keep_unknown_language=False), content=short)) == (
        "p.html", "filtered_language",
        "the body is too short to tell its language, and [filters] keep_unknown_language is false")


def test_minimum_words():
    assert isinstance(_clean(_cleaner(min_words=40)), Document)
    assert _reject(_clean(_cleaner(min_words=41))) == (
        "p.html", "filtered_length", "the text has 40 words, fewer than [filters] min_words = 41")


def test_publication_date_range_reads_the_day_the_page_gives():
    # 22:30 at -06:00 is already March 6 in UTC; the page's own day is March 5
    assert isinstance(_clean(_cleaner(date_from="2025-03-05", date_to="2025-03-05")), Document)
    assert _reject(_clean(_cleaner(date_from="2025-03-06"))) == (
        "p.html", "filtered_date", "published 2025-03-05, before [filters] date_from 2025-03-06")
    assert _reject(_clean(_cleaner(date_to="2025-03-04"))) == (
        "p.html", "filtered_date", "published 2025-03-05, after [filters] date_to 2025-03-04")


def test_undated_documents_are_kept_unless_asked():
    undated = PAGE.replace('<meta property="article:published_time" content="2025-03-05T22:30:00-06:00">', "")
    assert _clean(_cleaner(date_from="2025-01-01"), content=undated).date_published is None
    assert _reject(_clean(_cleaner(date_from="2025-01-01", keep_undated=False), content=undated)) == (
        "p.html", "filtered_date", "the document has no publication date, and [filters] keep_undated is false")


def test_url_and_host_filters_run_before_cleaning():
    cleaner = _cleaner(host_exclude=["example.com"])
    assert _reject(_clean(cleaner)) == (
        "p.html", "filtered_url", "host www.example.com is excluded by [filters] host_exclude 'example.com'")
    assert sum(cleaner.stats.calls.values()) == 0  # no step ran: a filtered page costs nothing
    assert _reject(_clean(_cleaner(host_include=["example.org", "news.example.com"]))) == (
        "p.html", "filtered_url", "host www.example.com is not under any host of [filters] host_include")
    assert _reject(_clean(_cleaner(url_exclude=["/(sport|video)/"]), url="https://example.com/sport/x")) == (
        "p.html", "filtered_url", "the URL https://example.com/sport/x matches [filters] url_exclude '/(sport|video)/'")
    assert _reject(_clean(_cleaner(url_include=["/news/"]), url="https://example.com/blog/x")) == (
        "p.html", "filtered_url", "the URL https://example.com/blog/x matches none of [filters] url_include")
    kept = _cleaner(host_include=["EXAMPLE.com"], url_include=["/news/"], url_exclude=["/sport/"])
    assert isinstance(_clean(kept), Document)


def test_a_page_without_its_own_url_is_checked_on_its_canonical_link():
    canonical = PAGE.replace("<title>", '<link rel="canonical" href="https://blog.example.net/b"><title>')
    assert _reject(_clean(_cleaner(host_include=["example.com"]), url=None, content=canonical)) == (
        "p.html", "filtered_url", "host blog.example.net is not under any host of [filters] host_include")
    assert _reject(_clean(_cleaner(url_include=["/news/"]), url=None)) == (
        "p.html", "filtered_url", "the document has no URL to match [filters] url_include")
    assert isinstance(_clean(_cleaner(url_exclude=["/news/"]), url=None), Document)


@pytest.mark.parametrize("filters, message", [
    ({"date_from": "2025-13-01"}, "command line: [filters] date_from: '2025-13-01' is not a day in YYYY-MM-DD form"),
    ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "command line: [filters] date_from must not be after date_to"),
    ({"host_include": ["https://example.com"]}, "command line: [filters.host_include[0]] Expected `str` matching "
     "regex '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$'"),
    ({"url_exclude": ["(a+)+$"]}, "command line: [filters] url_exclude[0]: regex '(a+)+$' nests unbounded "
     "quantifiers, which can backtrack without end; bound the inner or the outer one"),
])
def test_a_bad_filter_stops_the_configuration(filters, message):
    with pytest.raises(ConfigError) as error:
        load_config(None, {"filters": filters})
    assert str(error.value) == message
