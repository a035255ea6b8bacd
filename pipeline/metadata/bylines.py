"""Bylines on a page: marked byline elements grouped by container, plain-text byline lines,
and the page's authors chosen among them, its JSON-LD and its ``<meta>`` author fields."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator, Pattern

from lxml import etree
from lxml.html import HtmlElement

from pipeline.config import Config
from pipeline.metadata.authors import _EDGE_PUNCT, byline_kind, is_person_name, looks_like_byline, normalise_authors
from pipeline.metadata.dates import find_date_span
from pipeline.metadata.jsonld import JsonLd
from pipeline.metadata.markup import (attribute_words, element_text, field_text, headline_wrappers,
                                      marked_elements, meta_values, outside_article)
from pipeline.metadata.rules import HtmlMetaRules, load_metadata_rules
from pipeline.metadata.site import is_site_account
from pipeline.metadata.strings import comparison_key


def _is_byline_element(element: HtmlElement, rules: HtmlMetaRules) -> bool:
    if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta", "link", "img", "head", "title") \
            or element.tag in rules.form_tags:
        return False
    if (element.get("rel") or "").lower() == "author" or (element.get("itemprop") or "").lower() == "author":
        return True
    if element.tag == "a" and rules.author_link_href.search(element.get("href") or ""):
        return True
    return _byline_words(attribute_words(element), rules.byline_attribute, rules.byline_exclude)


@lru_cache(maxsize=4096)
def _byline_words(words: str, attribute: Pattern[str], exclude: Pattern[str]) -> bool:
    """Whether an element's class / id / rel words mark a byline; a page repeats a few hundred
    attribute strings over its elements, and a site the same ones over its pages."""
    return bool(words) and bool(attribute.search(words)) and not exclude.search(words)


def _byline_groups(tree: HtmlElement, rules: HtmlMetaRules, wrappers: frozenset[HtmlElement],
                   config: Config | None = None) -> list[list[str]]:
    """Texts of byline elements, grouped by byline container, in page order.

    The innermost marked elements are read (a container's name links rather than the
    container with its date and labels); marks inside comments, teasers and sidebars are not.
    """
    body = tree.find("body")
    if body is None:
        return []
    # the elements that may be byline marks; _is_byline_element decides on them
    candidates = [e for e in marked_elements(body, rules.byline_attribute, rules.author_link_href) if e is not body]
    marked = [e for e in candidates if _is_byline_element(e, rules) and not outside_article(e, rules, wrappers)
              and element_text(e)]
    marked_set = set(marked)
    credit = load_metadata_rules(config).authors.credit_part
    innermost = [e for e in marked if not any(d in marked_set for d in e.iterdescendants())
                 and not _credited_before(e, credit)]
    groups: list[list[str]] = []
    containers: list[HtmlElement] = []
    for element in innermost:
        text = element_text(element)
        if len(text) > rules.byline_max_chars:
            text = _box_heading(element, rules)  # an author box: its name, not the bio
        if not text:
            continue
        container = element
        for _ in range(3):
            parent = container.getparent()
            if parent is None or parent.tag == "body":
                break
            container = parent
        for index, known in enumerate(containers):
            if known is container or container in set(known.iterancestors()) or known in set(container.iterancestors()):
                groups[index].append(text)
                break
        else:
            containers.append(container)
            groups.append([text])
    return groups


# a label before a byline element is this short: "Fact checked by", "Photo:"
_LABEL_MAX_CHARS = 30


def _credited_before(element: HtmlElement, credit: Pattern[str]) -> bool:
    """Whether the text right before ``element`` in its parent is a credit's label ("Fact
    checked by <span>Name</span>", "Reviewed by", "Photos:"): a reviewer, not the author."""
    parent = element.getparent()
    if parent is None:
        return False
    before = parent.text or ""
    for sibling in parent:
        if sibling is element:
            break
        if isinstance(sibling.tag, str):
            before = " ".join(sibling.itertext()) + (sibling.tail or "")
        else:
            before = sibling.tail or before
    label = field_text(before).strip(_EDGE_PUNCT)
    return 0 < len(label) <= _LABEL_MAX_CHARS and bool(credit.match(label))


_BOX_HEADINGS = ("h2", "h3", "h4", "h5", "h6", "strong", "b")


def _box_heading(box: HtmlElement, rules: HtmlMetaRules) -> str:
    """The first heading of an author box too long to be a byline (a name over a bio:
    "<h4>Bence Kovács</h4><p>Bence is ...</p>"), "" when it has none short enough."""
    for heading in box.iter(*_BOX_HEADINGS):
        text = element_text(heading)
        if text:
            return text if len(text) <= rules.byline_text_max_chars else ""
    return ""


_BLOCK_TAGS = frozenset(("p", "div", "li", "table", "ul", "ol", "section", "article"))
# what field_text turns into spaces in ASCII text, beside the edge punctuation of a line
_ASCII_SPACE = "\n\r\x0b\x0c"
_LINE_EDGE = _EDGE_PUNCT + _ASCII_SPACE


def _own_lines(element: HtmlElement, children: list[HtmlElement]) -> list[str]:
    """The raw text lines of an element without block children, split at ``<br>`` only, then
    the tails of its children (a tail may be a byline of its own: "<span>【纠错】</span> 责任编辑：焦鹏")."""
    parts: list[str] = [element.text or ""]
    tails: list[str] = []
    for child in children:
        if child.tag == "br":
            parts.append("\x00")
        elif isinstance(child.tag, str):
            parts.append(" ".join(child.itertext()))
        if isinstance(child.tag, str) and child.tail:
            tails.append(child.tail)
        parts.append(child.tail or "")
    return "".join(parts).split("\x00") + tails


def _text_bylines(tree: HtmlElement, rules: HtmlMetaRules, config: Config | None,
                  wrappers: frozenset[HtmlElement]) -> Iterator[str]:
    """Plain-text byline lines ("Von Claudia Lindner", "Text: X") in the page body."""
    body = tree.find("body")
    if body is None:
        return
    line_start = load_metadata_rules(config).bylines.line
    for element in body.iter(*rules.byline_text_tags):
        children = list(element)
        # a comment's or entity's tag is a function, never a block tag
        if children and not _BLOCK_TAGS.isdisjoint([c.tag for c in children]):
            continue
        for raw in _own_lines(element, children) if children else (element.text or "",):
            # most lines fail the byline prefix as written; in ASCII without entities cleaning
            # changes only whitespace, which the prefix pattern reads as \s+ anyway
            if raw.isascii() and "&" not in raw and not line_start.match(raw.lstrip(_LINE_EDGE)):
                continue
            line = field_text(raw)
            if line and len(line) <= rules.byline_text_max_chars and _text_byline(line, config) \
                    and not outside_article(element, rules, wrappers):
                yield line


def _text_byline(line: str, config: Config | None) -> bool:
    """Whether a page's text line is a byline; one first name only beside a date ("by Amanda
    · Dec 20, 2025"): alone, "By Role" is a menu's filter."""
    kind = byline_kind(line, config=config)
    return kind == "people" or (kind == "first_name" and find_date_span(line, config=config) is not None)


# the page's visible texts, in document order (script and style aside, blank ones too)
_VISIBLE_TEXT = ".//text()[normalize-space()][not(ancestor::script or ancestor::style)]"
_PAGE_TEXTS = etree.XPath(_VISIBLE_TEXT, smart_strings=False)
_PAGE_TEXT_AT = etree.XPath(f"({_VISIBLE_TEXT})[$n]")


def _label_bylines(tree: HtmlElement, rules: HtmlMetaRules, config: Config | None,
                   wrappers: frozenset[HtmlElement]) -> Iterator[str]:
    """Bylines split over two texts: a byline label standing alone ("Written by", "Author:",
    "Eingestellt von") and the name in the page's next text, read as "By <name>"."""
    body = tree.find("body")
    if body is None:
        return
    label = load_metadata_rules(config).bylines.label
    texts = _PAGE_TEXTS(body)
    for position, (text, following) in enumerate(zip(texts, texts[1:])):
        if len(text) > 60 or not label.match(field_text(text)):
            continue
        line = "By " + field_text(following)
        # plain strings are read a few times faster; the rare label's neighbour is looked up
        element = _PAGE_TEXT_AT(body, n=position + 2)[0].getparent()
        # a label standing alone is evidence enough for one first name ("Written by" / "Eliz")
        if len(line) <= rules.byline_text_max_chars and looks_like_byline(line, config=config, one_name=True) \
                and not outside_article(element, rules, wrappers):
            yield line


def choose_authors(tree: HtmlElement, fields: dict[str, list[str]], jsonld: JsonLd, site_name: str | None,
                   rules: HtmlMetaRules, config: Config | None) -> list[str]:
    """Authors that person-shaped and backed by the most other sources; ties go to the more
    trusted source (JSON-LD, meta, byline elements, then plain-text bylines). A page that
    names no person gets the team or company its author fields credit ("Podium Staff")."""
    def names(values: list[str] | str, site: str | None, organisations: bool = False) -> list[str]:
        return normalise_authors(values, site_name=site, config=config, organisations=organisations)

    # a schema.org Person is a person even when the site bears its name (one-person blogs),
    # unless it is named exactly like the site and not shaped like a person (the site's
    # account), or named like the site in capitals, as a brand is written ("USA TODAY")
    separators = load_metadata_rules(config).titles.separators
    accounts = [n for n in jsonld.people if n.isupper() and is_site_account(n, site_name, separators)]
    people = [p for p in names([n for n in jsonld.people if n not in accounts], None)
              if not is_site_account(p, site_name, separators) or is_person_name(p, config=config)]
    authors = [n for n in jsonld.authors if n not in accounts]
    meta = [v for _, v in meta_values(fields, rules.author_meta)]
    # the headline's ancestors, read once for the three byline sources below
    wrappers = headline_wrappers(tree)
    # one byline's elements read as one byline: "Reuters, Washington" is an agency and a place
    groups = _byline_groups(tree, rules, wrappers, config)
    candidates = [("jsonld", people or names(authors, site_name)), ("meta", names(meta, site_name))]
    candidates += [(f"byline{i}", names(" , ".join(group), site_name)) for i, group in enumerate(groups)]
    for source, lines in (("text", _text_bylines(tree, rules, config, wrappers)),
                          ("label", _label_bylines(tree, rules, config, wrappers))):
        candidates.append((source, next((n for n in (names(line, site_name) for line in lines) if n), [])))
    best = _best_supported(candidates, rules, config)
    if best or not rules.credit_organisations:
        return best
    # no person: the organisation the author fields credit, the site's own name included;
    # each element of a byline on its own ("Houzz Deutschland", "vor 5 Stunden")
    credited = [("jsonld", names(jsonld.authors, None, True)), ("meta", names(meta, None, True))]
    credited += [(f"byline{i}", names(group, None, True)) for i, group in enumerate(groups)]
    return _best_supported(credited, rules, config)


# the page's author fields: a list there is the article's, however long (byline boxes are capped)
_FIELDS = ("jsonld", "meta")


def _kind(source: str) -> str:
    """The kind of a candidate's source: every byline element group is one kind."""
    return source.rstrip("0123456789")


def _best_supported(candidates: list[tuple[str, list[str]]], rules: HtmlMetaRules,
                    config: Config | None) -> list[str]:
    """The candidate names person-shaped and backed by the most sources of other kinds, less
    the names none backs (a byline box that also lists editors and reviewers); ties go to the
    source naming more backed names, then to the earlier (more trusted) source."""
    candidates = [(group, found) for group, found in candidates
                  if found and (group in _FIELDS or len(found) <= rules.max_byline_names)]
    keys = [{comparison_key(n) for n in found} for _, found in candidates]
    kinds = [_kind(group) for group, _ in candidates]
    best: list[str] = []
    best_score: tuple = ()
    for index, (group, found) in enumerate(candidates):
        # another element of the same kind is no independent witness: a carousel of
        # testimonials printed twice, a teaser list, backs itself
        others = [keys[other] for other in range(len(candidates)) if kinds[other] != kinds[index]]
        support = sum(1 for other in others if keys[index] & other)
        # names only this source gives count against it once two others back it: a lone
        # label byline reads only the first of "By <a>A</a> and <a>B</a>"
        backed = sum(1 for key in keys[index] if any(key in other for other in others))
        unbacked = len(keys[index]) - backed if support >= 2 else 0
        # on a tie, the source naming more of the names others back: "von A, B" in the
        # byline over a meta author field that names only A
        score = (any(is_person_name(n, config=config) for n in found), support - unbacked, backed, -index)
        if score > best_score:
            best, best_score = found, score
    return best
