"""Tests for pipeline.measure.metadata_eval: the scorer's matching, site folds and held-out choice."""
from __future__ import annotations

import pytest

from pipeline.measure.metadata_eval import Page, cross_validate, fold_of, matches, site_of
from pipeline.metadata.dates import DATE_SOURCES, FoundDate


@pytest.mark.parametrize("name, predicted, gold, expected", [
    ("date", "2025-03-05T23:10:00-05:00", "2025-03-05", True),
    ("date", "2025-03-06", "2025-03-05", False),
    ("date", None, "2025-03-05", False),
    ("authors", "Ann Lee; Bo Kim", ["Bo Kim", "Ann Lee"], True),
    ("authors", ["Ann Lee"], ["Ann Lee", "Bo Kim"], False),
    ("title", "It\u2019s  here", "it's here", True),
])
def test_matches_as_the_scorer(name, predicted, gold, expected):
    assert matches(name, predicted, gold) is expected


def test_site_is_the_host_without_www_and_folds_follow_it():
    assert site_of("https://www.Example.com/a/b") == "example.com"
    assert fold_of("example.com", 5) == fold_of(site_of("http://example.com/x"), 5)


def _page(site: str, gold: str, **sources: str) -> Page:
    found = {s: FoundDate(sources[s], sources[s], s) if s in sources else None for s in DATE_SOURCES}
    return Page(set="dev/x", key=site, site=site, gold={"date": gold}, sources=found)


def test_the_held_out_fold_is_scored_with_the_order_chosen_without_it():
    # two sites per fold; on every site but one the dateline is right and JSON-LD is not
    sites = [f"site{n}.example" for n in range(40)]
    by_fold = {}
    for site in sites:
        by_fold.setdefault(fold_of(site, 2), []).append(site)
    pages = [_page(s, "2025-03-05", text="2025-03-05", jsonld="2024-01-01") for s in by_fold[0]]
    pages += [_page(s, "2025-03-05", text="2025-03-05", jsonld="2024-01-01") for s in by_fold[1][1:]]
    pages.append(_page(by_fold[1][0], "2024-01-01", text="2025-03-05", jsonld="2024-01-01"))
    held_out, chosen = cross_validate(pages, 2)
    assert held_out == ["2025-03-05"] * len(pages)  # the odd page is held out under "text first"
    assert [c["order"].index("text") < c["order"].index("jsonld") for c in chosen] == [True, True, True]
