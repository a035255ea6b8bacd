"""Tests for pipeline.text.chrome: chrome categories, metadata lines, body protection, the seeds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.document import Removal
from pipeline.text.chrome import clean_text, detect_chrome_paragraphs
from pipeline.text.lines import sentences
from pipeline.text.rules import load_chrome_rules
from pipeline.text.site import find_site_name

FIXTURES = Path(__file__).parents[1] / "fixtures" / "chrome"
SEEDS = sorted(FIXTURES.glob("00*.txt"))

BODY = [
    "The council voted on Tuesday to close the old bridge to heavy traffic, citing a report "
    "that found cracks in two of its supporting piers.",
    "Engineers said repairs would take at least eight months and cost about $4 million, "
    "money the city hopes to recover from a state infrastructure fund.",
    "Residents who use the bridge every day said the detour would add twenty minutes to "
    "their commute, and several asked the council to add a bus route.",
]


@pytest.fixture(scope="module")
def rules():
    return load_chrome_rules(load_config())


def article(*extra_after: str, before: tuple[str, ...] = ()) -> str:
    return "\n\n".join([*before, *BODY, *extra_after])


def removal_for(result, text: str) -> Removal:
    matches = [r for r in result.removed if r.text == text]
    assert matches, f"{text!r} was not removed"
    return matches[0]


# ---------------------------------------------------------------- categories

@pytest.mark.parametrize("line, category, rule", [
    ("A firefighter sprays water on the roof of a burning warehouse in Oakland, Calif. (AP Photo/Noah Berger)",
     "image_caption", "photo_credit_paren.v1"),
    ("Protesters march through the city centre on Sunday. [Omar Haj Kadour - AFP]",
     "image_caption", "photo_credit_paren.v1"),
    ("Photo: Jessica Christian, The Chronicle", "image_caption", "photo_credit_line.v1"),
    ("Image 3 of 12", "image_caption", "gallery_counter.v1"),
    ("Natalie Naccache | Bloomberg | Getty Images", "image_caption", "photo_credit_agency.v1"),
    ("Also Read: Ten things to know before the bridge closes", "related_links", "read_prefix.v1"),
    ("Most Read", "related_links", "related_heading.v1"),
    ("Advertisement", "navigation", "advertisement.v1"),
    ("Skip to main content", "navigation", "exit_mobile.v1"),
    ("Table of Contents", "navigation", "table_of_contents.v1"),
    ("×", "navigation", "close_button.v1"),
    ("newsdesk@example-gazette.com", "contact", "email_line.v1"),
    ("Download the Example Gazette app for breaking news alerts", "app_install", "app_install.v1"),
    ("Support our work", "donation_appeal", "donation_prompt.v1"),
    ("Be the first to comment", "comment_policy", "no_comments.v1"),
])
def test_chrome_line_gets_its_category_and_rule(rules, line, category, rule):
    kept, removed = detect_chrome_paragraphs([BODY[0], line, BODY[1]], rules)
    assert kept == [BODY[0], BODY[1]]
    assert removed == [Removal(category, line, rule)]


def test_tail_block_takes_the_category_of_the_chrome_it_introduces(rules):
    result = clean_text(article(
        "Independent news costs money.",
        "Please consider a gift today: donations from readers keep this newsroom independent.",
        "Comments are moderated. We reserve the right to remove comments that are abusive.",
    ), rules)
    assert result.paragraphs == BODY
    assert [(r.category, r.rule) for r in result.removed] == [
        ("donation_appeal", "tail_chrome_block.v1"),
        ("donation_appeal", "donation_reader_appeal.v2"),
        ("comment_policy", "comment_rules.v1"),
    ]


def test_a_tail_line_out_of_reach_of_any_chrome_stays_article_text(rules):
    # below the last prose line, a line is chrome only beside a line a rule names
    result = clean_text(article(
        "Tour dates",
        "Leeds, Brudenell",
        "Bristol, Thekla",
        "Glasgow, Barrowland",
        "Share this:",
    ), rules)
    assert result.paragraphs == [*BODY, "Tour dates", "Leeds, Brudenell"]
    assert [(r.text, r.category, r.rule) for r in result.removed] == [
        ("Bristol, Thekla", "navigation", "tail_chrome_block.v1"),
        ("Glasgow, Barrowland", "navigation", "tail_chrome_block.v1"),
        ("Share this:", "navigation", "share_prompt.v1"),
    ]


def test_every_tail_line_below_a_copyright_line_is_chrome(rules):
    result = clean_text(article(
        "© 2019 Example Gazette. All Rights Reserved.",
        "World",
        "More World",
        "Why farmers may want to paint their cows with zebra stripes",
        "32M ago",
    ), rules)
    assert result.paragraphs == BODY
    assert [(r.text, r.rule) for r in result.removed] == [
        ("© 2019 Example Gazette. All Rights Reserved.", "copyright_line.v1"),
        ("World", "tail_chrome_block.v1"),
        ("More World", "tail_chrome_block.v1"),
        ("Why farmers may want to paint their cows with zebra stripes", "tail_chrome_block.v1"),
        ("32M ago", "tail_chrome_block.v1"),
    ]


def test_app_install_steps_are_one_block(rules):
    result = clean_text(article(
        "Never miss a story.", "Tap to install our app.", "X", "Install the Gazette app",
        "in two easy steps:", "1. Tap the share icon.", "2. Tap to Add to Home Screen.",
    ), rules)
    assert result.paragraphs == BODY
    assert [(r.text, r.category) for r in result.removed] == [
        ("Never miss a story.", "app_install"), ("Tap to install our app.", "app_install"),
        ("X", "navigation"), ("Install the Gazette app", "app_install"),
        ("in two easy steps:", "app_install"), ("1. Tap the share icon.", "app_install"),
        ("2. Tap to Add to Home Screen.", "app_install"),
    ]


def test_more_stories_cut_from_the_end_of_a_paragraph(rules):
    last = "The mayor said the bridge would reopen in the spring. (More infrastructure stories.)"
    result = clean_text(article(last), rules)
    assert result.paragraphs[-1] == "The mayor said the bridge would reopen in the spring."
    assert Removal("related_links", "(More infrastructure stories.)", "bracketed_teaser_tail.v1") in result.removed


@pytest.mark.parametrize("last", [
    "The mayor said the bridge would reopen in the spring (more on that below).",
    "The mayor said the bridge would reopen in the spring. (Related reading: the 2019 flood.)",
    "Add the flour slowly and stir with a wooden spoon until the dough is smooth, no longer sticks to the bowl and "
    "holds its shape, adding a little more flour as needed (more like 3 or 4 cups)",
])
def test_bracket_closing_a_paragraph_stays_unless_a_teaser_rule_claims_it(rules, last):
    result = clean_text(article(last), rules)
    assert result.paragraphs[-1] == last
    assert not [r for r in result.removed if r.rule == "bracketed_teaser_tail.v1"]


def test_caption_printed_twice_is_removed_both_times(rules):
    caption = "Workers inspect a cracked pier under the old bridge on Monday, May 4, 2025."
    result = clean_text(article(before=("Bridge to close for eight months", caption, caption)), rules)
    assert result.paragraphs == BODY
    assert result.title == "Bridge to close for eight months"
    assert [r for r in result.removed if r.text == caption] == [
        Removal("image_caption", caption, "caption_repeated.v1")] * 2


def test_caption_above_a_bare_credit_and_an_image_headline(rules):
    kept, removed = detect_chrome_paragraphs(
        [BODY[0], "Kevin Mayer, the executive overseeing the service", "(Walt Disney Co.)", BODY[1]], rules)
    assert kept == [BODY[0], BODY[1]]
    assert [(r.text, r.rule) for r in removed] == [
        ("Kevin Mayer, the executive overseeing the service", "caption_before_credit.v1"),
        ("(Walt Disney Co.)", "paren_credit_only.v1"),
    ]


def test_teaser_list_under_a_heading_inside_the_body(rules):
    result = clean_text("\n\n".join([
        BODY[0], "Trending News",
        "* Man arrested after victims found in car\n* Guards charged with falsifying records",
        BODY[1], BODY[2]]), rules)
    assert result.paragraphs == BODY
    assert [(r.text, r.rule) for r in result.removed] == [
        ("Trending News", "related_heading.v1"),
        ("* Man arrested after victims found in car", "related_list.v1"),
        ("* Guards charged with falsifying records", "related_list.v1"),
    ]


def test_caption_printed_right_above_an_agency_credit(rules):
    caption = ("Teachers carry signs as they rally at the Statehouse in Indianapolis, Tuesday, "
               "Nov. 19, 2019, calling for higher pay.")
    result = clean_text("\n\n".join([BODY[0], f"{caption}\nMichael Conroy, AP", BODY[1], BODY[2]]), rules)
    assert result.paragraphs == BODY
    assert [(r.text, r.rule) for r in result.removed] == [
        (caption, "caption_before_credit.v1"), ("Michael Conroy, AP", "photo_credit_agency.v1")]


def test_two_sentences_above_a_credit_are_a_paragraph_not_a_caption(rules):
    paragraph = ("The extra protection of trail shoes applies to both the top and bottom of the foot. "
                 "Often, a trail shoe's upper is reinforced at the toe.")
    result = clean_text("\n\n".join([BODY[0], f"{paragraph}\nMichael Conroy, AP", BODY[1], BODY[2]]), rules)
    assert result.paragraphs == [BODY[0], paragraph, BODY[1], BODY[2]]
    assert [(r.text, r.rule) for r in result.removed] == [("Michael Conroy, AP", "photo_credit_agency.v1")]


@pytest.mark.parametrize("text, count", [
    ("Teachers rally in Indianapolis, Tuesday, Nov. 19, 2019, calling for higher pay.", 1),
    ("South Bend, Ind., Mayor Pete Buttigieg speaks at 5 p.m. Monday.", 1),
    ("Sen. John Smith speaks.", 1),
    ("Try Digikam, a FOSS photo management app. I use it on two 2009 iMacs.", 2),
    ("And what to do with these data? How to store them?", 2),
])
def test_sentences_in_a_line_are_not_split_at_abbreviations(text, count):
    assert sentences(text) == count


def test_author_bio_closes_the_article(rules):
    bio = ("Meg James is a corporate media reporter for the Gazette, covering the business of "
           "television. She joined the paper in 2001.")
    result = clean_text(article("Follow Us", bio, "More From the Gazette", "Another headline here"), rules)
    assert result.paragraphs == BODY
    assert Removal("contact", bio, "author_bio.v1") in result.removed


def test_donation_box_inside_the_article_does_not_end_it(rules):
    appeal = "Please support us today."
    result = clean_text("\n\n".join([BODY[0], appeal, BODY[1], BODY[2]]), rules)
    assert result.paragraphs == BODY
    assert result.removed == [Removal("donation_appeal", appeal, "donation_prompt.v1")]


def test_short_closing_sentence_stays_in_the_body(rules):
    result = clean_text(article("He was just too good.", "More from Sportsnet", "Canada wins again"), rules)
    assert result.paragraphs == [*BODY, "He was just too good."]
    assert [r.text for r in result.removed] == ["More from Sportsnet", "Canada wins again"]


def test_short_text_without_long_prose_keeps_its_sentences(rules):
    result = clean_text("Bridge closed\n\nThe bridge is closed today.\n\nShare", rules)
    assert (result.title, result.paragraphs) == ("Bridge closed", ["The bridge is closed today."])
    assert result.removed == [Removal("navigation", "Share", "share_prompt.v1")]


# ---------------------------------------------------------------- body is protected

@pytest.mark.parametrize("sentence", [
    "The ministry did not respond to a request for comment, and the company declined to comment further.",
    "Readers can post comments on the proposal until Friday, the council said in a statement on its website.",
    "The charity said donations from readers of the local paper had paid for a new roof for the shelter.",
    "The new app lets commuters see in real time where each bus is, and the city says 40,000 people installed it.",
    "Volunteers asked residents to donate blankets and tinned food at the library before the storm arrives.",
    "On Monday, May 4, 2025, the bridge closed.",
    "Contact tracing began on Monday in the city.",
    "Residents can get the city's parking app for free.",
    "Donate blankets at the library, officials said.",
    "Pictured is the bridge in 1950.",
    "Maria Lopez is a freelance writer who lost work under the new law.",
    "By Monday, officials expect the bridge to reopen.",
    "(Photo by the author, taken from the bridge.) The view is still worth the walk, residents say.",
])
def test_body_sentence_mentioning_chrome_words_is_kept(rules, sentence):
    result = clean_text("\n\n".join([BODY[0], sentence, BODY[1], BODY[2]]), rules)
    assert result.paragraphs == [BODY[0], sentence, BODY[1], BODY[2]]
    assert result.removed == []
    kept, removed = detect_chrome_paragraphs([sentence], rules)
    assert (kept, removed) == ([sentence], [])


@pytest.mark.parametrize("sentence", [
    "Readers can post comments on the proposal until Friday, the council said in a statement on its website.",
    "The charity said donations from readers of the local paper had paid for a new roof for the shelter.",
])
def test_last_body_paragraph_mentioning_chrome_words_is_kept(rules, sentence):
    result = clean_text("\n\n".join([*BODY, sentence, "Most Popular"]), rules)
    assert result.paragraphs == [*BODY, sentence]
    assert result.removed == [Removal("related_links", "Most Popular", "related_heading.v1")]


def test_whitespace_is_normalised(rules):
    result = clean_text(BODY[0].replace(" ", "\u00a0 ", 3) + "   \n\n" + BODY[1], rules)
    assert result.paragraphs == [BODY[0], BODY[1]]


# ---------------------------------------------------------------- metadata lines

@pytest.mark.parametrize("head, field, value", [
    ("By Lisa Kaczke and Trevor J. Mitchell", "byline", "By Lisa Kaczke and Trevor J. Mitchell"),
    ("Von Moritz Bachmann publiziert am 25. September 2018", "byline",
     "Von Moritz Bachmann publiziert am 25. September 2018"),
    ("Updated on: November 19, 2019 / 10:07 AM / CBS News", "date_raw",
     "Updated on: November 19, 2019 / 10:07 AM / CBS News"),
    ("20 Nov 2019 08:00 GMT", "date_raw", "20 Nov 2019 08:00 GMT"),
    ("3 hours ago", "date_raw", "3 hours ago"),
    ("2018-09-16", "date_raw", "2018-09-16"),
])
def test_head_metadata_lines_move_to_fields(rules, head, field, value):
    result = clean_text(article(before=("Bridge to close for eight months", head)), rules)
    assert getattr(result, field) == value
    assert result.title == "Bridge to close for eight months"
    assert result.paragraphs == BODY
    assert result.removed == []


def test_standfirst_above_the_byline_is_the_description(rules):
    standfirst = "The old bridge will close to heavy traffic after engineers found cracks in two piers."
    result = clean_text(article(before=(
        "Bridge to close for eight months", standfirst, "By Sean Martin",
        "PUBLISHED: 00:01, Tue, Nov 19, 2019 | UPDATED: 10:43, Tue, Nov 19, 2019")), rules)
    assert (result.title, result.description) == ("Bridge to close for eight months", standfirst)
    assert result.byline == "By Sean Martin"
    assert result.date_raw == "PUBLISHED: 00:01, Tue, Nov 19, 2019 | UPDATED: 10:43, Tue, Nov 19, 2019"
    assert result.paragraphs == BODY


def test_tail_credit_then_bare_name_is_attribution_and_byline(rules):
    result = clean_text(article("Source: Reuters", "Maria Lopez", "Related Articles", "Another story here"), rules)
    assert (result.attribution, result.byline) == ("Source: Reuters", "Maria Lopez")
    assert result.paragraphs == BODY
    assert [(r.text, r.category) for r in result.removed] == [
        ("Related Articles", "related_links"), ("Another story here", "related_links")]


def test_logo_alt_text_is_navigation(rules):
    branded = clean_text(article(before=("Site logo The Daily Example", "Bridge to close")), rules)
    assert Removal("navigation", "Site logo The Daily Example", "logo_alt.v1") in branded.removed
    assert branded.title == "Bridge to close"


# ---------------------------------------------------------------- configuration

def test_bad_rule_is_a_config_error(tmp_path):
    overlay = tmp_path / "bad.toml"
    overlay.write_text('[text_chrome]\nrule = [{name = "broken.v1", category = "image_caption", pattern = "("}]\n')
    with pytest.raises(ConfigError, match=r"\[text_chrome.rule\[broken.v1\]\] pattern: bad regex"):
        load_config(overlay)


def test_user_rule_applies_without_code(tmp_path):
    overlay = tmp_path / "extra.toml"
    overlay.write_text('[[text_chrome.rule]]\nname = "promo_line.v1"\n'
                       'category = "navigation"\npattern = "^limited offer"\n')
    kept, removed = detect_chrome_paragraphs([BODY[0], "Limited offer: half price"], load_chrome_rules(load_config(overlay)))
    assert kept == [BODY[0]]
    assert removed == [Removal("navigation", "Limited offer: half price", "promo_line.v1")]


# ---------------------------------------------------------------- real documents

@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_its_gold(rules, seed):
    gold = json.loads(seed.with_suffix(".json").read_text(encoding="utf-8"))
    result = clean_text(seed.read_text(encoding="utf-8"), rules)
    norm = " ".join
    assert [norm(p.split()) for p in result.paragraphs] == [norm(p.split()) for p in gold["body"]]
    want = sorted((r["category"], norm(r["text"].split())) for r in gold["removed"])
    assert sorted((r.category, r.text) for r in result.removed) == want
    fields = {m["field"]: m["text"] for m in gold["metadata_lines"]}
    assert result.title == fields.get("title")
    assert result.description == fields.get("description")
    assert result.byline == fields.get("byline")
    assert result.date_raw == fields.get("dateline")
    assert result.attribution == fields.get("attribution")
    found = find_site_name(seed.read_text(encoding="utf-8"), rules)
    assert (found.name if found else None) == gold.get("site_name")


def test_real_page_snip_keeps_the_article_and_drops_its_chrome(rules):
    snip = (FIXTURES / "snip_cbs_2c46804d.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "snip_cbs_2c46804d.json").read_text(encoding="utf-8"))["body"]
    result = clean_text(snip, rules)
    assert result.paragraphs == [p for p in gold.split("\n\n") if p]
    assert result.date_raw == "Updated on: November 19, 2019 / 10:07 AM / CBS News"
    assert Removal("related_links", "Trending News", "related_heading.v1") in result.removed
    assert Removal("navigation", "© 2019 CBS Interactive Inc. All Rights Reserved.",
                   "copyright_line.v1") in result.removed


def test_extracted_paragraphs_are_searched_by_the_rules_that_hold_anywhere_only(rules):
    from pipeline.text.lines import line_matches

    # an outside-zone rule labels a line of text; a paragraph has no outside, so it is not searched
    line = "Your comments are welcome here"
    assert line_matches(line, 5, rules, paragraphs=False)[:2] == (None, next(r for r in rules.rules
                                                                            if r.name == "comment_rules.v1"))
    assert line_matches(line, 5, rules, paragraphs=True) == (None, None, None)
    assert [r.zone for r in rules.rules if r.zone != "any"] and all(
        candidate.zone == "any" for _, _, candidate in rules.anywhere_searches)
