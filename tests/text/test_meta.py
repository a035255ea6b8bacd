"""Tests for pipeline.text.meta: headline, byline and dateline read around a text's body.

The heads below are real lines of dev pages (WCXB development split, CC-BY-4.0; key and site
named on each), as the layout step leaves them; the body is the page's first paragraph.
"""
from __future__ import annotations

import pytest

from pipeline.api import clean_text as clean_text_api
from pipeline.config import load_config
from pipeline.text.lines import read_lines
from pipeline.text.meta import body_start, markdown_headings, read_text_meta, unglue
from pipeline.text.rules import load_chrome_rules


@pytest.fixture(scope="module")
def config():
    return load_config()


PREVENTION_0004 = [  # inscriptis, prevention.com
    "2. Diets",
    "3. The 7 Biggest Diet and Nutrition Trends in 2025, According to Nutritionists",
    "",
    "The 7 Biggest Diet and Nutrition Trends in 2025, According to Nutritionists",
    "",
    "Protein continues to be huge.",
    "",
    "By Korin MillerPublished: Jan 29, 2025",
    "Tanja Ivanova // Getty Images",
    "",
    "We may earn commission from links on this page, but we only recommend products we back. Why Trust Us?",
]
BLOOMREACH_0017 = [  # inscriptis, bloomreach.com
    "* AI , Personalization",
    "",
    "How Machine Learning Personalizes Ecommerce Shopping Experiences",
    "",
    "Pavlina Petkova",
    "* April 10, 2025",
    "* 11 min read",
    "",
    "Ecommerce shoppers expect hyper-personalized experiences at every touchpoint, yet many brands "
    "struggle to meet these expectations at scale. At the same time, providing a generic experience "
    "will only drive customers to competitors.",
    "Machine learning (ML) provides a powerful solution by delivering real-time, relevant "
    "recommendations customized to individual customers. Let’s explore how machine learning enhances "
    "ecommerce personalization.",
    "Why Personalization Matters in Ecommerce",
]
HUFFMAN_0011 = [  # inscriptis, tinaflinthuffman.com (a day without a year: no date)
    "How To Design A Room Like An Interior Designer [Step By Step]",
    "",
    "DIYHome Decor",
    "Apr 12",
    "Written By Tina Flint Huffman",
    "",
    "Does overwhelm and paralysis set in at the thought of how to even start decorating your space? "
    "A living room, bedroom, let alone your entire home?",
    "I feel you and I’m here to help with a methodical, step by step process that will break down how "
    "to design your room into doable parts.",
    "Even though it’s my design process, the whole point is to make it adaptable so it serves YOU, your "
    "home, and your loved ones.",
]
AMA_0045 = [  # inscriptis, ama.org: the headline is not in the dump, no line may stand in for it
    "+ Strategic Partnerships",
    "Search AMA",
    "Icon image",
    "",
    "We noticed that you are using Internet Explorer 11 or older that is not support any longer. "
    "Please consider using an alternative such as Microsoft Edge, Chrome, or Firefox.",
]
HALO_0190 = [  # html2text, halomentalhealth.com, laid out: "# 7 Mental Health ..." was a heading
    "Get Started",
    "",
    "Mental Health",
    "",
    "7 Mental Health Trends to Watch in 2025",
    "",
    "ByDr. Vahid Osman - Mar 27, 2024",
    "",
    "Look out for these emerging mental health trends and developments in the mental health care industry.",
]


@pytest.mark.parametrize("lines, headings, region_first, expected", [
    (PREVENTION_0004, (), PREVENTION_0004[3],
     ("The 7 Biggest Diet and Nutrition Trends in 2025, According to Nutritionists",
      "By Korin Miller | Published: Jan 29, 2025", "By Korin Miller | Published: Jan 29, 2025")),
    (BLOOMREACH_0017, (), None,
     ("How Machine Learning Personalizes Ecommerce Shopping Experiences", "Pavlina Petkova", "April 10, 2025")),
    (HUFFMAN_0011, (), HUFFMAN_0011[0],  # on the page, the region model starts at the headline
     ("How To Design A Room Like An Interior Designer [Step By Step]", "Written By Tina Flint Huffman", None)),
    (AMA_0045, (), None, (None, None, None)),
    (HALO_0190, ("7 Mental Health Trends to Watch in 2025",), None,
     ("7 Mental Health Trends to Watch in 2025", "By Dr. Vahid Osman - Mar 27, 2024",
      "By Dr. Vahid Osman - Mar 27, 2024")),
], ids=["breadcrumb-glued-byline", "bare-name-beside-dateline", "written-by", "no-title", "markdown-h1"])
def test_read_text_meta_on_dev_heads(config, lines, headings, region_first, expected):
    rules = load_chrome_rules(config)
    # the body: the excerpt's lines from its first long one (the page's first paragraphs)
    first = next(i for i, line in enumerate(lines) if len(line.split()) >= 15)
    found = read_text_meta("\n".join(lines), lines[first:], headings, region_first, rules,
                           config.rules.text_chrome.title, config)
    assert (found.title, found.byline, found.date_raw) == expected


def test_a_byline_under_a_headline_kept_as_the_first_paragraph(config):
    # bluecart.com (0043, inscriptis): the chrome step kept the headline, "By" and the name as
    # the body's first three paragraphs; the byline is read from them, the body is not changed
    lines = ["What is Catering? What is a Caterer? Types of Catering", "", "By", "Joanna Okedara",
             "Table of Contents", "",
             "Before you consider starting a catering business, it is crucial to understand the types of "
             "catering and what is catering."]
    paragraphs = [lines[0], "By", "Joanna Okedara", lines[-1]]
    found = read_text_meta("\n".join(lines), paragraphs, (), None, load_chrome_rules(config),
                           config.rules.text_chrome.title, config)
    assert (found.byline, found.date_raw) == ("By Joanna Okedara", None)


def test_a_label_alone_reads_with_the_name_below(config):
    # move.org (0054) and securityweek.com (0078) print "Written by" / "By" on a line of its own
    lines = ["Best Long-Distance & Cross-Country Moving Companies 2026", "", "Written by", "Rebecca Edwards",
             "", "We’ve spent nearly a decade researching and testing long-distance movers to find companies "
             "that deliver fair prices."]
    found = read_text_meta("\n".join(lines), [lines[-1]], (), None, load_chrome_rules(config),
                           config.rules.text_chrome.title, config)
    assert (found.byline, found.date_raw) == ("By Rebecca Edwards", None)


@pytest.mark.parametrize("line, expected", [
    ("By Korin MillerPublished: Jan 29, 2025", "By Korin Miller | Published: Jan 29, 2025"),
    ("ByDr. Vahid Osman - Mar 27, 2024", "By Dr. Vahid Osman - Mar 27, 2024"),
    ("By Arricca Elin SanSonePublished: Dec 20, 2023", "By Arricca Elin SanSone | Published: Dec 20, 2023"),
    ("Bylines and Datelines", "Bylines and Datelines"),
    ("By Sofia Gonzalez December 2, 2025", "By Sofia Gonzalez December 2, 2025"),
])
def test_unglue(line, expected):
    assert unglue(line) == expected


def test_markdown_headings_reads_level_one_only():
    text = "# [7 Mental Health Trends](https://x.example/a) to **Watch**\n## Sub\nText # not\n#  Second  #"
    assert markdown_headings(text) == ("7 Mental Health Trends to Watch", "Second")


def test_body_start_finds_the_first_paragraph(config):
    lines = read_lines("\n".join(BLOOMREACH_0017), load_chrome_rules(config))
    assert body_start(lines, [BLOOMREACH_0017[8]]) == 5
    assert body_start(lines, []) == len(lines)


def test_whole_text_path_fills_the_record():
    # the bloomreach head above three body paragraphs, through every text step
    body = [BLOOMREACH_0017[8],
            "Machine learning (ML) provides a powerful solution by delivering real-time, relevant "
            "recommendations customized to each shopper, based on what they browse, buy and skip.",
            "In this article, we explore how machine learning personalizes the ecommerce shopping "
            "experience and what brands gain from it, from higher conversion to longer visits."]
    doc = clean_text_api("\n".join(BLOOMREACH_0017[:8]) + "\n" + "\n\n".join(body))
    assert (doc.title, doc.authors, doc.date_published) == (
        "How Machine Learning Personalizes Ecommerce Shopping Experiences", ["Pavlina Petkova"], "2025-04-10")
