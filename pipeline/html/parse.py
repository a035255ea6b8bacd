"""HTML before and at parsing: what no parser should see is cut, then one lxml parse serves the page."""
from __future__ import annotations

import logging
import re

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import is_dubious_html, repair_faulty_html

from pipeline.inputs.decoding import strip_control_references

# An HTML page never needs a DOCTYPE internal subset; it only carries entity
# declarations (billion laughs, external entities).  It is cut before parsing, so no
# parser ever sees a declaration, and the undeclared references stay literal text.
_INTERNAL_SUBSET = re.compile(r"\A(\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,2000}?-->\s*)*<!DOCTYPE\b[^\[>]{0,500})\[",
                              re.I | re.S)
_SUBSET_END = re.compile(r"\]\s*>")

# React's streaming calls: $RC("B:1", "S:1") completes Suspense boundary B:1 with the hidden
# block S:1, $RS("S:2", "P:2") puts segment S:2 where placeholder P:2 stands
_STREAM_CALL = re.compile(r"""\$R([CS])\(\s*["']([^"']{1,40})["']\s*,\s*["']([^"']{1,40})["']""")
# React's placeholders: a pending boundary B:x, a segment P:x, each filled by the hidden block S:x
_PLACEHOLDER = re.compile(r'<template id="([BP]):([^"]{1,40})"></template>')
# a Suspense boundary's comments: <!--$-->, <!--$?--> (pending), <!--$!--> (client) open, <!--/$--> closes
_BOUNDARY_MARK = re.compile(r"<!--(/?)\$[?!]?-->")
# the end tags of the page: a browser ignores them and reads what follows them into the body,
# while libxml2 may drop an article sent after a premature "</body></html>"
_PAGE_END = re.compile(r"</(?:body|html)\s*>", re.I)

# trafilatura's parser (``trafilatura.utils.HTML_PARSER``), with lxml's element lookup done in C:
# lxml.html's own lookup calls Python every time an element reaches Python code, to hand form
# controls classes of their own that nothing here reads; every element is an HtmlElement here
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                     remove_pis=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
_LOG = logging.getLogger(__name__)


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


def load_html(html: str) -> HtmlElement | None:
    """trafilatura's ``load_html`` of a decoded page, on the parser above: the same tree, or None."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree, as_bytes = None, False
    try:
        tree = fromstring(html, parser=_PARSER)
    except ValueError:  # a str that declares its encoding
        tree, as_bytes = _from_bytes(html), True
    except Exception as err:  # what trafilatura does: the bytes are tried next
        _LOG.debug("lxml parsing failed: %s", err)
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # not HTML at all
    return tree


def _from_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception as err:
        _LOG.debug("lxml parsing of the bytes failed: %s", err)
    return None


def parse_html(html: str, *, place_streamed: bool = True) -> HtmlElement | None:
    """Parse a page the way trafilatura does; None when it is not HTML at all.

    A fragment (a page that starts at a bare ``<div>``) is parsed again wrapped in a body:
    trafilatura looks for the article under ``<body>`` and finds nothing in a bare element.
    Blocks a React page streams hidden at its end are put where its scripts put them
    (unless not ``place_streamed``: then they stay where they were sent). The page's
    ``</body>`` and ``</html>`` are ignored, as browsers do: what follows them is in the body.
    """
    html = _PAGE_END.sub("", html)
    calls = streamed_calls(html) if place_streamed else []
    if calls:
        html = without_fallbacks(html, [placeholder for placeholder, _ in calls])
    tree = load_html(html)
    if tree is not None and tree.tag != "html":
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is not None and calls:
        place_streamed_blocks(tree, calls)
    return tree


def streamed_calls(html: str) -> list[tuple[str, str]]:
    """(placeholder id, hidden block id) of each block a React page streams, in order.

    The page's scripts name them ($RC, $RS calls); where the scripts are gone (an archived
    copy keeps inline scripts only), a ``<template id="B:x">`` or ``"P:x"`` and a hidden
    ``id="S:x"`` pair up by React's naming.
    """
    if 'hidden id="S:' not in html:
        return []
    calls = [(a, b) if kind == "C" else (b, a) for kind, a, b in _STREAM_CALL.findall(html)]
    named = {block for _, block in calls}
    calls += [(f"{kind}:{x}", f"S:{x}") for kind, x in _PLACEHOLDER.findall(html)
              if f"S:{x}" not in named and f'hidden id="S:{x}"' in html]
    return calls


def without_fallbacks(html: str, placeholders: list[str]) -> str:
    """``html`` without what a pending Suspense boundary shows until its content comes ("Loading...").

    The fallback runs from the boundary's ``<template id="B:1">`` to the comment that closes
    the boundary; the parser drops comments, so it is cut from the text.
    """
    for placeholder in placeholders:
        start = html.find(f'<template id="{placeholder}"></template>')
        if start < 0:
            continue
        start += len(f'<template id="{placeholder}"></template>')
        depth = 0
        for mark in _BOUNDARY_MARK.finditer(html, start):
            depth += -1 if mark.group(1) else 1
            if depth < 0:
                html = html[:start] + html[mark.start():]
                break
    return html


def place_streamed_blocks(tree: HtmlElement, calls: list[tuple[str, str]]) -> None:
    """Move each hidden block a streaming call names to its placeholder, shown, as the page's script does."""
    wanted = {name for call in calls for name in call}
    by_id = {e.get("id"): e for e in tree.iter() if isinstance(e.tag, str) and e.get("id") in wanted}
    for placeholder_id, block_id in calls:
        placeholder, block = by_id.get(placeholder_id), by_id.get(block_id)
        if placeholder is None or block is None or placeholder.getparent() is None or block in placeholder.iterancestors():
            continue
        detach(block)
        block.attrib.pop("hidden", None)
        block.tail = placeholder.tail
        placeholder.getparent().replace(placeholder, block)


def detach(element: HtmlElement) -> None:
    """Take an element out of its tree but leave its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    element.tail = None
    parent.remove(element)
