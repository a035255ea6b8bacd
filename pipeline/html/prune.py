"""Markup cues: elements the ``[html_chrome]`` rules mark as chrome are removed from the tree, each recorded.

A tag rule names elements (figure, aside, nav...), an attribute rule words of their
class, id, role or aria-label, the hidden rule what a reader never sees. An element
large enough to hold the article, or of a protected tag, is spared.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from pipeline.document import Removal
from pipeline.html.rules import HiddenRule, HtmlRules
from pipeline.text.lines import normalise_line

# elements whose text is code, not page text: never matched, never searched
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_BREAK = re.compile(r"[^a-z0-9]+")


def _attribute_values(element: HtmlElement) -> str:
    """The element's class, id, role and aria-label, joined by spaces."""
    values = [element.get(name) for name in ("class", "id", "role", "aria-label")]
    return " ".join(v for v in values if v)


def _words(joined: str) -> str:
    """Attribute values as ' word word ... ': lower case, split at -, _ and camelCase."""
    if not joined:
        return ""
    return " " + _WORD_BREAK.sub(" ", _CAMEL_HUMP.sub(" ", joined).lower()).strip() + " "


def _attribute_rule(joined: str, rules: HtmlRules) -> tuple[str, str] | None:
    words = _words(joined)
    # one search rules most elements out; the rule loop runs on the few that match
    if words and rules.any_attribute.search(words):
        for rule in rules.attribute_rules:
            if rule.pattern.search(words):
                return rule.category, rule.name
    return None


def _is_hidden(element: HtmlElement, rule: HiddenRule) -> bool:
    if rule.hidden_attribute and element.get("hidden") is not None:
        return True
    if rule.aria_hidden and (element.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = element.get("style")
    return bool(rule.style and style and rule.style.search(style))


def _match(element: HtmlElement, rules: HtmlRules, seen: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
    """(category, rule name) of the first rule the element matches.

    ``seen`` caches the verdict on attribute values: a page repeats its class names.
    """
    hit = rules.by_tag.get(element.tag.lower())
    if hit:
        return hit
    if rules.hidden and _is_hidden(element, rules.hidden):
        return rules.hidden.category, rules.hidden.name
    joined = _attribute_values(element)
    if joined not in seen:
        seen[joined] = _attribute_rule(joined, rules)
    return seen[joined]


def _holds_article(element: HtmlElement, text: str, rules: HtmlRules) -> bool:
    """Whether a cue must spare the element: it is, or holds, the article's container."""
    return len(text) >= rules.max_cue_chars or element.tag.lower() in rules.protected_tags


# script and style hold raw text, never elements: the parent test is enough
_VISIBLE_TEXT = etree.XPath(".//text()[not(parent::script or parent::style)]")


def visible_text(element: HtmlElement) -> str:
    """The element's text without scripts and styles, a space between its pieces."""
    return normalise_line(" ".join(_VISIBLE_TEXT(element)))


def prune_chrome(tree: HtmlElement, rules: HtmlRules) -> list[Removal]:
    """Remove the elements the HTML cues mark as chrome from ``tree``, in place."""
    removed: list[Removal] = []
    body = tree.find("body")
    walker = etree.iterwalk(body if body is not None else tree, events=("start",))
    doomed = []
    seen: dict[str, tuple[str, str] | None] = {}
    for _, element in walker:
        if not isinstance(element.tag, str):
            continue
        if element.tag in _INVISIBLE_TAGS:
            walker.skip_subtree()
            continue
        hit = _match(element, rules, seen)
        if hit is None:
            continue
        text = visible_text(element)
        if _holds_article(element, text, rules):
            continue
        # the element goes whole: its descendants need no look of their own
        walker.skip_subtree()
        doomed.append(element)
        if text:
            removed.append(Removal(hit[0], text, hit[1]))
    for element in doomed:
        _drop(element)
    return removed


def _drop(element: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
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
    parent.remove(element)
