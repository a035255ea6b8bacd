"""Causes of HTML loss (issue 13), each on a real WCXB page (CC-BY-4.0, see fixtures/html/wcxb/SOURCE.md)."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.html.extract import extract_html
from pipeline.html.parse import parse_html
from pipeline.html.prune import prune_chrome
from pipeline.html.rules import html_rules
from pipeline.text.rules import load_chrome_rules

WCXB = Path(__file__).parents[1] / "fixtures" / "html" / "wcxb"


@pytest.fixture(scope="module")
def config():
    return load_config()


def _extract(config, key: str, url: str):
    html = gzip.open(WCXB / f"{key}.html.gz", "rt", encoding="utf-8").read()
    return extract_html(html, html_rules(config), load_chrome_rules(config), url=url)


def test_class_word_inside_a_class_name_is_no_cue(config):
    # Wix wraps the post in class="lte-banner-w1564 ..."; .v1 removed all 350 words as navigation
    x = _extract(config, "0024", "https://www.sallytomatoes.com/post/comparing-different-types-of-catering-services")
    lead = ("When you're planning an event, one of the first things you need to do is decide on the catering. "
            "There are many different types of catering services available, and it can be difficult to know which "
            "one is right for your event. In this blog post, we'll compare three different types of catering "
            "services—full service, pick-up/drop-off, and in-house—to help you make an informed decision.")
    assert lead in x.paragraphs
    assert not [r for r in x.removed if "decide on the catering" in r.text]


def test_table_in_a_figure_is_content(config):
    # WordPress <figure class="wp-block-table">: .v1 removed the table as an image caption
    x = _extract(config, "0286", "https://beinsure.com/ranking/largest-us-property-casualty-insurance-companies/")
    assert "Net Premiums Written 864 8.5" in x.paragraphs
    assert not [r for r in x.removed if r.rule.startswith("figure.") and "Net Premiums Written" in r.text]


def test_streamed_and_controlled_hidden_blocks_are_spared(config):
    tree = parse_html("<html><body><article><p>Lead paragraph of the story, long enough.</p>"
                      "<button aria-controls='faq-1'>Q?</button><div id='faq-1' aria-hidden='true'>Answer one.</div>"
                      "<div hidden id='S:0'>Streamed section.</div><div hidden>Never shown.</div>"
                      "<script>$RC(\"B:0\",\"S:0\")</script></article></body></html>")
    removed = prune_chrome(tree, html_rules(load_config()))
    assert [(r.rule, r.text) for r in removed] == [("form.v1", "Q?"), ("hidden_element.v2", "Never shown.")]


def test_fragment_is_parsed_in_a_body():
    tree = parse_html("<div><p>A page that starts at a bare div.</p><p>Second paragraph.</p></div>")
    assert tree.tag == "html" and tree.find("body/div/p").text == "A page that starts at a bare div."


def test_math_is_never_a_cue(config):
    tree = parse_html("<html><body><article><p>Lead.</p><math class='menu' hidden><mi>x</mi></math></article></body></html>")
    assert prune_chrome(tree, html_rules(config)) == []
