"""Tests for pipeline.normalise: bylines, datelines and titles from many sites and languages."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.normalise import ParsedDate, clean_title, looks_like_byline, normalise_authors, parse_date


@pytest.mark.parametrize("raw, site, expected", [
    ("By Bob Cronin,  Newser Staff", "Newser", ["Bob Cronin"]),
    ("Barak Ravid", None, ["Barak Ravid"]),
    ("View all posts by Daniel Lemire", None, ["Daniel Lemire"]),
    ("Jobs", None, []),
])
def test_normalise_authors(raw, site, expected):
    assert normalise_authors(raw, site_name=site) == expected


@pytest.mark.parametrize("text, reference, expected", [
    ("Published: March 5, 2025, 5:48 pm", None, "2025-03-05T17:48:00"),
    ("Posted Mar 5, 2025 5:23 PM CST", None, "2025-03-05T17:23:00-06:00"),
    ("1 month ago", None, None),
    ("1 month ago", date(2025, 4, 5), "2025-03-05"),
])
def test_parse_date(text, reference, expected):
    assert parse_date(text, reference_date=reference) == ParsedDate(iso=expected, raw=text)


def test_byline_and_title():
    assert looks_like_byline("By Bob Cronin,  Newser Staff")
    assert clean_title("Sport macht glücklich - FIT FOR FUN", "FIT FOR FUN") == "Sport macht glücklich"
