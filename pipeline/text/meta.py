"""Metadata read around a text's article in the whole dump: its headline, byline and dateline.

The chrome step reads these from the article's region only; the headline often sits above
it (the region model starts at the first paragraph it believes), is a markdown ``#`` heading
the layout step turned into a plain line, or is printed twice (a breadcrumb's last crumb, a
share link). Here the lines just above the body's first paragraph are scored as headline
candidates; a byline or dateline split over two lines ("Written by" / the name) is read as
one; a byline glued to its date ("By Ann LeePublished: May 2, 2024") gives both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.config import Config
from pipeline.metadata.authors import is_person_name
from pipeline.metadata.dates import find_date_span
from pipeline.metadata.rules import load_metadata_rules
from pipeline.metadata.strings import clean_space, comparison_key
from pipeline.text.lines import BULLET, Line, apply_line_rules, is_prose, read_lines
from pipeline.schema import Structure, TextTitle
from pipeline.text.rules import ChromeRules

_MD_H1 = re.compile(r"^\s{0,3}#\s+(.*?)(?:\s+#+)?\s*$")
_MD_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`]+")
_WORD = re.compile(r"[^\W\d_]{3,}")
_LEADING_NUMBER = re.compile(r"^\d+[.)]\s")


@dataclass(frozen=True)
class TextMeta:
    """What the dump says around the article: None where it says nothing clear."""

    title: str | None = None
    byline: str | None = None
    date_raw: str | None = None


def markdown_headings(text: str) -> tuple[str, ...]:
    """The text of each level-1 markdown heading of ``text`` (link and emphasis marks read)."""
    out = []
    for line in text.split("\n"):
        match = _MD_H1.match(line)
        if match:
            heading = clean_space(_MD_MARKUP.sub(lambda m: m.group(1) or "", match.group(1)))
            if heading:
                out.append(heading)
    return tuple(out)


def body_start(lines: list[Line], paragraphs: list[str]) -> int:
    """Index of the line the body's first paragraph was read from (``len(lines)`` when none)."""
    if not paragraphs:
        return len(lines)
    first = " ".join(paragraphs[0].split())[:60]
    return next((i for i, line in enumerate(lines) if line.text.startswith(first)), len(lines))


def _content_words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _repeated(key: str, index: int, keys: list[str], words: list[int], own_words: int) -> bool:
    """Whether another line of the page prints the same headline: whole, or with a crumb
    trail, a number or a site name around it (not a paragraph that quotes it)."""
    for j, other in enumerate(keys):
        if j != index and key in other and words[j] <= own_words + 12:
            return True
    return False


def _eligible(line: Line, t: TextTitle, config: Config | None) -> bool:
    text = line.text
    if line.any_chrome or line.meta or BULLET.match(text) or _LEADING_NUMBER.match(text):
        return False
    if not t.min_words <= line.words <= t.max_words or len(text) < t.min_chars:
        return False
    if not text[0].isupper() and not text[0].isdigit() and text[0] not in "\"'“‘«¿¡":
        return False
    if text.endswith(".") and not text.endswith("..") and line.words >= t.sentence_min_words:
        return False  # a sentence: a standfirst or the article's first line
    span = find_date_span(text, config=config)
    return span is None or (span[1] - span[0]) < 0.6 * len(text)


def _evidence(lines: list[Line], i: int, start: int, keys: list[str], heading_keys: set[str],
              body: set[str], region_first: str | None, t: TextTitle, config: Config | None) -> float:
    """How strongly ``lines[i]`` reads as the page's headline (weights from ``[title]``)."""
    line = lines[i]
    score = 0.0
    if keys[i] in heading_keys:
        score += t.heading
    if len(keys[i]) >= t.repeat_min_chars and _repeated(keys[i], i, keys, [ln.words for ln in lines], line.words):
        score += t.repeated
    below = lines[i + 1:min(start, i + 1 + t.meta_after)]
    if any(b.meta in ("byline", "dateline") for b in below):
        score += t.above_meta
    if line.text == region_first:
        score += t.region_first
    if ":" in line.text:
        score += t.colon  # "Topic: what the article says", a headline's shape
    own = _content_words(line.text)
    if own:
        score += t.body_overlap * len(own & body) / len(own)
    if line.glued:
        score -= t.glued  # printed right under another line: a list, a menu, a card
    if line.words < t.short_words:
        score -= t.short
    elif line.words < t.headline_words:
        score -= t.few_words
    elif line.words >= t.long_words:
        score -= t.long
    if all(w[:1].isupper() for w in line.text.split()):
        score -= t.capitalised  # a menu item or a name: every word capitalised
    return score - t.distance * min(abs(start - i - 1), t.window)


def choose_title(lines: list[Line], start: int, headings: tuple[str, ...], paragraphs: list[str],
                 region_first: str | None, t: TextTitle, structure: Structure,
                 config: Config | None = None) -> str | None:
    """The headline among the ``t.window`` lines above ``lines[start]`` (and the body's first
    line when it is not prose), or None when no line there scores above ``t.min_score``: a
    wrong headline is worse than none."""
    keys = [comparison_key(line.text) for line in lines]
    heading_keys = {comparison_key(h) for h in headings[:t.headings]}
    body = _content_words(" ".join(paragraphs[:t.body_paragraphs]))
    best, best_score = None, t.min_score
    for i in range(max(0, start - t.window), min(len(lines), start + t.body_lines)):
        line = lines[i]
        if not _eligible(line, t, config) or (i >= start and is_prose(line, structure)):
            continue
        score = _evidence(lines, i, start, keys, heading_keys, body, region_first, t, config)
        if score > best_score:
            best, best_score = line.text, score
    return best


def read_text_meta(page: str, paragraphs: list[str], headings: tuple[str, ...], region_first: str | None,
                   rules: ChromeRules, t: TextTitle, config: Config | None = None) -> TextMeta:
    """Headline, byline and dateline of a laid-out dump ``page`` whose body is ``paragraphs``."""
    lines = read_lines(page, rules)
    start = body_start(lines, paragraphs)
    head = lines[max(0, start - t.window):start + t.body_lines]
    apply_line_rules(head, rules, paragraphs=False)
    return TextMeta(title=choose_title(lines, start, headings, paragraphs, region_first, t, rules.structure, config))
