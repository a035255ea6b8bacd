"""Layout normalisation of plain-text dumps: real dev pages from four renderers, plus units."""
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.document import Removal
from pipeline.text.layout import (estimate_wrap_width, is_code, layout_rules, normalise_layout,
                                  rejoin_wrapped, split_glued_blocks, split_glued_code)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "text_layout"


@pytest.fixture(scope="module")
def config():
    return load_config()


def _layout(name, config):
    return normalise_layout((FIXTURES / name).read_text(encoding="utf-8"), config)


def _blocks(text):
    return [line.strip() for line in text.split("\n") if line.strip()]


def test_wrapped_lynx_page_is_rejoined_into_paragraphs_and_list_items(config):
    layout = _layout("lynx_0081.txt", config)
    blocks = _blocks(layout.text)
    assert blocks[1] == "Cynomi Guides Getting to YES: The Anti-Sales Guide to Closing New Cybersecurity Deals"
    assert blocks[4] == (
        "Most businesses recognize the importance of cybersecurity. Yet when it comes time to invest, "
        "they pause, not out of apathy, but uncertainty. Cybersecurity still feels complex and "
        "disconnected from business goals. That’s where most sales efforts stall. And when MSPs respond "
        "by pushing harder, they often face more resistance.")
    assert blocks[6:12] == [
        "Inside, you’ll find proven frameworks and tools to help you:",
        "* Understand the root causes behind “no” and turn them into real conversations",
        "* Lead like a cyber advisor, not a salesperson",
        "* Use discovery questions to elevate sales from transactional to strategic",
        "* Respond to objections with empathy, clarity, and confidence",
        "* Create value-driven conversations that convert",
    ]
    assert layout.notes == (
        "layout: rejoined 14 hard-wrapped lines into their paragraphs (wrap width 71 measured on the dump)",
    )
    assert blocks[14:17] == ["Share", "*", "*"]  # empty list items (icon links) stay list structure
    assert layout.removed == ()  # rejoining lines removes no text


def test_markdown_page_keeps_link_text_and_records_each_url(config):
    layout = _layout("html2text_0221.txt", config)
    blocks = _blocks(layout.text)
    assert blocks[:3] == [
        "2.",
        "[email protected]",
        "Elaine Chen covers biotech, co-writes The Readout newsletter, and co-hosts STAT's weekly biotech "
        "podcast, The Readout Loud. You can reach Elaine on Signal at elaineywchen.70.",
    ]
    assert layout.removed == (
        Removal("markup", '(https://x.com/elaineywchen "X")', "markdown_link_url.v1"),
        Removal("markup", '(/cdn-cgi/l/email-protection#71141d10181f145f1219141f31020510051f1406025f121e1c "Email")',
                "markdown_link_url.v1"),
        Removal("markup", "(/signup/readout/)", "markdown_link_url.v1"),
        Removal("markup", "(/category/readout-loud/)", "markdown_link_url.v1"),
    )
    assert layout.notes[-1] == "layout: read markdown: 4 link URLs removed"


def test_markdown_images_headings_emphasis_and_escapes(config):
    text = ("Intro line with a [link](https://a.example/x) and more words.\n"
            "## A heading **strong**\n"
            "![Picture of Andrew King](https://img.example/a.jpg)\n"
            "#### **1\\. High-Protein Meals**\n"
            "At **Scratch Culinary** , we keep _our_ finger on the pulse.\n")
    layout = normalise_layout(text, config)
    assert layout.text.split("\n") == [
        "Intro line with a link and more words.", "",
        "A heading strong", "",  # the image line below it is gone, recorded in removed
        "1. High-Protein Meals", "",
        "At Scratch Culinary , we keep our finger on the pulse.", "",
    ]
    assert layout.removed == (
        Removal("markup", "(https://a.example/x)", "markdown_link_url.v1"),
        Removal("image_caption", "![Picture of Andrew King](https://img.example/a.jpg)", "markdown_image.v1"),
    )


def test_script_and_css_text_is_cut_as_code(config):
    layout = _layout("lxml_0395.txt", config)
    assert layout.removed == (
        Removal("code", ".detailImg{max-height: 450px;\nwidth: auto;}\n.dtl_img_section img{\n"
                        "max-width: 100% !important;\n}", "script_text.v1"),
        Removal("code", "$('.dtl_section iframe1').each(function(){\n"
                        "var src = $(this).prop('src').replace('watch?v=','embed/');\n"
                        "var checkFb = src.indexOf(\"facebook\");\n//console.log('FB: ' + checkFb);",
                "script_text.v1"),
    )
    blocks = _blocks(layout.text)
    assert blocks[0] == "By Md Aynal Haque"
    assert blocks[1].startswith("RAJSHAHI, Dec 20, 2025 (BSS) - Homestead gardening")
    assert layout.notes == ("layout: removed 9 lines of script, CSS or JSON text as code (2 runs)",)


def test_lxml_line_of_prose_glued_to_json_ld_keeps_the_prose(config):
    text = (FIXTURES / "lxml_aade2ec8.txt").read_text(encoding="utf-8")
    layout = normalise_layout(text, config)
    assert layout.text == "Google Stadia Red Dead Redemption 2 doesn't run at a stable 60fps."
    first, second, third = text.split("\n")[:3]
    json_ld = first[len("Google Stadia Red Dead Redemption 2 doesn't run at a stable 60fps. "):]
    [removed] = layout.removed
    assert (removed.category, removed.rule) == ("code", "script_text.v1")
    # the code pieces, one removal; only the whitespace at the cuts differs from the dump
    assert removed.text.split() == " ".join([json_ld, second, third]).split()
    assert layout.notes == ("layout: split 1 lines where script or style text was glued to prose",
                            "layout: removed 3 lines of script, CSS or JSON text as code (1 runs)")


def test_lxml_page_printed_as_one_line_is_cut_into_its_blocks(config):
    layout = _layout("lxml_0190.txt", config)
    blocks = _blocks(layout.text)
    assert layout.notes == ("layout: cut 1 lines that glued blocks together into their blocks",)
    assert layout.removed == ()
    assert blocks[:4] == ["All Locations", "Central Las Vegas", "Summerlin",
                          "Virtual Services1 (702) 718-7353Get Started"]
    # a heading glued to its paragraph, a paragraph glued to the next, list items glued together
    assert blocks[5:7] == ["The Rise of Mental Health Trends",
                           "Since the pandemic, mental health issues have become a central part of the public "
                           "conversation. As rates of mental illness continue to rise year over year, the "
                           "shortcomings of traditional treatments for mental illness, have led the public and "
                           "practitioners to explore new technologies and medicines in search of more effective "
                           "care solutions.\xa0Here are some of the most exciting mental health trends and "
                           "developments in mental health care that you might hear about here in 2024:1. "
                           "Artificial Intelligence in Clinical Care"]
    assert blocks[8:11] == ["Biting nails", "Cracking knuckles", "Tapping hands"]
    assert len(blocks) == 14
    # nothing but the breaks is lost: the words are the dump's, in order
    assert "".join(blocks) == (FIXTURES / "lxml_0190.txt").read_text(encoding="utf-8").strip()


def test_only_a_long_line_with_several_glued_breaks_is_cut(config):
    rules = layout_rules(config)
    prose = " ".join(["The council met on Tuesday. It voted to close the old bridge to heavy traffic."] * 8)
    assert split_glued_blocks([prose], rules) == ([prose], 0)  # sentences keep their space: one paragraph
    glued = "Rates rose.Prices fell.Stocks held." + " word" * 100
    assert split_glued_blocks([glued], rules) == ([glued], 0)  # two glued ends: not enough
    three = "Rates rose.Prices fell.Stocks held.Bonds slid." + " word" * 100
    assert split_glued_blocks([three], rules) == (
        ["Rates rose.", "Prices fell.", "Stocks held.", "Bonds slid." + " word" * 100], 1)
    short = "Rates rose.Prices fell.Stocks held.Bonds slid."
    assert split_glued_blocks([short], rules) == ([short], 0)  # too short to be a page


def test_glued_code_is_split_at_statement_ends_and_comments_stay_code(config):
    rules = layout_rules(config)
    assert split_glued_code("Investors paused. The licence is now set to expire in February."
                            "try {window.performance.mark(\"footerStart\");} catch (err) {}", rules) == [
        "Investors paused. The licence is now set to expire in February.",
        "try {window.performance.mark(\"footerStart\");} catch (err) {}"]
    # a script comment after a statement is code, not prose
    line = "api.widget.hide(); // Hide the widget if it is shown on the page now"
    assert split_glued_code(line, rules) == [line]


def test_code_in_an_article_without_page_scripts_stays(config):
    text = "To count, write:\n\nfor (i = 0; i < 4; i++) { print(i); }\n\nand run it.\n"
    assert normalise_layout(text, config).text == text


def test_one_link_fragment_runs_are_joined(config):
    layout = _layout("bs4_05844573.txt", config)
    assert _blocks(layout.text) == ["Image", "1 of / 23", "Caption", "Close"]
    assert layout.notes == ("layout: joined 3 one-link fragment lines to their neighbours",)


def test_fragments_join_onto_their_short_label(config):
    layout = normalise_layout("Comments\n(\n1\n)\n\nA sentence of prose that stays as it is.\n", config)
    assert layout.text == "Comments (1)\n\nA sentence of prose that stays as it is.\n"


def test_clean_text_passes_through_unchanged(config):
    text = ("Title of the article\n\nA first paragraph that is long enough to be prose, written on one line "
            "as inscriptis writes it, with no wrap at all.\n\n  * a list item\n  * another\n")
    layout = normalise_layout(text, config)
    assert (layout.text, layout.removed, layout.notes) == (text, (), ())


def _wrapped(width, paragraphs=6):
    words = ("the council met on tuesday to vote on the budget for the coming year and "
             "agreed after a long debate ").split()
    lines = []
    for p in range(paragraphs):
        line = ""
        for word in words * 3:
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines += [line, ""]
    return lines


def test_wrap_width_is_measured_from_the_lines(config):
    rules = layout_rules(config)
    assert estimate_wrap_width(_wrapped(78), rules) in range(70, 79)
    assert estimate_wrap_width(_wrapped(60), rules) in range(52, 61)


def test_unwrapped_text_has_no_wrap_width(config):
    rules = layout_rules(config)
    lines = [" ".join(["word"] * n) for n in range(2, 60, 3)] * 2
    assert estimate_wrap_width(lines, rules) is None
    assert estimate_wrap_width(["one short line", "another"], rules) is None


def test_a_short_line_ending_a_paragraph_is_not_joined_to_the_next():
    lines = ["a line that reaches the wrap width of this little dump ok", "end.", "Next block"]
    assert rejoin_wrapped(lines, 58) == (
        ["a line that reaches the wrap width of this little dump ok end.", "Next block"], 1)


def test_is_code_tells_script_from_prose(config):
    rules = layout_rules(config)
    assert is_code("var a=1;window.x={b:2};", rules)
    assert is_code('{"@context":"https://schema.org","@type":"Article"}', rules)
    assert is_code("/* ]]> */", rules)
    assert not is_code("He left; she stayed (for a while) = the end.", rules)
    assert not is_code("(1)", rules)


def test_a_bad_page_marker_pattern_is_refused(tmp_path):
    overlay = tmp_path / "bad.toml"
    overlay.write_text("[text_layout]\ncode_page_marker = '(unclosed'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[text_layout\] code_page_marker: bad regex"):
        layout_rules(load_config(overlay))


def test_a_linked_image_with_brackets_in_its_alt_text_is_removed_whole(config):
    line = "[![6 Best Baking Boxes [Tested and Reviewed]](https://i.example/a.jpg)](https://s.example/b) Next"
    layout = normalise_layout("\n".join([line] * 3) + "\n", config)
    assert layout.text == " Next\n Next\n Next\n"
    assert layout.removed[:2] == (
        Removal("image_caption", "![6 Best Baking Boxes [Tested and Reviewed]](https://i.example/a.jpg)",
                "markdown_image.v1"),
        Removal("markup", "(https://s.example/b)", "markdown_link_url.v1"),
    )
