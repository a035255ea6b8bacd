"""Markup cues: elements the ``[html_chrome]`` rules mark as chrome are removed from the tree, each recorded.

A tag rule names elements (figure, aside, nav...), an attribute rule words at the start
or end of their class names, id, role or aria-label, the hidden rule what a reader never
sees (less what a script of the page reveals). An element large enough to hold the
article, or of a protected tag, is spared; so is a tagged element holding content (a
table in a <figure>), and a long text of few links whatever its class says.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from pipeline.document import Removal
from pipeline.html.parse import detach
from pipeline.html.rules import AttributeRule, HiddenRule, HtmlRules
from pipeline.text.lines import normalise_line

# elements whose text is code, not page text: never matched, never searched
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_BREAK = re.compile(r"[^a-z0-9]+")
_UNSEEN = object()
# each class, role, id or aria-label name's words (or None), by the any_attribute pattern; cleared when full
_NAMES: dict[re.Pattern[str], dict[str, str | None]] = {}
_NAMES_KEPT = 1 << 16


def _attribute_values(element: HtmlElement) -> tuple[str | None, ...]:
    """The element's class, role, id and aria-label, as written (None where absent)."""
    return element.get("class"), element.get("role"), element.get("id"), element.get("aria-label")


def _attribute_names(values: tuple[str | None, ...]) -> tuple[str, ...]:
    """The names the element gives itself: each class and role, its id, its aria-label (one phrase)."""
    classes, role, ident, label = values
    names = (classes or "").split() + (role or "").split()
    names += [v for v in (ident, label) if v]
    return tuple(names)


def _words(joined: str) -> str:
    """Attribute values as ' word word ... ': lower case, split at -, _ and camelCase."""
    if not joined:
        return ""
    return " " + _WORD_BREAK.sub(" ", _CAMEL_HUMP.sub(" ", joined).lower()).strip() + " "


def _attribute_rule(names: tuple[str, ...], rules: HtmlRules, known: dict[str, str | None]) -> AttributeRule | None:
    """The first attribute rule whose cue starts or ends the words of one of ``names``.

    A cue found at an edge of a name's words is found by ``any_attribute`` in them, so one
    search per distinct name (kept in ``known``: its words, or None where nothing is found)
    rules most elements out; the rule loop runs on the few that match. Pages share most of
    their class names ("container", "row", "mt-4"), so ``known`` outlives a page.
    """
    words = []
    for name in names:
        if name not in known:
            if len(known) >= _NAMES_KEPT:
                known.clear()
            found = _words(name)
            known[name] = found if rules.any_attribute.search(found) else None
        words.append(known[name])
    if not any(words):
        return None
    for rule in rules.attribute_rules:
        if any(rule.edges.search(w) for w in words if w):
            return rule
    return None


class _Page:
    """What the cues read from the whole page, computed once when first needed."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self._scripts: str | None = None
        self._controlled: frozenset[str] | None = None

    def names(self, value: str) -> bool:
        """Whether a script (as a string literal, "S:12") or a control (aria-controls) names ``value``."""
        if self._controlled is None:
            self._controlled = frozenset(name for e in self.root.iterfind(".//*[@aria-controls]")
                                         for name in e.get("aria-controls").split())
            self._scripts = "\n".join(s.text or "" for s in self.root.iter("script"))
        return value in self._controlled or f'"{value}"' in self._scripts or f"'{value}'" in self._scripts


# a disclosure: a button that says whether what follows it is shown
_DISCLOSURE_BUTTON = etree.XPath("descendant-or-self::button[@aria-expanded]")


def _is_revealed(element: HtmlElement, page: _Page) -> bool:
    """Whether a hidden element is shown by the page: a panel its script or a control names, or one after a disclosure button.

    React and Next.js stream sections as <div hidden id="S:12"> and move them in with
    $RC("B:12", "S:12"); accordions hide their answers until a button opens them.
    """
    if element.get("id") and page.names(element.get("id")):
        return True
    previous = element.getprevious()
    return previous is not None and isinstance(previous.tag, str) and bool(_DISCLOSURE_BUTTON(previous))


class _Seen:
    """Verdicts a page repeats, kept for one walk: by attribute values, and by inline style;
    and each name's words where ``any_attribute`` finds something in them, kept across pages."""

    def __init__(self, rules: HtmlRules) -> None:
        self.rules: dict[tuple[str | None, ...], AttributeRule | None] = {}
        self.styles: dict[str, bool] = {}
        self.words = _NAMES.setdefault(rules.any_attribute, {})


def _is_hidden(element: HtmlElement, rule: HiddenRule, page: _Page, seen: _Seen) -> bool:
    hidden = ((rule.hidden_attribute and element.get("hidden") is not None)
              or (rule.aria_hidden and (element.get("aria-hidden") or "").strip().lower() == "true"))
    if not hidden and rule.style:
        style = element.get("style") or ""
        hidden = seen.styles.get(style)
        if hidden is None:
            hidden = seen.styles[style] = bool(rule.style.search(style))
    return hidden and not (rule.revealed_by_page and _is_revealed(element, page))


def _match(element: HtmlElement, tag: str, rules: HtmlRules, page: _Page,
           seen: _Seen) -> tuple[str, str, bool] | None:
    """(category, rule name, whether it spares prose) of the first rule the element (of ``tag``) matches.

    ``seen`` keeps the verdicts on attribute values and styles: a page repeats its class names.
    """
    hit = rules.by_tag.get(tag.lower())
    if hit:
        category, name, spare = hit
        if not spare or next((e for e in element.iter(*spare) if e is not element), None) is None:
            return category, name, False
    if rules.hidden and _is_hidden(element, rules.hidden, page, seen):
        return rules.hidden.category, rules.hidden.name, False
    values = _attribute_values(element)
    found = seen.rules.get(values, _UNSEEN)
    if found is _UNSEEN:
        found = seen.rules[values] = _attribute_rule(_attribute_names(values), rules, seen.words)
    return (found.category, found.name, found.spares_prose) if found else None


def _holds_article(tag: str, text: str, rules: HtmlRules) -> bool:
    """Whether a cue must spare the element (of ``tag``): it is, or holds, the article's container."""
    return len(text) >= rules.max_cue_chars or tag.lower() in rules.protected_tags


def _is_prose(element: HtmlElement, text: str, rules: HtmlRules) -> bool:
    """Whether the element holds a long text that is mostly not links: a post, whatever its class says."""
    if len(text.split()) < rules.prose_words:
        return False
    linked = sum(len(visible_text(a)) for a in element.iter("a"))
    return linked <= rules.prose_max_link_density * len(text)


# script and style hold raw text, never elements: the parent test is enough; plain strings,
# not lxml's "smart" ones that each keep a reference to their element (a fifth faster)
_VISIBLE_TEXT = etree.XPath(".//text()[not(parent::script or parent::style)]", smart_strings=False)


def visible_text(element: HtmlElement) -> str:
    """The element's text without scripts and styles, a space between its pieces."""
    return normalise_line(" ".join(_VISIBLE_TEXT(element)))


def visible_chars_at_most(element: HtmlElement) -> int:
    """At least the length of :func:`visible_text` of the element, found without joining and normalising its pieces."""
    # a piece's runs of whitespace become one space at most, and it gains at most one space beside it
    return sum(len(stripped) + 1 for stripped in map(str.strip, _VISIBLE_TEXT(element)) if stripped)


def mark_chrome(tree: HtmlElement, rules: HtmlRules,
                spared: list[tuple[HtmlElement, int]] | None = None) -> list[tuple[HtmlElement, Removal]]:
    """The elements the HTML cues mark as chrome, outermost only, each with its Removal; the tree is not changed.

    ``spared``, when given, receives each element of a tag rule spared as holding the article,
    with the length of its text.
    """
    marked: list[tuple[HtmlElement, Removal]] = []
    body = tree.find("body")
    walker = etree.iterwalk(body if body is not None else tree, events=("start",))
    page = _Page(tree)
    seen = _Seen(rules)
    for _, element in walker:
        tag = element.tag  # each read of .tag makes a new string
        if not isinstance(tag, str):
            continue
        if tag in _INVISIBLE_TAGS:
            walker.skip_subtree()
            continue
        hit = _match(element, tag, rules, page, seen)
        if hit is None:
            continue
        text = visible_text(element)
        if _holds_article(tag, text, rules):
            if spared is not None and tag.lower() in rules.by_tag:
                spared.append((element, len(text)))
            continue
        if hit[2] and _is_prose(element, text, rules):
            continue
        # the element goes whole: its descendants need no look of their own
        walker.skip_subtree()
        marked.append((element, Removal(hit[0], text, hit[1])))
    return marked


def retag_wrappers(tree: HtmlElement, spared: list[tuple[HtmlElement, int]], rules: HtmlRules) -> None:
    """Make a ``<div>`` of each spared element of a tag rule that holds nearly all the page's text.

    A popup ``<aside>`` or a ``<nav>`` left unclosed swallows the page that follows it: the
    cues spare it (it holds the article), and so must the extractor, which drops such tags
    whole. ``spared`` are the elements of tag rules the cues spared, with their text lengths.
    """
    body = tree.find("body")
    if body is None or not spared:
        return
    least = rules.wrapper_page_share * len(visible_text(body))
    for element, chars in spared:
        if chars >= least:
            element.tag = "div"


def prune_chrome(tree: HtmlElement, rules: HtmlRules) -> list[Removal]:
    """Remove the elements the HTML cues mark as chrome from ``tree``, in place."""
    spared: list[tuple[HtmlElement, int]] = []
    marked = mark_chrome(tree, rules, spared)
    retag_wrappers(tree, spared, rules)
    for element, _ in marked:
        detach(element)
    return [removal for _, removal in marked if removal.text]

