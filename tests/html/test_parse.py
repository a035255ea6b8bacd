"""Safe HTML: what no parser may see is cut before parsing."""
from __future__ import annotations

import pytest

from pipeline.decoding import strip_control_references
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
