"""Tests for pipeline.text.site: the site's name read from a text's chrome or its URL, never guessed."""
from __future__ import annotations

import pytest

from pipeline.config import load_config
from pipeline.text.rules import load_chrome_rules
from pipeline.text.site import SiteName, find_site_name, spelled_name

PROSE = ("The council voted on Tuesday to close the old bridge to heavy traffic, citing a report "
         "that found cracks in two of its supporting piers.")


@pytest.fixture(scope="module")
def rules():
    return load_chrome_rules(load_config())


@pytest.mark.parametrize("text, expected", [
    # a byline crediting the site's staff, with or without a person before it
    (f"Bridge to close\nBy Ann Lee,  Gazette Staff\n{PROSE}", SiteName("Gazette", "site_staff_byline.v2")),
    (f"Bridge to close\nBy Resy Staff\n{PROSE}", SiteName("Resy", "site_staff_byline.v2")),
    # an e-mail address of the site's domain, its name spelled out in the text: the spaced spelling wins
    (f"{PROSE}\nFreeWestMedia depends on you.\nWrite to Free West Media today.\nmarko@freewestmedia.com",
     SiteName("Free West Media", "site_email_host.v1")),
    # a logo's alt text above the article
    (f"Site icon Middle East Monitor\nBridge to close\n{PROSE}", SiteName("Middle East Monitor", "site_logo_alt.v1")),
    (f"Wine Folly Logo\nBridge to close\n{PROSE}", SiteName("Wine Folly", "site_logo_alt.v1")),
])
def test_site_name_from_chrome(rules, text, expected):
    assert find_site_name(text, rules) == expected


@pytest.mark.parametrize("text", [
    # a person's job title, a menu of staff pages, a partner's logo inside the article, a
    # third party's address nobody names: no site name
    f"Bridge to close\nBy Meg James Staff Writer\n{PROSE}",
    f"Faculty & Staff\nBridge to close\n{PROSE}",
    f"Bridge to close\n{PROSE}\nAcme Bank Logo\n{PROSE}",
    f"Bridge to close\n{PROSE}\nWrite to tips@examplenews.org",
    f"Logo Design\nBridge to close\n{PROSE}",
])
def test_no_site_name_without_a_source(rules, text):
    assert find_site_name(text, rules) is None


def test_url_host_spelled_in_the_text_then_the_host_itself(rules):
    text = f"Bridge to close\n{PROSE}\n© 2025 Daily Example Media Group"
    assert find_site_name(text, rules, "https://www.dailyexample.com/a/1") == SiteName(
        "Daily Example", "site_url_spelled.v1")
    assert find_site_name(f"Bridge to close\n{PROSE}", rules, "https://news.example.org/a") == SiteName(
        "news.example.org", "site_url_host.v1")


def test_spelled_name_needs_the_whole_host_name():
    assert spelled_name(["The Free West is here"], "freewestmedia.com") is None
    assert spelled_name(["Read the BBC News app"], "bbc.co.uk") is None  # "bbc" is too short to trust
    assert spelled_name(["From Lubrizol Corp."], "cpvc.lubrizol.com") == "Lubrizol"
