"""Chrome learned from the corpus: site keys, fingerprints, per-site counts and removal."""
from __future__ import annotations

import msgspec
import json
from pathlib import Path

import pytest

from conftest import overlay_config
from pipeline.config import ConfigError, load_config
from pipeline.document import Removal
from pipeline.dedup.site_repeated import (FINGERPRINT_SKETCH, SiteRepeatedRules, SiteStats, document_fingerprints,
                                 paragraph_fingerprints, remove_site_repeated, site_key)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "site_stats"
RULES = load_config().rules.site_repeated
FOOTER = "Support our journalism: become a member today and keep local news free for everyone."


def _article(n: int) -> list[str]:
    """A distinct made-up article body of three paragraphs."""
    return [f"Council vote number {n}: the {['north', 'south', 'east', 'west', 'river'][n % 5]} ward "
            f"approved plan {chr(65 + n)}.",
            f"Residents of street {chr(70 + n)} spoke for {['an hour', 'a day', 'a week'][n % 3]} "
            f"about plan {chr(65 + n)}.",
            f"The {['mayor', 'clerk', 'judge', 'sheriff', 'treasurer'][n % 5]} will answer on case {chr(75 + n)}."]


def _batch(pages: dict[str, list[list[str]]]) -> tuple[SiteStats, dict]:
    """Count a batch given as {site: [paragraphs of each page]}; return stats and the pages."""
    stats = SiteStats.for_rules(RULES)
    for site, docs in sorted(pages.items()):
        for n, paragraphs in enumerate(docs):
            stats.add_document(site, document_fingerprints(paragraphs), f"{site}/{n}")
    return stats, pages


def _clean(stats: SiteStats, site: str, paragraphs: list[str]) -> tuple[list[str], list[Removal]]:
    return remove_site_repeated(paragraphs, stats.repeated(site, RULES), RULES)


# site_key

@pytest.mark.parametrize("url, site_name, source, expected", [
    ("https://WWW.Example.COM:8080/news/a.html", "Ignored", "x/a.txt", "example.com"),
    ("http://news.bbc.co.uk/1/hi/a.stm", None, "a.txt", "news.bbc.co.uk"),
    ("example.org/path/page", None, "a.txt", "example.org"),
    (None, "Free West Media", "siteA/a.txt", "siteA"),
    ("", None, "siteA/sub/a.txt", "siteA"),
    (None, "  The  Detroit NEWS ", "a.txt", "the detroit news"),
    (None, None, "dump.jsonl#3", ""),
    (None, None, "a.txt", ""),
    (None, " ", "/abs.txt", ""),
])
def test_site_key_prefers_url_then_folder_then_site_name(url, site_name, source, expected):
    assert site_key(url=url, site_name=site_name, source=source) == expected


# fingerprints

def test_fingerprints_ignore_case_spacing_punctuation_and_numbers():
    a, b, c = paragraph_fingerprints(["© 2023 The Daily Item. All rights reserved.",
                                      "©  2024 the daily item — all rights reserved",
                                      "© 2023 The Daily Post. All rights reserved."])
    assert a == b != c
    assert len(a) == 16 and int(a, 16) >= 0


def test_fingerprints_are_stable_across_runs():
    assert paragraph_fingerprints(["Learn More"]) == ["ae60ef6efd5006f0"]


def test_document_fingerprints_count_lines_of_multi_line_paragraphs_once():
    fps = document_fingerprints(["Home\nNews\nSport", "Home", "Body text."])
    para, home, news, sport, body = paragraph_fingerprints(["Home\nNews\nSport", "Home", "News", "Sport",
                                                            "Body text."])
    assert fps == sorted({para, home, news, sport, body})


# the "Done when": a footer over three pages of one site goes, one page keeps it

def test_footer_repeated_over_three_pages_of_a_site_is_removed_there_only():
    stats, pages = _batch({
        "a.example": [_article(n) + [FOOTER] for n in range(3)],
        "b.example": [_article(n + 3) + [FOOTER] for n in range(2)],
    })
    for n in range(3):
        kept, removed = _clean(stats, "a.example", pages["a.example"][n])
        assert kept == _article(n)
        assert removed == [Removal("site_repeated", FOOTER, "site_repeated.v1")]
    # the other site has the same footer on two pages only: below min_documents
    for n in range(2):
        assert _clean(stats, "b.example", pages["b.example"][n]) == (_article(n + 3) + [FOOTER], [])


def test_footer_on_one_page_of_the_site_is_kept():
    stats, pages = _batch({"a.example": [_article(0) + [FOOTER]],
                           "b.example": [_article(n) + [FOOTER] for n in range(1, 4)]})
    assert stats.repeated("a.example", RULES) == frozenset()
    assert _clean(stats, "a.example", pages["a.example"][0]) == (_article(0) + [FOOTER], [])


def test_persisted_stats_of_an_earlier_run_teach_a_later_one():
    earlier, _ = _batch({"a.example": [_article(n) + [FOOTER] for n in range(2)]})
    today = SiteStats.from_json(json.loads(json.dumps(earlier.to_json())))
    page = _article(7) + [FOOTER]
    today.add_document("a.example", document_fingerprints(page), "a.example/today")
    assert _clean(today, "a.example", page) == (_article(7), [Removal("site_repeated", FOOTER, "site_repeated.v1")])


def test_footer_other_rules_took_off_some_pages_still_counts():
    stats = SiteStats()
    for n in range(2):  # another rule already removed the footer from these two pages
        stats.add_document("a.example", document_fingerprints(_article(n) + [FOOTER]), f"a.example/{n}")
    survivor = _article(2) + [FOOTER]
    stats.add_document("a.example", document_fingerprints(survivor), "a.example/2")
    assert _clean(stats, "a.example", survivor) == (_article(2), [Removal("site_repeated", FOOTER, "site_repeated.v1")])


def test_documents_without_a_site_are_not_counted():
    stats = SiteStats()
    for n in range(5):
        stats.add_document("", document_fingerprints([FOOTER]), str(n))
    assert stats.sites() == [] and stats.repeated("", RULES) == frozenset()


# guards

def test_near_copies_of_one_article_keep_their_body():
    body = _article(0)
    stats, pages = _batch({"a.example": [body + [FOOTER], body + [FOOTER], body + ["An added line.", FOOTER]]})
    # every paragraph but one is "repeated": the page is a copy, not chrome
    assert _clean(stats, "a.example", pages["a.example"][2]) == (body + ["An added line.", FOOTER], [])


def test_long_repeated_paragraph_is_kept():
    long_paragraph = "Background: " + "the dispute over the ward boundaries goes back years. " * 30
    stats, pages = _batch({"a.example": [_article(n) + [long_paragraph] for n in range(3)]})
    assert len(long_paragraph) > RULES.max_chars
    assert _clean(stats, "a.example", pages["a.example"][0]) == (_article(0) + [long_paragraph], [])


def test_repeated_lines_inside_a_multi_line_paragraph_are_removed_alone():
    pages = [_article(n) + [f"Share this story\nFiled under ward {chr(65 + n)}\nMore from the city desk"] for n in range(3)]
    stats, _ = _batch({"a.example": pages})
    kept, removed = _clean(stats, "a.example", pages[1])
    assert kept == _article(1) + ["Filed under ward B"]
    assert removed == [Removal("site_repeated", "Share this story", "site_repeated.v1"),
                       Removal("site_repeated", "More from the city desk", "site_repeated.v1")]


def test_min_share_raises_the_bar_on_big_sites():
    rules = msgspec.structs.replace(RULES, min_share=0.5)
    stats, pages = _batch({"a.example": [_article(n) + ([FOOTER] if n < 3 else []) for n in range(10)]})
    assert stats.documents("a.example") == 10 and stats.count("a.example", paragraph_fingerprints([FOOTER])[0]) == 3
    assert stats.repeated("a.example", rules) == frozenset()
    assert stats.repeated("a.example", RULES) == frozenset(paragraph_fingerprints([FOOTER]))


# counting: idempotent, mergeable, persisted, bounded

def test_recounting_the_same_documents_changes_nothing():
    once, pages = _batch({"a.example": [_article(n) + [FOOTER] for n in range(2)]})
    twice, _ = _batch(pages)
    twice.merge(once)
    twice.merge(SiteStats.from_json(once.to_json()))
    assert twice.to_json() == once.to_json()
    assert twice.repeated("a.example", RULES) == frozenset()


def test_identical_pages_without_ids_count_once():
    stats = SiteStats()
    for _ in range(3):
        stats.add_document("a.example", document_fingerprints(_article(0) + [FOOTER]))
    assert stats.documents("a.example") == 1


def test_merge_of_disjoint_parts_equals_counting_all_at_once():
    pages = [(f"a.example/{n}", _article(n) + [FOOTER]) for n in range(4)] + [("b.example/0", _article(9))]
    whole, left, right = SiteStats(), SiteStats(), SiteStats()
    for n, (page_id, paragraphs) in enumerate(pages):
        site = page_id.split("/")[0]
        whole.add_document(site, document_fingerprints(paragraphs), page_id)
        (left if n < 2 else right).add_document(site, document_fingerprints(paragraphs), page_id)
    left.merge(right)
    assert left.to_json() == whole.to_json()
    assert left.repeated("a.example", RULES) == frozenset(paragraph_fingerprints([FOOTER]))


def test_json_round_trip_is_exact_and_sorted():
    stats, _ = _batch({"b.example": [_article(1)], "a.example": [_article(0) + [FOOTER]]})
    data = stats.to_json()
    assert list(data["sites"]) == ["a.example", "b.example"]
    assert SiteStats.from_json(json.loads(json.dumps(data))).to_json() == data
    with pytest.raises(ValueError):
        SiteStats.from_json({"sites": {}})


def test_counts_beyond_the_sketch_are_estimated():
    stats = SiteStats()
    for n in range(1000):
        stats.add_document("a.example", document_fingerprints([FOOTER, f"story {n} body"]), f"id-{n}")
    footer = paragraph_fingerprints([FOOTER])[0]
    assert len(stats.to_json()["sites"]["a.example"]["fingerprints"][footer]) == FINGERPRINT_SKETCH
    assert 700 <= stats.count("a.example", footer) <= 1300
    assert 800 <= stats.documents("a.example") <= 1200


def test_table_bound_forgets_single_document_fingerprints_only():
    stats = SiteStats(max_fingerprints_per_site=10)
    for n in range(12):
        stats.add_document("a.example", document_fingerprints([FOOTER, f"story {n} body"]), f"id-{n}")
    fingerprints = stats.to_json()["sites"]["a.example"]["fingerprints"]
    assert len(fingerprints) <= 10
    assert stats.count("a.example", paragraph_fingerprints([FOOTER])[0]) == 12


# configuration

@pytest.mark.parametrize("change", [
    {"min_documents": 1}, {"min_documents": 99}, {"min_share": 1.5}, {"min_chars": 0},
    {"max_chars": 0}, {"max_document_share": 1.0}, {"name": "site_repeated"}, {"min_documents": "3"},
    {"min_documents": True}, {"typo_key": 1},
])
def test_bad_rules_are_refused(change, tmp_path):
    with pytest.raises(ConfigError, match=rf"\[site_repeated\] {next(iter(change))}"):
        overlay_config(tmp_path, "site_repeated", **change)


# real pages: two pages of one site share their chrome, not their articles

def test_two_real_pages_of_one_site_lose_only_chrome():
    rules = msgspec.structs.replace(RULES, min_documents=2)
    stats, pages, golds = SiteStats(), {}, {}
    for key in ("detroitnews_65ce3a45", "detroitnews_7de52419"):
        gold = json.loads((FIXTURES / f"{key}.json").read_text(encoding="utf-8"))
        text = (FIXTURES / f"{key}.txt").read_text(encoding="utf-8")
        pages[key] = [line.strip() for line in text.split("\n") if line.strip()]
        golds[key] = gold["body"]
        site = site_key(url=gold["url"], site_name=None, source=key)
        assert site == "detroitnews.com"
        stats.add_document(site, document_fingerprints(pages[key]), key)
    repeated = stats.repeated("detroitnews.com", rules)
    _, removed = remove_site_repeated(pages["detroitnews_65ce3a45"], repeated, rules)
    assert [r.text for r in removed] == [
        "Welcome to The Detroit News’s EUROPEAN UNION EXPERIENCE", "Learn More",
        "Published 11:11 PM EST Nov 19, 2019", "Published 11:11 PM EST Nov 19, 2019",
        "Terms of Service Privacy Notice", "© The Detroit News, a Digital First Media Newspaper"]
    for key, paragraphs in pages.items():
        kept, removed = remove_site_repeated(paragraphs, repeated, rules)
        assert len(removed) == 6
        assert not any(r.text in golds[key] for r in removed)
        assert all(p in kept for p in golds[key].split("\n") if p.strip() in paragraphs)
