"""Tests for pipeline.html: markup cues, metadata repeats, teaser links, real pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from pipeline.config import Config, ConfigError, load_config
from pipeline.document import Removal
from pipeline.html.blocks import Block, body_blocks
from pipeline.html.extract import drop_html_text_chrome, extract_html, link_texts, page_titles, page_url, points_within
from pipeline.html.parse import parse_html
from pipeline.html.prune import prune_chrome, visible_chars_at_most, visible_text
from pipeline.html.rules import html_rules
from pipeline.text.rules import load_chrome_rules

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"

BODY = (
    "<p>The council voted on Tuesday to close the old bridge to heavy traffic, citing a report "
    "that found cracks in two of its supporting piers.</p>"
    "<p>Engineers said repairs would take at least eight months and cost about $4 million, money "
    "the city hopes to recover from a state infrastructure fund.</p>"
    "<p>Residents who use the bridge every day said the detour would add twenty minutes to their "
    "commute, and several asked the council to add a bus route.</p>"
)


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config()


def page(body: str, head: str = "<title>Bridge closed - The Courier</title>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def overlay(tmp_path, text: str) -> Config:
    path = tmp_path / "user.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


# ------------------------------------------------------------------ markup cues

def test_figure_and_caption_removed_as_image_caption(config):
    tree = parse_html(page(
        "<article>" + BODY[:200] + "</p><figure><img src='a.jpg'><figcaption>The old bridge at dusk. "
        "(Photo: Jane Roe)</figcaption></figure>" + BODY[200:] + "</article>"))
    removed = prune_chrome(tree, html_rules(config))
    assert removed == [Removal("image_caption", "The old bridge at dusk. (Photo: Jane Roe)", "figure.v2")]
    assert tree.find(".//figure") is None


def test_class_words_split_at_hyphens_and_camel_case(config):
    tree = parse_html(page(
        "<div class='NewsletterSignUp'>Get our morning briefing</div>"
        "<ul class='post share-bar'><li>Facebook</li><li>Twitter</li></ul>"
        "<div id='most-read'>Most read: Ten things</div>"
        "<section class='comments-section'>Join the conversation</section>"
        "<div class='cookieConsent'>We use cookies</div>"
        "<ul class='box-latest-news'><li>Mayor resigns</li></ul>" + BODY))
    removed = prune_chrome(tree, html_rules(config))
    assert [(r.category, r.rule, r.text) for r in removed] == [
        ("navigation", "newsletter_signup.v2", "Get our morning briefing"),
        ("navigation", "share_widget.v2", "Facebook Twitter"),
        ("related_links", "related_block.v3", "Most read: Ten things"),
        ("comment_policy", "comment_block.v2", "Join the conversation"),
        ("navigation", "cookie_banner.v2", "We use cookies"),
        ("related_links", "related_block.v3", "Mayor resigns"),
    ]


def test_a_cue_of_two_words_stands_in_one_class_name(config):
    # "social links" as two classes names no widget; one class "Social_Media-Buttons" does
    tree = parse_html(page("<div class='social links'>Follow us</div><div class='x--  Social_Media-Buttons'>Tweet</div>"
                           "<div class='Social Share'>Share it</div>" + BODY))
    assert [(r.rule, r.text) for r in prune_chrome(tree, html_rules(config))] == [
        ("share_widget.v2", "Tweet"), ("share_widget.v2", "Share it")]


def test_a_word_inside_another_word_is_no_cue(config):
    # "shared", "unrelated" and "commentary" name no widget
    tree = parse_html(page(
        "<div class='shared-layout'><p class='unrelated'>Short note.</p></div>"
        "<div class='commentary'>An opinion column.</div>" + BODY))
    assert prune_chrome(tree, html_rules(config)) == []


def test_hidden_elements_removed_and_tail_text_kept(config):
    tree = parse_html(page(
        "<p>Before <span hidden>secret promo</span>after.</p>"
        "<div aria-hidden='true'>Icon label</div>"
        # scripts page galleries with display:none: an inline style alone is no cue
        "<div style='display: none'><p>Slide two of the gallery, part of the article.</p></div>" + BODY))
    removed = prune_chrome(tree, html_rules(config))
    assert [(r.category, r.rule, r.text) for r in removed] == [
        ("navigation", "hidden_element.v2", "secret promo"), ("navigation", "hidden_element.v2", "Icon label")]
    assert tree.find(".//p").text_content() == "Before after."
    assert "Slide two of the gallery" in tree.text_content()


def test_paywall_and_read_more_classes_spare_the_article(config):
    # an article container flagged as paywalled or as a "read more" expander is the article
    tree = parse_html(page("<div id='article' class='isPaywall'>" + BODY + "</div>"
                           "<div class='single_content read-more'>" + BODY + "</div>"))
    assert prune_chrome(tree, html_rules(config)) == []


def test_container_holding_the_article_is_spared(config):
    # a page wrapped in one <form>, an article whose class mentions its share bar
    body = "<form id='aspnetForm'><div class='post has-share-bar'>" + BODY * 8 + "</div></form>"
    tree = parse_html(page(body))
    assert prune_chrome(tree, html_rules(config)) == []
    assert len(tree.findall(".//p")) == 24


def test_element_inside_a_removed_one_is_recorded_once(config):
    tree = parse_html(page("<aside><div class='share'>Share this</div> Related: more</aside>" + BODY))
    assert prune_chrome(tree, html_rules(config)) == [
        Removal("related_links", "Share this Related: more", "aside.v1")]


# ------------------------------------------------------------------ text of the body

def test_body_blocks_split_lists_rows_and_line_breaks():
    body = etree.fromstring(
        "<body><head rend='h2'>What next</head><p>One line<lb/>second   line</p>"
        "<list><item>First <hi>item</hi></item><item>Second item</item></list>"
        "<table><row><cell>a</cell><cell>b</cell></row></table></body>")
    assert body_blocks(body) == [
        Block("head", "What next"), Block("p", "One line"), Block("p", "second line"),
        Block("item", "First item"), Block("item", "Second item"), Block("row", "a b")]


def test_title_with_site_suffix_and_heading_description_dropped(config):
    tree = parse_html(page("", head="<title>Bridge closed to traffic | The Courier</title>"
                               "<meta name='description' content='Repairs will take eight months.'>"))
    titles, descriptions = page_titles(tree)
    blocks = [Block("head", "Bridge closed to traffic"), Block("head", "Repairs will take eight months."),
              Block("p", "Repairs will take eight months."), Block("p", "Bridge")]
    kept, removed = drop_html_text_chrome(blocks, titles, descriptions, frozenset(), html_rules(config))
    # a <p> equal to the description is the lead the site copied into it: it stays
    assert kept == ["Repairs will take eight months.", "Bridge"]
    assert removed == [Removal("title", "Bridge closed to traffic", "title_repeat.v1"),
                       Removal("description", "Repairs will take eight months.", "description_repeat.v1")]


def test_short_line_of_link_text_is_a_teaser(config):
    tree = parse_html(page("<p>READ MORE: <a href='/x'>Council approves new budget for road repairs</a></p>"
                           "<p>The mayor <a href='/y'>said the plan would cut costs for every household</a>.</p>"
                           "<p><a href='/z'>Jane Roe</a></p>"
                           "<p><a href='https://review.example.org/a'>Review: the new bridge design is a triumph</a></p>",
                           head="<link rel='canonical' href='https://www.courier.example.com/news/1'>"))
    url = page_url(tree, None)
    assert url == "https://www.courier.example.com/news/1"
    links = link_texts(tree, html_rules(config).link_line.min_link_chars, url)
    blocks = [Block("p", "READ MORE: Council approves new budget for road repairs"),
              Block("p", "The mayor said the plan would cut costs for every household."),
              Block("p", "Jane Roe"), Block("p", "Review: the new bridge design is a triumph")]
    kept, removed = drop_html_text_chrome(blocks, frozenset(), frozenset(), links, html_rules(config))
    # a linked sentence, a linked name and a link to another site are not teasers
    assert kept == ["The mayor said the plan would cut costs for every household.", "Jane Roe",
                    "Review: the new bridge design is a triumph"]
    assert removed == [Removal("related_links", "READ MORE: Council approves new budget for road repairs",
                               "link_only_line.v1")]


@pytest.mark.parametrize("href, expected", [
    ("/news/2", True), ("story.html", True), ("https://courier.example.com/a", True),
    ("//m.courier.example.com/a", True), ("https://other.example.org/a", False), ("#top", False),
    ("mailto:desk@courier.example.com", False), (None, False),
    # the page itself, as a table of contents links it
    ("https://www.courier.example.com/news/1/#example-2", False), ("/news/1?page=2", False)])
def test_points_within(href, expected):
    assert points_within(href, "https://www.courier.example.com/news/1") is expected


def test_extract_html_end_to_end(config):
    html = page("<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Bridge closed</h1>"
                + BODY + "<div class='related-stories'><a href='/a'>Another story</a></div></article>"
                "<footer>Copyright The Courier</footer>", head="<title>Bridge closed - The Courier</title>")
    result = extract_html(html, html_rules(config), load_chrome_rules(config))
    assert result.paragraphs[0].startswith("The council voted on Tuesday")
    assert len(result.paragraphs) == 3
    assert {(r.category, r.rule) for r in result.removed} >= {
        ("navigation", "nav.v1"), ("related_links", "related_block.v3"), ("navigation", "page_footer.v1"),
        ("title", "title_repeat.v1")}


def test_not_html_gives_nothing(config):
    assert extract_html("", html_rules(config), load_chrome_rules(config)).paragraphs == []


def test_page_parsing_to_one_element_keeps_its_text(config):
    html = "<?xml version='1.0' encoding='utf-8'?><html><body><p>" + "word " * 60 + "</p></body></html>"
    assert extract_html(html, html_rules(config), load_chrome_rules(config)).paragraphs == [("word " * 60).strip()]


# ------------------------------------------------------------------ configuration

def test_bad_pattern_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"\[html_chrome.attribute_rules\[x.v1\]\] pattern: bad regex"):
        overlay(tmp_path, '[[html_chrome.attribute_rules]]\nname = "x.v1"\ncategory = "navigation"\npattern = "("\n')


def test_rule_without_name_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"\[html_chrome.tag_rules\] name: every entry needs one"):
        overlay(tmp_path, '[[html_chrome.tag_rules]]\ncategory = "navigation"\ntags = ["aside"]\n')


def test_user_rule_applies_without_code(tmp_path):
    user = overlay(tmp_path, '[[html_chrome.attribute_rules]]\nname = "podcast_player.v1"\n'
                   'category = "related_links"\npattern = " podcast player "\n')
    tree = parse_html(page("<div class='podcast-player'>Listen now</div>" + BODY))
    removed = prune_chrome(tree, html_rules(user))
    assert removed == [Removal("related_links", "Listen now", "podcast_player.v1")]


# ------------------------------------------------------------------ real pages

# key prefix: (must contain, must not contain, (category, text) removals that must be recorded)
REAL_PAGES = {
    "08f79376": (
        ["The Steelers spent Monday trying to distance themselves from Thursday",
         "so our focus has got to be on Cincinnati right now."],
        ["Pick Six Newsletter", "One member of the Browns' defense didn't hold back",
         "Browns player on Mason Rudolph's role in fight with Myles Garrett"],
        [("navigation", "Pick Six Newsletter"),
         ("description", "One member of the Browns' defense didn't hold back"),
         ("title", "Browns player on Mason Rudolph's role in fight with Myles Garrett")],
    ),
    "624fcd90": (
        ["This comes after police said the demonstrators inside the Polytechnic",
         "engage in meaningful political dialogue"],
        ["SEE MORE:", "DON'T MISS", "Lakers vs Nets: NBA make final decision"],
        [("related_links", "SEE MORE: Hong Kong protests: 800 students under siege in university"),
         ("related_links", "Lakers vs Nets: NBA make final decision on game amid China turmoil [VIDEO]")],
    ),
    "7916ecca": (
        ["Two United States service members have been killed in a helicopter",
         "according to the United Nations."],
        ["invaded the country 2001 [File: Reuters]"],
        [("image_caption", "Roughly 13,000 US troops remain in Afghanistan")],
    ),
    "94fbcc26": (
        ["During the 2018 Milan Design Meek, the Flos Showroom in Corso Monforte", "9.30 A.M. / 7.00 P.M."],
        ["FLOS pays tribute to Achille Castiglioni", "a preview of DOUTDESign at Zona Santambrogio"],
        [("related_links", "Milan Design Week 2018 | FLOS pays tribute to Achille Castiglioni")],
    ),
    "c00962aa": (
        ["Earlier this month, NASA announced the newest milestone",
         "shortfall should also include revisiting SLS and Orion themselves."],
        ["The core stage of the first SLS at Michoud Assembly Facility"],
        [("image_caption", "The core stage of the first SLS at Michoud Assembly Facility")],
    ),
}


@pytest.fixture(scope="module")
def extracted(config):
    out = {}
    for path in sorted(FIXTURES.glob("*.html")):
        out[path.name[:8]] = extract_html(path.read_text(encoding="utf-8"), html_rules(config), load_chrome_rules(config))
    return out


@pytest.mark.parametrize("key", sorted(REAL_PAGES))
def test_real_page(extracted, key):
    must, must_not, removals = REAL_PAGES[key]
    text = "\n\n".join(extracted[key].paragraphs)
    for snippet in must:
        assert snippet in text
    for snippet in must_not:
        assert snippet not in text
    for category, snippet in removals:
        assert any(r.category == category and r.text.startswith(snippet) for r in extracted[key].removed), snippet


def test_gold_fixtures_are_the_benchmark_format():
    for path in sorted((FIXTURES / "gold").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data) == {"url", "body"}


# ------------------------------------------------------------------ trafilatura's fallback pass

def _fallback_calls(monkeypatch, html: str, rules) -> list[bool]:
    from trafilatura import bare_extraction

    import pipeline.html.extract as extract

    calls = []

    def recording(tree, **options):
        calls.append(options.get("fast", False))
        return bare_extraction(tree, **options)

    monkeypatch.setattr(extract, "bare_extraction", recording)
    extract.extract_body(parse_html(html), None, rules)
    return calls


def test_the_fallback_pass_runs_only_where_the_fast_body_is_short_or_has_one_paragraph(config, monkeypatch):
    from dataclasses import replace

    rules = html_rules(config)
    long_body = page("<article>" + BODY * 8 + "</article>")  # 24 paragraphs, over 3,000 characters
    one_paragraph = page("<article><p>" + " ".join(["A sentence about the bridge and its repairs."] * 80)
                         + "</p></article>")
    assert _fallback_calls(monkeypatch, long_body, rules) == [True]
    assert _fallback_calls(monkeypatch, page("<article>" + BODY + "</article>"), rules) == [True, False]
    assert _fallback_calls(monkeypatch, one_paragraph, rules) == [True, False]
    assert _fallback_calls(monkeypatch, long_body, replace(rules, fallback_below_chars=10**6)) == [True, False]


def test_visible_chars_at_most_bounds_the_visible_text():
    body = parse_html("<html><body><p>  Two   words </p><script>var x = 1;</script><p>\n</p>Tail</body></html>").find("body")
    assert visible_text(body) == "Two words Tail"
    assert visible_chars_at_most(body) == len("Two   words") + 1 + len("Tail") + 1
