"""Reading a page's tree for metadata: element text, attribute words, ``<meta>`` fields, and
whether an element sits outside the article (comments, teasers, sidebars, forms)."""
from __future__ import annotations

import unicodedata
import warnings
from typing import Iterator, Pattern

from lxml import etree
from lxml.html import HtmlElement

from pipeline.metadata.rules import HtmlMetaRules


def field_text(value: object) -> str:
    """A field's value NFKC-normalised with whitespace runs made one space; "" when not a string."""
    if not isinstance(value, str):
        return ""
    # str.split's whitespace is the regex \s of a str (both Py_UNICODE_ISSPACE), a few times faster
    return " ".join(unicodedata.normalize("NFKC", value).split())


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura parses it, None when it cannot be parsed."""
    from pipeline.html.parse import load_html  # one parser for the project's HTML paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_html(html)


def element_text(element: HtmlElement) -> str:
    """All text inside ``element``, cleaned like a field."""
    return field_text(" ".join(element.itertext()))


def attribute_words(element: HtmlElement) -> str:
    """The attribute values a byline or date mark may sit in, joined by spaces."""
    parts = [element.get(name, "") for name in ("class", "id", "rel", "itemprop", "name", "data-testid")]
    return " ".join(p for p in parts if p)


# the attributes attribute_words joins, and link targets, each in document order, as plain strings
_MARK_ATTRIBUTES = ".//@class | .//@id | .//@rel | .//@itemprop | .//@name | .//@data-testid"
_MARK_VALUES = etree.XPath(_MARK_ATTRIBUTES, smart_strings=False)
_LINK_TARGETS = etree.XPath(".//a/@href", smart_strings=False)
# the elements holding the attribute values at the given positions of the two lists above
_HOLDERS = etree.XPath(f"({_MARK_ATTRIBUTES})[contains($marks, concat(' ', position(), ' '))]/.."
                       " | (.//a/@href)[contains($links, concat(' ', position(), ' '))]/..")
# verdicts kept per pattern across pages (a site repeats its attribute strings), cleared when full
_VERDICTS: dict[Pattern[str], dict[str, bool]] = {}
_VERDICTS_KEPT = 8192


def _verdicts(pattern: Pattern[str]) -> dict[str, bool]:
    """Whether ``pattern`` finds each string tested so far (a site repeats its attribute strings)."""
    known = _VERDICTS.setdefault(pattern, {})
    if len(known) > _VERDICTS_KEPT:
        known.clear()
    return known


def _finds(pattern: Pattern[str], value: str, known: dict[str, bool]) -> bool:
    verdict = known.get(value)
    if verdict is None:
        verdict = known[value] = pattern.search(value) is not None
    return verdict


def _positions(values: list[str], pattern: Pattern[str]) -> str:
    """The 1-based positions of the values ``pattern`` finds, each between spaces (" 3 17 ")."""
    known = _verdicts(pattern)
    found = [str(position) for position, value in enumerate(values, 1) if _finds(pattern, value, known)]
    return f" {' '.join(found)} " if found else ""


def marked_elements(root: HtmlElement, mark: Pattern[str], link: Pattern[str] | None = None) -> list[HtmlElement]:
    """``root`` and the elements under it with an ``attribute_words`` value that ``mark`` finds,
    or (``link`` given) an ``<a>`` whose ``href`` it finds, in document order.

    A mark pattern whose words hold no space finds the joined ``attribute_words`` only
    within one value, so these are all the elements it finds there; the caller decides on
    the joined words. Values are read as plain strings and each distinct one tested once:
    only the few marked elements are built, not every element of the page.
    """
    marks = _positions(_MARK_VALUES(root), mark)
    links = _positions(_LINK_TARGETS(root), link) if link is not None else ""
    if not marks and not links:
        return []
    return _HOLDERS(root, marks=marks, links=links)


def meta_fields(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name / property / itemprop / http-equiv, in page order."""
    fields: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = field_text(meta.get("content"))
        if not content:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                fields.setdefault(key, []).append(content)
    return fields


def meta_values(fields: dict[str, list[str]], keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(key, value) for every value of ``keys`` in ``fields``, in the order of ``keys``."""
    for key in keys:
        for value in fields.get(key, []):
            yield key, value


def headline_wrappers(tree: HtmlElement) -> frozenset[HtmlElement]:
    """The ancestors of the page's first ``<h1>``: the elements that hold the article."""
    body = tree.find("body")
    h1 = next(iter(body.iter("h1")), None) if body is not None else None
    return frozenset(h1.iterancestors()) if h1 is not None else frozenset()


def outside_article(element: HtmlElement, rules: HtmlMetaRules,
                    wrappers: frozenset[HtmlElement] = frozenset()) -> bool:
    """Whether the element or an ancestor marks a comment, teaser, sidebar, footer or form.

    An ancestor in ``wrappers`` (see ``headline_wrappers``) holds the headline too, so its
    marks ("with-sidebar", a footer that is the page's whole layout) say nothing of the element.
    """
    outside, known = rules.outside_article, _verdicts(rules.outside_article)
    if _finds(outside, attribute_words(element), known):
        return True
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str) or ancestor.tag in ("html", "body") or ancestor in wrappers:
            continue
        if ancestor.tag in ("footer", "aside") and next(ancestor.iterancestors("article"), None) is not None:
            continue  # an <article>'s own footer or aside ("Posted by X in Y"), not the page's
        if ancestor.tag in ("footer", "aside") or ancestor.tag in rules.form_tags \
                or _finds(outside, attribute_words(ancestor), known):
            return True
    return False
