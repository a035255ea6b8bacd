"""Article paragraphs from an HTML page: markup cues prune chrome, trafilatura finds the body.

One lxml parse serves the whole path: the cues of ``configs/rules/html_chrome.toml``
remove figures, asides, menus, share / newsletter / related / comment / cookie widgets and
hidden elements from the tree (each recorded as a Removal), trafilatura extracts the body
from the pruned tree, and the text-level chrome detector of plain-text mode runs on the
resulting paragraphs so one taxonomy serves both kinds of input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from pipeline.chrome import ChromeRules, detect_chrome_paragraphs, normalise_line
from pipeline import schema
from pipeline.config import Config
from pipeline.document import Removal

SECTION = "html_chrome"
# trafilatura's output elements that start a new paragraph when nested in another block
_BLOCK_TAGS = frozenset({"p", "head", "item", "list", "quote", "row", "table", "code"})
# elements whose text is code, not page text: never matched, never searched
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_BREAK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class TagRule:
    """Remove every element whose tag is one of ``tags``."""

    name: str
    category: str
    tags: frozenset[str]


@dataclass(frozen=True)
class AttributeRule:
    """Remove elements whose class/id/role/aria-label words match ``pattern``."""

    name: str
    category: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class HiddenRule:
    """Remove elements a reader never sees (hidden attribute, aria-hidden, inline style)."""

    name: str
    category: str
    style: re.Pattern[str] | None
    hidden_attribute: bool
    aria_hidden: bool


@dataclass(frozen=True)
class LinkLineRule:
    """Drop a body line whose text is mostly link text and which is short: a teaser."""

    name: str
    category: str
    min_share: float
    min_words: int
    max_words: int
    min_link_chars: int
    sentence_end: re.Pattern[str]
    kinds: frozenset[str]
    within_site: bool


@dataclass(frozen=True)
class HtmlRules:
    """The parsed ``[html_chrome]`` section."""

    tag_rules: tuple[TagRule, ...]
    by_tag: dict[str, tuple[str, str]]
    attribute_rules: tuple[AttributeRule, ...]
    any_attribute: re.Pattern[str]
    hidden: HiddenRule
    max_cue_chars: int
    protected_tags: frozenset[str]
    favor_precision: bool
    max_title_repeat_chars: int
    description_repeat_kinds: frozenset[str]
    title_separators: str
    link_line: LinkLineRule


@dataclass
class HtmlExtract:
    """Article paragraphs of one page and what the HTML cues removed on the way."""

    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _link_line_rule(table: schema.LinkLine) -> LinkLineRule:
    return LinkLineRule(table.name, table.category, table.min_share, table.min_words, table.max_words,
                        table.min_link_chars, _compile(table.sentence_end), frozenset(table.kinds),
                        table.within_site)


def _by_tag(tag_rules: list[TagRule]) -> dict[str, tuple[str, str]]:
    """Tag name to (category, rule name), the first rule naming a tag winning."""
    table: dict[str, tuple[str, str]] = {}
    for rule in tag_rules:
        for tag in sorted(rule.tags):
            table.setdefault(tag, (rule.category, rule.name))
    return table


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` matches (never, for none)."""
    if not patterns:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def _build_rules(table: schema.HtmlChrome) -> HtmlRules:
    tag_rules = [TagRule(r.name, r.category, frozenset(t.lower() for t in r.tags)) for r in table.tag_rules]
    attribute_rules = [AttributeRule(r.name, r.category, _compile(r.pattern)) for r in table.attribute_rules]
    hidden = table.hidden
    extraction = table.extraction
    return HtmlRules(
        tag_rules=tuple(tag_rules),
        by_tag=_by_tag(tag_rules),
        attribute_rules=tuple(attribute_rules),
        any_attribute=_any_of([r.pattern for r in attribute_rules]),
        hidden=HiddenRule(hidden.name, hidden.category,
                          _compile(hidden.style_pattern) if hidden.style_pattern else None,
                          hidden.hidden_attribute, hidden.aria_hidden),
        max_cue_chars=table.guard.max_cue_chars,
        protected_tags=frozenset(t.lower() for t in table.guard.protected_tags),
        favor_precision=extraction.favor_precision,
        max_title_repeat_chars=extraction.max_title_repeat_chars,
        description_repeat_kinds=frozenset(extraction.description_repeat_kinds),
        title_separators=extraction.title_separators,
        link_line=_link_line_rule(table.link_line),
    )


def html_rules(config: Config) -> HtmlRules:
    """The compiled HTML chrome rules of ``config`` (checked when it was loaded)."""
    return config.built(SECTION, lambda: _build_rules(config.rules.html_chrome))


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page the way trafilatura does; None when it is not HTML at all."""
    return load_html(html)


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


@dataclass(frozen=True)
class Block:
    """One line of trafilatura's body: its kind (p, head, item, row...) and text."""

    kind: str
    text: str


def _block_lines(block) -> list[str]:
    """The text lines of one trafilatura output block.

    A new line starts at <lb/> and at a nested block (a paragraph inside a quote).
    """
    lines: list[list[str]] = [[]]

    def walk(element) -> None:
        if element.text:
            lines[-1].append(element.text)
        for child in element:
            if child.tag == "lb":
                lines.append([])
            elif child.tag in _BLOCK_TAGS:
                lines.append([])
                walk(child)
                lines.append([])
            else:
                if child.tag == "cell":
                    lines[-1].append(" ")
                walk(child)
            if child.tail:
                lines[-1].append(child.tail)

    walk(block)
    return [line for line in (normalise_line("".join(parts)) for parts in lines) if line]


def body_blocks(body) -> list[Block]:
    """The lines of trafilatura's body in order: paragraphs, headings, list items, table rows."""
    blocks: list[Block] = []
    # a page that parses to one bare element comes back as that element, not a <body>
    for block in (body if body.tag == "body" else [body]):
        if block.tag in ("list", "table"):
            children = block.findall("item") if block.tag == "list" else block.iter("row")
            units = list(children) or [block]
        else:
            units = [block]
        for unit in units:
            blocks.extend(Block(unit.tag, text) for text in _block_lines(unit))
        if block.tail and block.tail.strip():
            blocks.append(Block("p", normalise_line(block.tail)))
    return blocks


def page_url(tree: HtmlElement, url: str | None) -> str | None:
    """The page's own address: ``url``, else its canonical link, else og:url."""
    candidates = [url] + [link.get("href") for link in tree.iter("link") if (link.get("rel") or "").lower() == "canonical"]
    candidates += _meta_content(tree, ("og:url",))
    for candidate in candidates:
        if candidate and urlsplit(candidate.strip()).hostname:
            return candidate.strip()
    return None


def _site_host(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def _same_site(host: str, other: str) -> bool:
    return host == other or host.endswith("." + other) or other.endswith("." + host)


def points_within(href: str | None, page: str | None) -> bool:
    """Whether a link leads to another page of the site of ``page`` (unknown page: any web link).

    A link to the page itself (a table of contents, "back to top") leads nowhere else.
    """
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    if page is None:
        return not urlsplit(href).scheme or urlsplit(href).scheme in ("http", "https")
    here, target = urlsplit(page), urlsplit(urljoin(page, href))
    if target.scheme not in ("http", "https") or not _same_site(_site_host(here.hostname), _site_host(target.hostname)):
        return False
    return target.path.rstrip("/") != here.path.rstrip("/")


def link_texts(tree: HtmlElement, min_chars: int, page: str | None = None, *, within: bool = True) -> frozenset[str]:
    """Whitespace-normalised texts, at least ``min_chars`` long, of the page's links.

    With ``within``, only links to other pages of the site of ``page`` (its URL).
    """
    texts = (normalise_line(a.text_content()) for a in tree.iter("a")
             if not within or points_within(a.get("href"), page))
    return frozenset(t for t in texts if len(t) >= min_chars)


def link_share(text: str, links: frozenset[str]) -> float:
    """Share of ``text`` covered by link texts of the page (each counted once)."""
    covered = sum(len(link) for link in links if link in text)
    return min(1.0, covered / len(text)) if text else 0.0


def _meta_content(tree: HtmlElement, names: tuple[str, ...]) -> list[str]:
    values = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in names and meta.get("content"):
            values.append(normalise_line(meta.get("content")))
    return values


def page_titles(tree: HtmlElement) -> tuple[frozenset[str], frozenset[str]]:
    """(titles, descriptions) the page states in its head and <h1>, case-folded."""
    titles = _meta_content(tree, ("og:title", "twitter:title"))
    title = tree.find(".//title")
    if title is not None and title.text:
        titles.append(normalise_line(title.text))
    # only the first <h1>: pages that set their subheadings as <h1> have more
    first_h1 = next(tree.iter("h1"), None)
    if first_h1 is not None:
        titles.append(normalise_line(first_h1.text_content()))
    descriptions = _meta_content(tree, ("description", "og:description", "twitter:description"))
    return (frozenset(t.casefold() for t in titles if t), frozenset(d.casefold() for d in descriptions if d))


def _is_repeat(paragraph: str, stated: frozenset[str], separators: str) -> bool:
    """Whether the paragraph is a stated title/description, or one with a site suffix cut."""
    folded = paragraph.casefold()
    if folded in stated:
        return True
    # "<title>Headline - Site</title>" states the headline with the site's name appended
    for s in stated:
        if len(s) > len(folded) and s.startswith(folded):
            rest = s[len(folded):].lstrip()
            if rest and rest[0] in separators:
                return True
    return False


def _is_link_line(block: Block, links: frozenset[str], rule: LinkLineRule) -> bool:
    if block.kind not in rule.kinds:
        return False
    text = block.text
    words = len(text.split())
    if not rule.min_words <= words <= rule.max_words or rule.sentence_end.search(text):
        return False
    return link_share(text, links) >= rule.min_share


def drop_html_text_chrome(blocks: list[Block], titles: frozenset[str], descriptions: frozenset[str],
                          links: frozenset[str], rules: HtmlRules) -> tuple[list[str], list[Removal]]:
    """Paragraphs of ``blocks`` without repeats of the page's title or description, nor links.

    A description is only dropped from a heading (a standfirst set as <h2>): a paragraph
    equal to it is usually the lead that the site copied into its description. A short
    line that is (nearly) all link text is a teaser pointing elsewhere.
    """
    kept, removed = [], []
    for block in blocks:
        text = block.text
        short = len(text) <= rules.max_title_repeat_chars
        if short and _is_repeat(text, titles, rules.title_separators):
            removed.append(Removal("title", text, "title_repeat.v1"))
        elif short and block.kind in rules.description_repeat_kinds and _is_repeat(text, descriptions, rules.title_separators):
            removed.append(Removal("description", text, "description_repeat.v1"))
        elif _is_link_line(block, links, rules.link_line):
            removed.append(Removal(rules.link_line.category, text, rules.link_line.name))
        else:
            kept.append(text)
    return kept, removed


def extract_html(html: str, rules: HtmlRules, chrome: ChromeRules, *, url: str | None = None,
                 tree: HtmlElement | None = None) -> HtmlExtract:
    """Article paragraphs of ``html`` and the removals that led to them.

    ``chrome`` are the text chrome rules run on the paragraphs.  ``tree``, when the caller
    already parsed ``html`` with :func:`parse_html` (to read metadata, say), saves a second
    parse; it is pruned in place, so read it first.
    """
    if tree is None:
        tree = parse_html(html)
    if tree is None:
        return HtmlExtract()
    titles, descriptions = page_titles(tree)
    removed = prune_chrome(tree, rules)
    result = bare_extraction(tree, url=url, favor_precision=rules.favor_precision, include_comments=False,
                             with_metadata=False)
    if result is None or result.body is None:
        return HtmlExtract(removed=removed)
    links = link_texts(tree, rules.link_line.min_link_chars, page_url(tree, url), within=rules.link_line.within_site)
    paragraphs, repeats = drop_html_text_chrome(body_blocks(result.body), titles, descriptions, links, rules)
    paragraphs, cut = detect_chrome_paragraphs(paragraphs, chrome)
    return HtmlExtract(paragraphs=paragraphs, removed=removed + repeats + list(cut))
