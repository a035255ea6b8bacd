"""Article paragraphs from an HTML page: markup cues prune chrome, trafilatura finds the body.

One lxml parse serves the whole path: the cues of ``configs/rules/html_chrome.toml``
remove figures, asides, menus, share / newsletter / related / comment / cookie widgets and
hidden elements from the tree (each recorded as a Removal), trafilatura extracts the body
from the pruned tree, and the text-level chrome detector of plain-text mode runs on the
resulting paragraphs so one taxonomy serves both kinds of input.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Callable
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.baseline import html2txt
from trafilatura.core import ESCALATION_ACCEPT_RATIO, ESCALATION_JUSTEXT_RATIO, ESCALATION_MAX_LENGTH, ESCALATION_PAGE_SHARE
from trafilatura.external import justext_rescue, sanitize_tree, try_readability
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.settings import Extractor
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from pipeline.document import Removal
from pipeline.html.blocks import Block, body_blocks
from pipeline.html.parse import parse_html, streamed_calls
from pipeline.html.prune import prune_chrome, visible_chars_at_most, visible_text
from pipeline.html.rules import HtmlRules, LinkLineRule
from pipeline.text.chrome import detect_chrome_paragraphs
from pipeline.text.rules import ChromeRules
from pipeline.text.lines import normalise_line


@dataclass
class HtmlExtract:
    """Article paragraphs of one page and what the HTML cues removed on the way."""

    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


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
    here_host, here_path = _site_and_path(page)
    target = urlsplit(href)
    if not (target.scheme and target.netloc):  # an absolute address is its own join
        target = urlsplit(urljoin(page, href))
    if target.scheme not in ("http", "https") or not _same_site(here_host, _site_host(target.hostname)):
        return False
    return target.path.rstrip("/") != here_path


@lru_cache(maxsize=16)
def _site_and_path(page: str) -> tuple[str, str]:
    """The site host and the path of a page's address (asked for each of its links)."""
    here = urlsplit(page)
    return _site_host(here.hostname), here.path.rstrip("/")


def link_texts(tree: HtmlElement, min_chars: int, page: str | None = None, *, within: bool = True) -> frozenset[str]:
    """Whitespace-normalised texts, at least ``min_chars`` long, of the page's links.

    With ``within``, only links to other pages of the site of ``page`` (its URL).
    """
    found: set[str] = set()
    # parsing addresses is the cost: each is judged once, and only for a text not yet found
    verdicts: dict[str | None, bool] = {}
    for a in tree.iter("a"):
        text = normalise_line(a.text_content())
        if len(text) < min_chars or text in found:
            continue
        if within:
            href = a.get("href")
            if href not in verdicts:
                verdicts[href] = points_within(href, page)
            if not verdicts[href]:
                continue
        found.add(text)
    return frozenset(found)


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


def _pruned_body(tree: HtmlElement, rules: HtmlRules, url: str | None, page_chars: Callable[[], int]):
    """(the cues' removals, the article body, its text) of ``tree``, pruned in place."""
    removed = prune_chrome(tree, rules)
    result = extract_body(tree, url, rules)
    body, text = (result.body, result.text or "") if result is not None else (None, "")
    if rules.recall_escalation:
        removed_chars = sum(len(removal.text) + 1 for removal in removed)
        body, text = recall_escalation(tree, body, text, removed_chars, page_chars, url)
    return (removed, *wider_body(tree, body, text, url, rules))


def page_text_chars(html: str) -> int:
    """Length of the text of the page as sent, as trafilatura measures it (comments off) for its recall escalation."""
    tree = parse_html(html)
    if tree is None:
        return 0
    for xpaths in (RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH):
        prune_unwanted_nodes(tree, xpaths)
    return len(html2txt(tree))


def recall_escalation(tree: HtmlElement, body, text: str, removed_chars: int, page_chars: Callable[[], int],
                      url: str | None):
    """(body, text): trafilatura's recall escalation, judged against the page as sent, not as pruned.

    trafilatura retries a short body in recall mode, with jusText beside it, where the body
    holds less than a fifth of the page's text. Pruning shrinks the page it measures, so the
    retry no longer runs where it would on the page as sent; here it runs on the pruned
    ``tree`` where the body is under a fifth of ``page_chars()``, the page as sent. That
    parses the page again, so it is asked only where the pruned tree's visible text and the
    ``removed_chars`` of the cues' removals (more than trafilatura counts) leave room. Where
    the body is under a fifth of the pruned page as well, trafilatura has run it already.
    """
    if body is None or not 0 < len(text) < ESCALATION_MAX_LENGTH:
        return body, text
    page = tree.find("body")
    most = visible_chars_at_most(page if page is not None else tree) + removed_chars
    if len(text) >= ESCALATION_PAGE_SHARE * most:
        return body, text
    pruned_chars = len(html2txt(tree))
    # trafilatura ran it itself where its body's text (as it counts it) is under a fifth of the pruned page
    if len(" ".join(body.itertext()).strip()) < ESCALATION_PAGE_SHARE * pruned_chars:
        return body, text
    # the pruned page and the removals hold at least the page as sent (on every dev page): a closer bound
    if len(text) >= ESCALATION_PAGE_SHARE * (pruned_chars + removed_chars):
        return body, text
    if len(text) >= ESCALATION_PAGE_SHARE * page_chars():
        return body, text
    options = Extractor(url=url, comments=False)
    justext_body, justext_text = justext_rescue(deepcopy(tree), options)
    retry = bare_extraction(deepcopy(tree), url=url, favor_recall=True, include_comments=False, with_metadata=False)
    retry_text = (retry.text or "") if retry is not None else ""
    if len(justext_text) > len(retry_text) and len(justext_text) > ESCALATION_JUSTEXT_RATIO * len(text):
        return justext_body, justext_text
    if len(retry_text) >= options.min_extracted_size and len(retry_text) > ESCALATION_ACCEPT_RATIO * len(text):
        return retry.body, retry_text
    return body, text


_PARAGRAPHS_AND_ITEMS = etree.XPath("count(.//p | .//li)")


def wider_body(tree: HtmlElement, body, text: str, url: str | None, rules: HtmlRules):
    """(body, text): readability's body of the pruned ``tree`` where it is far longer than trafilatura's ``text``.

    trafilatura reads the first element its XPaths name (the first ``class="content"``, one
    of several rich-text blocks) and misses the rest of an article that element holds only
    part of; readability scores every paragraph's parent. Its body is taken where its text is
    ``readability_longer_by`` times trafilatura's. It runs only where the page holds
    ``readability_page_holds`` times trafilatura's paragraphs (and list items) and text, and
    not where trafilatura's fallback pass ran: that pass has compared readability's body.
    """
    factor, holds = rules.readability_longer_by, rules.readability_page_holds
    page = tree.find("body")
    if not factor or page is None or falls_short(body, text, rules):
        return body, text
    # counting blocks is cheap and rules out most pages read whole before the text is measured
    blocks = len(body.findall(".//p")) + len(body.findall(".//item"))
    if _PARAGRAPHS_AND_ITEMS(page) < holds * blocks or len(visible_text(page)) < holds * len(text):
        return body, text
    other, other_text = sanitize_tree(try_readability(deepcopy(tree)), Extractor(url=url, comments=False))
    return (other, other_text) if len(other_text) >= factor * len(text) else (body, text)


def extract_body(tree: HtmlElement, url: str | None, rules: HtmlRules):
    """trafilatura's extraction of ``tree``; its fallback pass only where the fast pass falls short.

    The fallback (readability, then jusText, compared with trafilatura's own extraction)
    is most of trafilatura's time and changes a page's body only when that body is short
    or barely paragraphed. The fast pass prunes ``tree`` as the second pass does again
    (trafilatura copies the tree for everything else), so the second pass gives what one
    pass with the fallback gives.
    """
    options = {"url": url, "favor_precision": rules.favor_precision, "include_comments": False,
               "with_metadata": False}
    result = bare_extraction(tree, fast=True, **options)
    if falls_short(result.body if result is not None else None, result.text if result is not None else "", rules):
        result = bare_extraction(tree, **options)
    return result


def falls_short(body, text: str | None, rules: HtmlRules) -> bool:
    """Whether trafilatura's fast body is short or barely paragraphed: where its fallback pass runs."""
    return body is None or len(text or "") < rules.fallback_below_chars or len(body.findall(".//p")) <= 1


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
    page_chars = cache(lambda: page_text_chars(html))
    removed, body, text = _pruned_body(tree, rules, url, page_chars)
    if streamed_calls(html):
        # React's streamed blocks were put in place, as a browser shows them; where trafilatura
        # then finds less text (its class cues discard the container they land in), the page as sent
        as_sent = parse_html(html, place_streamed=False)
        other = _pruned_body(as_sent, rules, url, page_chars)
        if len(other[2]) > len(text):
            tree, (removed, body, text) = as_sent, other
    if body is None:
        return HtmlExtract(removed=removed)
    links = link_texts(tree, rules.link_line.min_link_chars, page_url(tree, url), within=rules.link_line.within_site)
    paragraphs, repeats = drop_html_text_chrome(body_blocks(body), titles, descriptions, links, rules)
    paragraphs, cut = detect_chrome_paragraphs(paragraphs, chrome)
    return HtmlExtract(paragraphs=paragraphs, removed=removed + repeats + list(cut))
