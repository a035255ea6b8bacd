"""HTML before and at parsing: what no parser should see is cut, then one lxml parse serves the page."""
from __future__ import annotations

import re

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from pipeline.inputs.decoding import strip_control_references

# An HTML page never needs a DOCTYPE internal subset; it only carries entity
# declarations (billion laughs, external entities).  It is cut before parsing, so no
# parser ever sees a declaration, and the undeclared references stay literal text.
_INTERNAL_SUBSET = re.compile(r"\A(\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,2000}?-->\s*)*<!DOCTYPE\b[^\[>]{0,500})\[",
                              re.I | re.S)
_SUBSET_END = re.compile(r"\]\s*>")


def safe_html(html: str) -> tuple[str, list[str]]:
    """``html`` without what no parser should see: entity declarations, references to controls."""
    notes = []
    html, subsets = without_internal_subset(html)
    if subsets:
        notes.append("removed the DOCTYPE's internal subset (entity declarations are never expanded)")
    html, references = strip_control_references(html)
    if references:
        notes.append(f"removed {references} character references to control characters")
    return html, notes


def without_internal_subset(html: str) -> tuple[str, int]:
    """``html`` with the DOCTYPE's ``[...]`` internal subset cut out, and 1 if there was one."""
    match = _INTERNAL_SUBSET.match(html)
    if match is None:
        return html, 0
    end = _SUBSET_END.search(html, match.end())
    if end is None:  # a subset never closed: the whole page is declarations
        return match.group(1).rstrip() + ">", 1
    return match.group(1).rstrip() + ">" + html[end.end():], 1


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page the way trafilatura does; None when it is not HTML at all.

    A fragment (a page that starts at a bare ``<div>``) is parsed again wrapped in a body:
    trafilatura looks for the article under ``<body>`` and finds nothing in a bare element.
    """
    tree = load_html(html)
    if tree is not None and tree.tag != "html":
        tree = load_html(f"<html><body>{html}</body></html>")
    return tree
