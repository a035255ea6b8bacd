"""The zones around the body of a text: metadata fields out of the head and tail, every other line labelled.

Lines before the body give the title, description, byline and dateline; lines after it
are chrome when a rule names them or they sit right beside such a line (the chrome block),
and article text otherwise. Inside the body, a teaser heading takes the list under it.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.document import Removal
from pipeline.text.lines import BULLET, Line, is_prose
from pipeline.text.rules import Structure

# structural labels of the zones, versioned like rules
RULE_HEAD_TEASER = "head_teaser.v1"
RULE_HEAD_SHORT = "head_short.v1"
RULE_TAIL_BLOCK = "tail_chrome_block.v1"
RULE_RELATED_BLOCK = "related_list.v1"
_NAME_TOKEN = regex.compile(r"^\p{Lu}[\p{L}'’.-]*$")


@dataclass
class TextClean:
    """The article paragraphs, the removals, and the metadata lines found in the text."""

    paragraphs: list[str]
    removed: list[Removal]
    title: str | None = None
    description: str | None = None
    byline: str | None = None
    date_raw: str | None = None
    attribution: str | None = None


def _is_name(line: Line, s: Structure) -> bool:
    tokens = line.text.split()
    return (s.name_min_words <= len(tokens) <= s.name_max_words
            and all(_NAME_TOKEN.match(t) for t in tokens))


def read_head(lines: list[Line], out: TextClean, s: Structure) -> list[tuple[int, str, str]]:
    """Fill title/description/byline/dateline from the head; return its chrome labels."""
    removals: list[tuple[int, str, str]] = []
    candidates: list[int] = []
    for i, line in enumerate(lines):
        if line.any_chrome:
            category, rule = line.any_chrome
            removals.append((i, category, rule))
        elif line.meta:
            set_meta(out, line)
        elif BULLET.match(line.text):
            removals.append((i, "navigation", RULE_HEAD_SHORT))
        else:
            candidates.append(i)
    if candidates:
        title_at = candidates[-1]
        if len(candidates) >= 2 and lines[candidates[-1]].words > lines[candidates[-2]].words:
            title_at = candidates[-2]
            out.description = lines[candidates[-1]].text
        out.title = lines[title_at].text
        for i in candidates:
            if i < title_at:
                short = lines[i].words <= s.short_line_max_words
                removals.append((i, "navigation" if short else "related_links",
                                 RULE_HEAD_SHORT if short else RULE_HEAD_TEASER))
    return removals


def read_tail(lines: list[Line], out: TextClean, s: Structure) -> list[tuple[int, str, str]]:
    """Take metadata out of the tail; label the tail's chrome: lines a rule names and the lines
    right beside them (a prose paragraph only beside closing chrome or between chrome lines).
    Every other tail line is article text."""
    labels: dict[int, tuple[str, str]] = {}
    seen_chrome = False
    for i, line in enumerate(lines):
        if line.any_chrome:
            labels[i] = line.any_chrome
            seen_chrome = True
        elif line.meta:
            set_meta(out, line)
        elif (not seen_chrome and out.byline is None and i < s.tail_byline_window
              and _is_name(line, s)):
            line.meta = "byline"
            set_meta(out, line)
    removals: list[tuple[int, str, str]] = []
    reach = s.tail_block_reach
    page_end = next((i for i in sorted(labels) if labels[i][1] in s.tail_page_end_rules), len(lines))
    for i, line in enumerate(lines):
        if line.meta:
            continue
        if i in labels:
            removals.append((i, *labels[i]))
            continue
        # a line beside a chrome block belongs to it: the block it introduces, else the one
        # above (any distance below the page's end); a line out of reach of any is left to the article.
        # A prose paragraph belongs to a block of closing chrome (an author box, appeals, comment
        # rules: their own sentences) or to one it sits inside (a teaser card's blurb); under a
        # share bar or a teaser heading alone it is the article's
        lowest = 0 if i > page_end else max(0, i - reach)
        below = [j for j in range(i + 1, min(len(lines), i + 1 + reach)) if j in labels]
        above = [j for j in range(i - 1, lowest - 1, -1) if j in labels]
        if not below and not above:
            continue
        if is_prose(line, s) and not (below and above) and not any(lines[j].closing for j in below + above):
            continue
        removals.append((i, labels[(below or above)[0]][0], RULE_TAIL_BLOCK))
    return removals


def body_labels(lines: list[Line], start: int, end: int, s: Structure) -> dict[int, tuple[str, str]]:
    """Chrome inside the body: rule matches, plus the list a teaser heading introduces."""
    labels: dict[int, tuple[str, str]] = {}
    in_block = False
    for i in range(start, end + 1):
        line = lines[i]
        if line.chrome:
            labels[i] = line.chrome
            # a bare heading ("Trending News", "More:") introduces a list; "READ: X" is one teaser
            in_block = line.chrome[0] == "related_links" and line.words <= s.block_heading_max_words
        elif in_block and (BULLET.match(line.text) or line.glued) and not _is_prose_paragraph(line, s):
            labels[i] = ("related_links", RULE_RELATED_BLOCK)
        else:
            in_block = False
    return labels


def _is_prose_paragraph(line: Line, s: Structure) -> bool:
    return not BULLET.match(line.text) and is_prose(line, s)


def set_meta(out: TextClean, line: Line) -> None:
    text = line.raw.lstrip("*").strip()
    if line.meta == "byline" and out.byline is None:
        out.byline = text
    elif line.meta == "dateline" and out.date_raw is None:
        out.date_raw = text
    elif line.meta == "attribution" and out.attribution is None:
        out.attribution = text
