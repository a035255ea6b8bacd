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

import regex
from dataclasses import dataclass

from pipeline.config import Config
from pipeline.metadata.authors import is_person_name, looks_like_byline
from pipeline.metadata.dates import find_date_span
from pipeline.metadata.rules import load_metadata_rules
from pipeline.metadata.strings import clean_space, comparison_key, comparison_keys
from pipeline.text.lines import BULLET, Line, Matches, apply_line_rules, is_prose, read_lines
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
    if "#" not in text:
        return ()
    for line in text.split("\n"):
        match = _MD_H1.match(line) if "#" in line else None
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


def _repeated(key: str, index: int, keys: list[str], words: list[int], own_words: int, page_keys: str) -> bool:
    """Whether another line of the page prints the same headline: whole, or with a crumb
    trail, a number or a site name around it (not a paragraph that quotes it).

    ``page_keys`` is ``keys`` joined by line breaks: a key found there once is its own line's.
    """
    if page_keys.count(key) < 2:
        return False
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


def _evidence(lines: list[Line], i: int, start: int, keys: list[str], words: list[int], heading_keys: set[str],
              body: set[str], region_first: str | None, t: TextTitle, page_keys: str) -> float:
    """How strongly ``lines[i]`` reads as the page's headline (weights from ``[title]``)."""
    line = lines[i]
    score = 0.0
    if keys[i] in heading_keys:
        score += t.heading
    if len(keys[i]) >= t.repeat_min_chars and _repeated(keys[i], i, keys, words, line.words, page_keys):
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
                 config: Config | None = None) -> int | None:
    """The index of the headline among the ``t.window`` lines above ``lines[start]`` (and the body's first
    line when it is not prose), or None when no line there scores above ``t.min_score``: a
    wrong headline is worse than none."""
    keys = comparison_keys([line.text for line in lines])
    page_keys = "\n".join(keys)
    words = [line.words for line in lines]
    heading_keys = {comparison_key(h) for h in headings[:t.headings]}
    body = _content_words(" ".join(paragraphs[:t.body_paragraphs]))
    best, best_score = None, t.min_score
    for i in range(max(0, start - t.window), min(len(lines), start + t.body_lines)):
        line = lines[i]
        if not _eligible(line, t, config) or (i >= start and is_prose(line, structure)):
            continue
        score = _evidence(lines, i, start, keys, words, heading_keys, body, region_first, t, page_keys)
        if score > best_score:
            best, best_score = i, score
    return best


# a renderer glues inline elements: "By Ann LeePublished: May 2, 2024", "ByDr. Ann Lee"
_GLUED_LABEL = regex.compile(r"(?<=\p{Ll})(?=(?:Published|Updated|Posted|Last [Uu]pdated)\b)")
_GLUED_BY = regex.compile(r"^By(?=\p{Lu}\p{Ll})")


def unglue(text: str) -> str:
    """A metadata line with the words a renderer glued together set apart again."""
    return _GLUED_BY.sub("By ", _GLUED_LABEL.sub(" | ", text))


def _is_dateline(line: Line, t: TextTitle, structure: Structure, config: Config | None) -> bool:
    """A short line that is or holds a full date (the chrome rules' datelines, and "* May 2,
    2024", "Desk / Updated: Dec 17, 2025"), not a sentence that mentions one."""
    if line.meta == "dateline":
        return True
    if line.meta or line.any_chrome or line.words > t.dateline_max_words:
        return False
    if line.words >= structure.meta_sentence_min_words and line.text.endswith((".", "!", "?")):
        return False
    return find_date_span(line.text, config=config) is not None


def _label_byline(lines: list[Line], i: int, label: regex.Pattern) -> str | None:
    """A byline label standing alone ("Written by", "Author:") and the name on the next line."""
    if i + 1 < len(lines) and label.match(lines[i].text) and lines[i + 1].words <= 6:
        return f"By {lines[i + 1].text}"
    return None


def read_text_meta(page: str, paragraphs: list[str], headings: tuple[str, ...], region_first: str | None,
                   rules: ChromeRules, t: TextTitle, config: Config | None = None,
                   seen: dict[str, Matches] | None = None) -> TextMeta:
    """Headline, byline and dateline of a laid-out dump ``page`` whose body is ``paragraphs``.

    The byline and dateline are the ones nearest above the body's first paragraph, within
    ``t.window`` lines (a label alone on its line reads with the next line). ``seen`` holds
    what the rules said of lines the chrome step read already.
    """
    lines = read_lines(page, rules)
    start = body_start(lines, paragraphs)
    low, high = max(0, start - t.window), min(len(lines), start + max(t.body_lines, t.meta_below))
    apply_line_rules(lines[low:high], rules, paragraphs=False, seen=seen)
    label = load_metadata_rules(config).bylines.label
    byline = date_raw = None
    date_at = None
    # nearest above the body first, then the body's first lines that are not prose (below a
    # headline kept as the first paragraph)
    below = [i for i in range(start, min(high, start + t.meta_below)) if not is_prose(lines[i], rules.structure)]
    for i in [*range(min(start, len(lines)) - 1, low - 1, -1), *below]:
        line = lines[i]
        if byline is None:
            text = unglue(line.raw.lstrip("*").strip())
            if line.meta == "byline" or (not line.any_chrome and looks_like_byline(text, config=config)):
                byline = text
            else:
                byline = _label_byline(lines, i, label)
        if date_raw is None and _is_dateline(line, t, rules.structure, config):
            date_raw, date_at = unglue(line.raw.lstrip("*").strip()), i
    if date_raw is None and byline is not None and find_date_span(byline, config=config):
        date_raw = byline  # "By Ann Lee - May 2, 2024"
    title_at = choose_title(lines, start, headings, paragraphs, region_first, t, rules.structure, config)
    if byline is None:
        common = {w for p in paragraphs[:t.body_paragraphs] for w in _WORD.findall(p) if w.islower()}
        byline = _bare_name(lines, [at for at in (title_at, date_at) if at is not None], low, high, common, t,
                            config)
    title = lines[title_at].text if title_at is not None else None
    return TextMeta(title=title, byline=byline, date_raw=date_raw)


def _bare_name(lines: list[Line], anchors: list[int], low: int, high: int, common: set[str], t: TextTitle,
               config: Config | None) -> str | None:
    """A line that is only a person's name, right beside the headline or the dateline: the
    byline of a page that prints no "By" (the nearest below an anchor first). A capitalised
    label ("Industry Insights", "Get Started") is no name: the body writes its words in
    lower case (``common``)."""
    for offset in t.name_offsets:
        for at in anchors:
            i = at + offset
            if low <= i < high and i not in anchors and not lines[i].any_chrome \
                    and is_person_name(lines[i].text, config=config) \
                    and not any(w.casefold() in common for w in _WORD.findall(lines[i].text)):
                return lines[i].text
    return None
