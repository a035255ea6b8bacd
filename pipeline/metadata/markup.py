"""Reading a page's tree for metadata: element text, attribute words, ``<meta>`` fields, and
whether an element sits outside the article (comments, teasers, sidebars, forms)."""
from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Iterator

from lxml.html import HtmlElement

from pipeline.metadata.rules import HtmlMetaRules

_SPACE = re.compile(r"\s+")


def field_text(value: object) -> str:
    """A field's value NFKC-normalised with whitespace runs made one space; "" when not a string."""
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura parses it, None when it cannot be parsed."""
    from trafilatura.utils import load_html  # one parser for the project's HTML paths

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = load_html(html)
    return tree if tree is not None else None


def element_text(element: HtmlElement) -> str:
    """All text inside ``element``, cleaned like a field."""
    return field_text(" ".join(element.itertext()))


def attribute_words(element: HtmlElement) -> str:
    """The attribute values a byline or date mark may sit in, joined by spaces."""
    parts = [element.get(name, "") for name in ("class", "id", "rel", "itemprop", "name", "data-testid")]
    return " ".join(p for p in parts if p)


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
    if rules.outside_article.search(attribute_words(element)):
        return True
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str) or ancestor.tag in ("html", "body") or ancestor in wrappers:
            continue
        if ancestor.tag in ("footer", "aside") and next(ancestor.iterancestors("article"), None) is not None:
            continue  # an <article>'s own footer or aside ("Posted by X in Y"), not the page's
        if ancestor.tag in ("footer", "aside") or ancestor.tag in rules.form_tags \
                or rules.outside_article.search(attribute_words(ancestor)):
            return True
    return False
