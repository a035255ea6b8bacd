"""Where the article body runs in a text: from the first to the last prose line, cut at closing chrome.

The body ends early at chrome that closes an article (comment rules, donation appeals, an
app install block, a source credit), skips a standfirst above the byline, drops small
trailing segments cut off by a teaser list and takes in short closing sentences.
"""
from __future__ import annotations

import regex

from pipeline.text.lines import BULLET, SENTENCE_END, Line, is_prose
from pipeline.text.rules import ChromeRules, Structure

_SENTENCE_CLOSE = regex.compile(r"[.!?:。！？](?:[\"'”’»)\]]*)$")


def _is_terminal(lines: list[Line], i: int, prose_pair_after: list[bool]) -> bool:
    """Does line ``i`` close the article?

    A source credit closes it outright; closing chrome (comment rules, appeals, an app
    block) only when no two clean prose lines follow back to back: a donation box in the
    middle of an article does not end it, the body text goes on below.
    """
    line = lines[i]
    if line.meta == "attribution":
        return True
    return line.closing and not prose_pair_after[i]


def locate_body(lines: list[Line], rules: ChromeRules) -> tuple[int, int] | None:
    """Indices (first, last) of the article body, or None when no prose line exists."""
    s = rules.structure
    anchors = [i for i, ln in enumerate(lines)
               if not ln.any_chrome and not ln.meta and is_prose(ln, s)]
    if not anchors:
        # a short text: any clean sentence stands in for prose
        anchors = [i for i, ln in enumerate(lines)
                   if not ln.any_chrome and not ln.meta and not BULLET.match(ln.text)
                   and SENTENCE_END.search(ln.text)]
    if not anchors:
        return None
    # a lead paragraph printed again further down is the description, not the body
    first = anchors[0]
    if len(anchors) > 1 and any(ln.text == lines[first].text for ln in lines[first + 1:]):
        anchors.pop(0)
    start = _start_after_head_metadata(lines, anchors, s)
    anchors = [a for a in anchors if a >= start]
    anchor_set = set(anchors)
    # prose_pair_after[i]: two clean prose lines follow line i back to back somewhere below
    clean = [not ln.any_chrome and not ln.meta and is_prose(ln, s) for ln in lines]
    prose_pair_after = [False] * len(lines)
    for i in range(len(lines) - 3, -1, -1):
        prose_pair_after[i] = prose_pair_after[i + 1] or (clean[i + 1] and clean[i + 2])
    # next_anchor[i]: the first anchor after line i (len(lines) when none)
    next_anchor = [len(lines)] * len(lines)
    for i in range(len(lines) - 2, -1, -1):
        next_anchor[i] = i + 1 if i + 1 in anchor_set else next_anchor[i + 1]
    kept = [start]
    for i in range(start + 1, len(lines)):
        if _is_terminal(lines, i, prose_pair_after):
            break
        # a byline or dateline below the body ends it when no prose follows closely
        if lines[i].meta in ("byline", "dateline") and next_anchor[i] - i > s.meta_close_gap:
            break
        if i in anchor_set:
            kept.append(i)
    first, last = _trim_trailing_teasers(lines, kept, s)
    return first, _extend_over_closing_sentences(lines, last, s)


def _extend_over_closing_sentences(lines: list[Line], last: int, s: Structure) -> int:
    """Take in short sentences right under the last prose line ("He was just too good.").

    A sentence printed directly above chrome, or above closing chrome (an appeal, an app
    block), introduces it ("Get the news faster." over "Tap to install our app.") and stays out.
    """
    while last + 1 < len(lines):
        line = lines[last + 1]
        nxt = lines[last + 2] if last + 2 < len(lines) else None
        sentence = (line.words >= s.closing_sentence_min_words and _SENTENCE_CLOSE.search(line.text)
                    and not BULLET.match(line.text))
        introduces = nxt is not None and nxt.any_chrome is not None and (nxt.glued or nxt.closing)
        if not sentence or line.any_chrome or line.meta or introduces:
            break
        last += 1
    return last


def _start_after_head_metadata(lines: list[Line], anchors: list[int], s: Structure) -> int:
    """Skip a standfirst printed above the byline or dateline: the body starts below them."""
    start = anchors[0]
    window = range(start + 1, min(len(lines), start + s.head_meta_window + 1))
    meta_at = [i for i in window if lines[i].meta in ("byline", "dateline")]
    if not meta_at:
        return start
    later = [a for a in anchors if a > meta_at[-1]]
    before = [a for a in anchors if a < meta_at[-1]]
    return later[0] if later and len(before) <= s.head_meta_max_anchors else start


def _trim_trailing_teasers(lines: list[Line], anchors: list[int], s: Structure) -> tuple[int, int]:
    """Split the anchors at teaser or chrome blocks; drop small trailing segments (teaser cards)."""
    segments: list[list[int]] = [[anchors[0]]]
    for a, b in zip(anchors, anchors[1:]):
        gap = lines[a + 1:b]
        heading = any(ln.chrome and ln.chrome[0] == "related_links" for ln in gap)
        chrome_lines = sum(1 for ln in gap if ln.any_chrome)
        if (len(gap) >= s.split_gap_min_lines and heading) or chrome_lines >= s.split_gap_min_chrome:
            segments.append([b])
        else:
            segments[-1].append(b)

    def weight(seg: list[int]) -> int:
        return sum(lines[i].words for i in seg)

    # only the end is trimmed: a teaser card below the article; its start is settled already
    total = sum(weight(seg) for seg in segments)
    while len(segments) > 1 and weight(segments[-1]) < s.split_min_share * total:
        segments.pop()
    return segments[0][0], segments[-1][-1]
