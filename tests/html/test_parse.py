"""Safe HTML: what no parser may see is cut before parsing."""
from __future__ import annotations

import pytest

from pipeline.inputs.decoding import strip_control_references
from pipeline.html.parse import safe_html, without_internal_subset


@pytest.mark.parametrize("html, expected", [
    ('<!DOCTYPE html [<!ENTITY a "b">]><p>&a;</p>', "<!DOCTYPE html><p>&a;</p>"),
    ('<?xml version="1.0"?>\n<!-- c --><!DOCTYPE html SYSTEM "x.dtd" [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n] >'
     "<p>&x;</p>", '<?xml version="1.0"?>\n<!-- c --><!DOCTYPE html SYSTEM "x.dtd">' + "<p>&x;</p>"),
    ('<!DOCTYPE html [<!ENTITY a "never closed"', "<!DOCTYPE html>"),
])
def test_internal_subset_is_cut_before_parsing(html, expected):
    assert without_internal_subset(html) == (expected, 1)


@pytest.mark.parametrize("html", ["<!DOCTYPE html><p>[a] ]></p>", "<p>Text</p><!DOCTYPE html [<!ENTITY a 'b'>]>", ""])
def test_html_without_a_leading_internal_subset_is_unchanged(html):
    assert without_internal_subset(html) == (html, 0)


def test_references_to_control_characters_go_and_others_stay():
    html = "a&#1;b&#x0B;c&#0012;d&#65535;e&#xFFFE;f&#127;g &#x80; &#10; &#49; &#x1F &#1a; &amp;"
    assert strip_control_references(html) == ("abcdefg &#x80; &#10; &#49;  &#1a; &amp;", 7)
    assert strip_control_references("no references") == ("no references", 0)


def test_safe_html_notes_what_it_removed():
    html = '<!DOCTYPE html [<!ENTITY a "b">]><p>x&#2;y</p>'
    assert safe_html(html) == ("<!DOCTYPE html><p>xy</p>", [
        "removed the DOCTYPE's internal subset (entity declarations are never expanded)",
        "removed 1 character references to control characters"])



_FORM_PAGE = ("<html><head><title>T</title></head><body><form><input value='v'><select><option>o</option></select>"
              "<textarea>t</textarea><label>l</label></form><p>Text &amp; more</p></body></html>")


@pytest.mark.parametrize("html, parsed", [
    (_FORM_PAGE, True),
    ("<div class='html'><p>a</p></div><p>b</p>", True),  # a fragment: lxml.html's fragment handling
    ("<div><p>a fragment</p></div>", False),     # no "html" in its first characters, one element
    ("not markup at all", False),
    ('<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>', True),  # as bytes
    ("<!DOCTYPE html/>\n<html><body><p>doctype repaired</p></body></html>", True),
])
def test_load_html_gives_trafilaturas_tree(html, parsed):
    from lxml import etree
    from trafilatura.utils import load_html as trafilatura_load_html

    from pipeline.html.parse import load_html

    ours, theirs = load_html(html), trafilatura_load_html(html)
    assert (ours is not None, theirs is not None) == (parsed, parsed)
    if parsed:
        assert etree.tostring(ours) == etree.tostring(theirs)


def test_every_element_of_a_parsed_page_is_an_html_element():
    from lxml.html import HtmlElement, InputElement
    from trafilatura.utils import load_html as trafilatura_load_html

    from pipeline.html.parse import load_html

    # lxml.html's own lookup (a Python call per element) gives form controls classes of their own
    assert type(trafilatura_load_html(_FORM_PAGE).find(".//input")) is InputElement
    assert {type(e) for e in load_html(_FORM_PAGE).iter()} == {HtmlElement}
