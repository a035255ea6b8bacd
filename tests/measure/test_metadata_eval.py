"""Tests for pipeline.measure.metadata_eval: the scorer's matching, site folds and held-out choice."""
from __future__ import annotations

import pytest

from pipeline.measure.metadata_eval import Page, cross_validate, figures, fold_of, matches, site_of
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


def test_figures_split_the_tuning_folds_from_the_unseen_ones():
    sites = [f"site{n}.example" for n in range(30)]
    tuning = next(s for s in sites if fold_of(s, 5) in (0, 1, 2))
    unseen = next(s for s in sites if fold_of(s, 5) in (3, 4))
    pages = []
    for site, found in ((tuning, ["Ann Lee"]), (unseen, [])):
        page = Page(set="dev/x", key=site, site=site, gold={"authors": ["Ann Lee"], "title": None, "date": None})
        page.predicted = {"newsclean": {"title": None, "authors": found}, "trafilatura": {"title": None, "authors": []},
                          "htmldate": {"date": None}}
        pages.append(page)
    table = figures(pages, [None, None])
    assert table["all, folds 0-2"]["authors"]["newsclean"] == "1/1"
    assert table["all, folds 3-4"]["authors"]["newsclean"] == "0/1"
    assert table["all"]["authors"]["newsclean"] == "1/2"
