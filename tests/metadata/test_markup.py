"""Tests for pipeline.metadata.markup: field text, and the elements an attribute pattern marks."""
from __future__ import annotations

import re

import lxml.html
import pytest

from pipeline.metadata.markup import attribute_words, field_text, marked_elements

_BYLINE = re.compile(r"(?:^|[\s_-])(?:author|byline)(?:name|-name)?(?:$|[\s_-])", re.IGNORECASE)
_AUTHOR_LINK = re.compile(r"/author/[^/?#]+/?$", re.IGNORECASE)

_PAGE = """<html><body class="page">
<div class="post-meta"><span class="Byline author">By <a href="/author/jane-roe/">Jane Roe</a></span></div>
<p id="lead" class="intro">A paragraph that links <a href="/tag/author/">a tag</a>.</p>
<div data-testid="author-name">John Doe</div>
<div class="sidebar" id="x"><span itemprop="author">Team</span><span class="authority">no</span></div>
<span class="meta" id="byline-box">April 3</span>
</body></html>"""


def _body():
    return lxml.html.fromstring(_PAGE).find("body")


def test_marked_elements_finds_the_marked_ones_in_document_order():
    found = marked_elements(_body(), _BYLINE, _AUTHOR_LINK)
    assert [(e.tag, attribute_words(e) or e.get("href")) for e in found] == [
        ("span", "Byline author"),
        ("a", "/author/jane-roe/"),
        ("div", "author-name"),
        ("span", "author"),
        ("span", "meta byline-box"),  # the mark is in its id, the class beside it is read too
    ]


def test_marked_elements_without_a_link_pattern_reads_no_link():
    assert [e.get("href") for e in marked_elements(_body(), _BYLINE) if e.tag == "a"] == []


def test_marked_elements_include_the_root_and_return_nothing_unmarked():
    body = lxml.html.fromstring('<html><body class="byline"><p class="x">t</p></body></html>').find("body")
    assert marked_elements(body, _BYLINE) == [body]
    assert marked_elements(body, re.compile("nothing-here")) == []


def test_marked_elements_are_the_elements_whose_joined_attribute_words_match():
    """The XPath reading of single attribute values gives what testing each element's joined
    words gives, for a pattern whose words hold no space."""
    body = _body()
    every = [e for e in body.iter() if isinstance(e.tag, str) and _BYLINE.search(attribute_words(e))]
    assert marked_elements(body, _BYLINE) == every


@pytest.mark.parametrize("raw, expected", [
    ("  Von\u2003Claudia\n\tLindner ", "Von Claudia Lindner"),  # every Unicode space run is one space
    ("a\x1cb\x1fc\x85d", "a b c d"),  # the separators \s and str.split both take as spaces
    ("ｂｙ Ｊａｎｅ", "by Jane"),  # NFKC first: full-width letters
    ("", ""),
    (None, ""),
])
def test_field_text(raw, expected):
    assert field_text(raw) == expected
