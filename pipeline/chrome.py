"""Plain-text chrome detection: split article text from captions, appeals, teasers and menus.

Rules come from ``configs/rules/text_chrome.toml``; this module holds the mechanism.
Each line is labelled by the rules (chrome category, or a metadata field), then the
article body is located structurally: it runs from the first to the last prose line,
ends early at chrome that closes an article (comment rules, donation appeals, an app
install block, a source credit), and drops edge blocks cut off by a teaser list. Lines
before the body give the title, description, byline and dateline; lines after it are
chrome, labelled by their own rule or by the chrome block they sit in.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline import schema
from pipeline.config import Config
from pipeline.document import Removal

SECTION = "text_chrome"
META_FIELDS = ("byline", "dateline", "attribution")

# Structural labels are mechanisms, not phrase lists; their names are versioned like rules.
RULE_REPEATED = "caption_repeated.v1"
RULE_BEFORE_CREDIT = "caption_before_credit.v1"
RULE_IMAGE_HEADLINE = "caption_headline.v1"
RULE_HEAD_TEASER = "head_teaser.v1"
RULE_HEAD_SHORT = "head_short.v1"
RULE_TAIL_BLOCK = "tail_chrome_block.v1"
RULE_TAIL_SHORT = "tail_short.v1"
RULE_TAIL_TEASER = "tail_teaser.v1"
RULE_RELATED_BLOCK = "related_list.v1"

_SENTENCE_END = regex.compile(r"[.!?。！？…](?:[\"'”’»)\]]*)(?:\s|$)")
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
_SENTENCE_CLOSE = regex.compile(r"[.!?:。！？](?:[\"'”’»)\]]*)$")
_BULLET = regex.compile(r"^[*+•·–-]\s")
_TRUNCATION = regex.compile(r"\s*(?:\.\.\.|…)\s*\w*$")
_NAME_TOKEN = regex.compile(r"^\p{Lu}[\p{L}'’.-]*$")


@dataclass(frozen=True)
class LineRule:
    """One chrome rule: a pattern, the category it assigns, where it may apply."""

    name: str
    category: str
    pattern: regex.Pattern
    max_words: int | None = None
    zone: str = "any"
    terminal: bool = False

    def matches(self, text: str, words: int) -> regex.Match | None:
        if self.max_words is not None and words > self.max_words:
            return None
        return self.pattern.search(text)


# Thresholds of the structural detector (the [text_chrome.structure] table).
Structure = schema.Structure


@dataclass(frozen=True)
class ChromeRules:
    """The parsed ``text_chrome`` section."""

    rules: tuple[LineRule, ...]
    inline: tuple[LineRule, ...]
    meta: tuple[tuple[str, LineRule], ...]
    site_name: tuple[LineRule, ...]
    structure: Structure


@dataclass
class TextClean:
    """The article paragraphs, the removals, and the metadata lines found in the text."""

    paragraphs: list[str]
    removed: list[Removal]
    title: str | None = None
    description: str | None = None
    byline: str | None = None
    date_raw: str | None = None
    site_name: str | None = None
    attribution: str | None = None


@dataclass
class _Line:
    """One non-empty line of the input with what the rules and the structure say of it."""

    text: str
    raw: str             # the line as printed, for metadata fields kept "as found"
    glued: bool          # printed directly under the previous line, no blank line between
    words: int
    rule: LineRule | None = None        # chrome rule that applies anywhere
    outside: LineRule | None = None     # chrome rule that applies only outside the body
    meta: str | None = None
    structural: tuple[str, str] | None = None  # (category, rule) from structure

    @property
    def chrome(self) -> tuple[str, str] | None:
        if self.structural:
            return self.structural
        if self.rule:
            return self.rule.category, self.rule.name
        return None

    @property
    def closing(self) -> bool:
        """Matched by a rule for chrome that closes an article (appeals, comment rules...)."""
        rule = self.rule or self.outside
        return rule is not None and rule.terminal

    @property
    def any_chrome(self) -> tuple[str, str] | None:
        if self.chrome:
            return self.chrome
        if self.outside:
            return self.outside.category, self.outside.name
        return None


# ------------------------------------------------------------------ configuration

def _line_rule(entry: schema.LineRule, category: str | None = None) -> LineRule:
    flags = regex.V0 | (0 if entry.case_sensitive else regex.IGNORECASE)
    return LineRule(name=entry.name, category=category or entry.category,
                    pattern=regex.compile(entry.pattern, flags), max_words=entry.max_words,
                    zone=entry.zone, terminal=entry.terminal)


def _build_rules(table: schema.TextChrome) -> ChromeRules:
    return ChromeRules(rules=tuple(_line_rule(e) for e in table.rule),
                       inline=tuple(_line_rule(e) for e in table.inline),
                       meta=tuple((kind, _line_rule(e, category=kind))
                                  for kind in META_FIELDS for e in getattr(table, kind)),
                       site_name=tuple(_line_rule(e, category="site_name") for e in table.site_name),
                       structure=table.structure)


def load_chrome_rules(config: Config) -> ChromeRules:
    """The compiled ``text_chrome`` rules of ``config`` (checked when it was loaded)."""
    return config.built(SECTION, lambda: _build_rules(config.rules.text_chrome))


# ------------------------------------------------------------------ line features

def normalise_line(text: str) -> str:
    """Collapse runs of whitespace (NBSP included) and strip."""
    return " ".join(text.split())


def count_words(text: str, letters_per_word: int) -> int:
    """Words in a line; text in scripts without spaces counts by letters."""
    tokens = text.split()
    if not _UNSPACED.search(text):
        return len(tokens)
    total = 0
    for token in tokens:
        unspaced = len(_UNSPACED.findall(token))
        total += max(1, unspaced // max(1, letters_per_word)) if unspaced > letters_per_word else 1
    return total


def _is_prose(line: _Line, s: Structure) -> bool:
    if _BULLET.match(line.text):
        return False  # list items (teaser lists, menus) never anchor the body on their own
    if line.words >= s.anchor_min_words_unpunctuated:
        return True
    return line.words >= s.anchor_min_words and bool(_SENTENCE_END.search(line.text))


def _is_headline(line: _Line, s: Structure) -> bool:
    return 0 < line.words <= s.headline_max_words and not line.text.endswith(".")


def _is_name(line: _Line, s: Structure) -> bool:
    tokens = line.text.split()
    return (s.name_min_words <= len(tokens) <= s.name_max_words
            and all(_NAME_TOKEN.match(t) for t in tokens))


def _read_lines(text: str, rules: ChromeRules) -> list[_Line]:
    lines: list[_Line] = []
    glued = False
    for raw in text.splitlines():
        clean = normalise_line(raw)
        if not clean:
            glued = False
            continue
        lines.append(_Line(text=clean, raw=raw.strip(), glued=glued and bool(lines),
                           words=count_words(clean, rules.structure.letters_per_word)))
        glued = True
    return lines


def _label(lines: list[_Line], rules: ChromeRules, paragraphs: bool) -> None:
    """Attach rule matches (chrome and metadata) and structural caption labels.

    ``paragraphs`` is true for already-extracted paragraphs: no metadata lines, no
    outside-zone rules, and no blank-line layout to go by.
    """
    s = rules.structure
    for line in lines:
        for rule in rules.rules:
            if rule.matches(line.text, line.words):
                if rule.zone == "any":
                    line.rule = rule
                    break
                if line.outside is None:
                    line.outside = rule
        # a full sentence that starts with a date or "By ..." is body text, not a dateline
        sentence = line.words >= s.meta_sentence_min_words and line.text.endswith((".", "!", "?"))
        if not paragraphs and line.rule is None and not sentence:
            for kind, rule in rules.meta:
                if rule.matches(line.text, line.words):
                    line.meta = kind
                    break
    # an outside-zone rule needs closing chrome next to it (a reader-facing block of appeals
    # or comment rules), so a body sentence that mentions comments or donations stays
    flagged = [ln.closing for ln in lines]
    for i, line in enumerate(lines):
        if line.outside is not None and line.rule is None:
            near = (i > 0 and flagged[i - 1]) or (i + 1 < len(lines) and flagged[i + 1])
            if not near:
                line.outside = None
    # a caption printed twice, back to back (the second copy perhaps cut short: "... more")
    for prev, line in zip(lines, lines[1:]):
        if prev.meta or line.words < s.repeat_min_words:
            continue
        shortened = line.chrome and line.chrome[0] == "image_caption" and \
            prev.text.startswith(_TRUNCATION.sub("", line.text)) and line.text != prev.text
        if prev.text == line.text:
            prev.structural = line.structural = ("image_caption", RULE_REPEATED)
        elif shortened:
            prev.structural = ("image_caption", RULE_REPEATED)
    for i, line in enumerate(lines):
        if line.chrome or line.meta or i + 1 >= len(lines):
            continue
        nxt = lines[i + 1]
        if not nxt.chrome or nxt.chrome[0] != "image_caption":
            continue
        # a caption sits above its bare credit line ("(Walt Disney Co.)"): in text, printed
        # right under it with no blank line; among extracted paragraphs, a line of caption
        # length without a closing full stop (a short one is a subheading over a photo)
        credit_only = nxt.rule is not None and nxt.rule.max_words is not None
        tied = nxt.glued if not paragraphs else (
            not line.text.endswith(".") and line.words >= s.caption_min_words)
        if credit_only and line.words <= s.caption_max_words and tied:
            line.structural = ("image_caption", RULE_BEFORE_CREDIT)
        # an image's own headline sits right above its caption
        elif nxt.glued and not credit_only and _is_headline(line, s) and not _is_prose(line, s):
            line.structural = ("image_caption", RULE_IMAGE_HEADLINE)


# ------------------------------------------------------------------ body location

def _is_terminal(lines: list[_Line], i: int, prose_pair_after: list[bool]) -> bool:
    """Does line ``i`` close the article?

    A source credit closes it outright; closing chrome (comment rules, appeals, an app
    block) only when no two clean prose lines follow back to back: a donation box in the
    middle of an article does not end it, the body text goes on below.
    """
    line = lines[i]
    if line.meta == "attribution":
        return True
    return line.closing and not prose_pair_after[i]


def _locate_body(lines: list[_Line], rules: ChromeRules) -> tuple[int, int] | None:
    """Indices (first, last) of the article body, or None when no prose line exists."""
    s = rules.structure
    anchors = [i for i, ln in enumerate(lines)
               if not ln.any_chrome and not ln.meta and _is_prose(ln, s)]
    if not anchors:
        # a short text: any clean sentence stands in for prose
        anchors = [i for i, ln in enumerate(lines)
                   if not ln.any_chrome and not ln.meta and not _BULLET.match(ln.text)
                   and _SENTENCE_END.search(ln.text)]
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
    clean = [not ln.any_chrome and not ln.meta and _is_prose(ln, s) for ln in lines]
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


def _extend_over_closing_sentences(lines: list[_Line], last: int, s: Structure) -> int:
    """Take in short sentences right under the last prose line ("He was just too good.").

    A sentence printed directly above chrome, or above closing chrome (an appeal, an app
    block), introduces it ("Get the news faster." over "Tap to install our app.") and stays out.
    """
    while last + 1 < len(lines):
        line = lines[last + 1]
        nxt = lines[last + 2] if last + 2 < len(lines) else None
        sentence = (line.words >= s.closing_sentence_min_words and _SENTENCE_CLOSE.search(line.text)
                    and not _BULLET.match(line.text))
        introduces = nxt is not None and nxt.any_chrome is not None and (nxt.glued or nxt.closing)
        if not sentence or line.any_chrome or line.meta or introduces:
            break
        last += 1
    return last


def _start_after_head_metadata(lines: list[_Line], anchors: list[int], s: Structure) -> int:
    """Skip a standfirst printed above the byline or dateline: the body starts below them."""
    start = anchors[0]
    window = range(start + 1, min(len(lines), start + s.head_meta_window + 1))
    meta_at = [i for i in window if lines[i].meta in ("byline", "dateline")]
    if not meta_at:
        return start
    later = [a for a in anchors if a > meta_at[-1]]
    before = [a for a in anchors if a < meta_at[-1]]
    return later[0] if later and len(before) <= s.head_meta_max_anchors else start


def _trim_trailing_teasers(lines: list[_Line], anchors: list[int], s: Structure) -> tuple[int, int]:
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


# ------------------------------------------------------------------ zones

def _head(lines: list[_Line], out: TextClean, s: Structure) -> list[tuple[int, str, str]]:
    """Fill title/description/byline/dateline from the head; return its chrome labels."""
    removals: list[tuple[int, str, str]] = []
    candidates: list[int] = []
    for i, line in enumerate(lines):
        if line.any_chrome:
            category, rule = line.any_chrome
            removals.append((i, category, rule))
        elif line.meta:
            _set_meta(out, line)
        elif _BULLET.match(line.text):
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


def _tail(lines: list[_Line], out: TextClean, s: Structure) -> list[tuple[int, str, str]]:
    """Take metadata out of the tail; label every other tail line as chrome."""
    labels: dict[int, tuple[str, str]] = {}
    seen_chrome = False
    for i, line in enumerate(lines):
        if line.any_chrome:
            labels[i] = line.any_chrome
            seen_chrome = True
        elif line.meta:
            _set_meta(out, line)
        elif (not seen_chrome and out.byline is None and i < s.tail_byline_window
              and _is_name(line, s)):
            line.meta = "byline"
            _set_meta(out, line)
    next_label: list[tuple[str, str] | None] = [None] * len(lines)
    previous_label: list[tuple[str, str] | None] = [None] * len(lines)
    for i in range(len(lines) - 2, -1, -1):
        next_label[i] = labels.get(i + 1) or next_label[i + 1]
    for i in range(1, len(lines)):
        previous_label[i] = labels.get(i - 1) or previous_label[i - 1]
    removals: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        if line.meta:
            continue
        if i in labels:
            removals.append((i, *labels[i]))
            continue
        # a line inside a chrome block belongs to it: the block it introduces, else the one above
        neighbour = next_label[i] or previous_label[i]
        if neighbour:
            removals.append((i, neighbour[0], RULE_TAIL_BLOCK))
        elif line.words <= s.short_line_max_words:
            removals.append((i, "navigation", RULE_TAIL_SHORT))
        else:
            removals.append((i, "related_links", RULE_TAIL_TEASER))
    return removals


def _body_labels(lines: list[_Line], start: int, end: int, s: Structure) -> dict[int, tuple[str, str]]:
    """Chrome inside the body: rule matches, plus the list a teaser heading introduces."""
    labels: dict[int, tuple[str, str]] = {}
    in_block = False
    for i in range(start, end + 1):
        line = lines[i]
        if line.chrome:
            labels[i] = line.chrome
            # a bare heading ("Trending News", "More:") introduces a list; "READ: X" is one teaser
            in_block = line.chrome[0] == "related_links" and line.words <= s.block_heading_max_words
        elif in_block and (_BULLET.match(line.text) or line.glued) and not _is_prose_paragraph(line, s):
            labels[i] = ("related_links", RULE_RELATED_BLOCK)
        else:
            in_block = False
    return labels


def _is_prose_paragraph(line: _Line, s: Structure) -> bool:
    return not _BULLET.match(line.text) and _is_prose(line, s)


def _set_meta(out: TextClean, line: _Line) -> None:
    text = line.raw.lstrip("*").strip()
    if line.meta == "byline" and out.byline is None:
        out.byline = text
    elif line.meta == "dateline" and out.date_raw is None:
        out.date_raw = text
    elif line.meta == "attribution" and out.attribution is None:
        out.attribution = text


def _cut_inline(text: str, rules: ChromeRules) -> tuple[str, list[Removal]]:
    removals = []
    for rule in rules.inline:
        match = rule.pattern.search(text)
        if match and match.start() > 0:
            removals.append(Removal(rule.category, match.group(0).strip(), rule.name))
            text = text[:match.start()].rstrip()
    return text, removals


def _site_name(lines: list[_Line], rules: ChromeRules) -> str | None:
    for line in lines:
        rule = line.rule or line.outside
        if rule and "site" in rule.pattern.groupindex:
            match = rule.pattern.search(line.text)
            if match and match.group("site"):
                return match.group("site").strip()
    for rule in rules.site_name:
        for line in lines:
            match = rule.pattern.search(line.text)
            if match and match.group("site"):
                return match.group("site").strip()
    return None


# ------------------------------------------------------------------ public API

def clean_text(text: str, rules: ChromeRules) -> TextClean:
    """Split a plain-text article into body paragraphs, chrome removals and metadata lines."""
    s = rules.structure
    lines = _read_lines(text, rules)
    _label(lines, rules, paragraphs=False)
    out = TextClean(paragraphs=[], removed=[])
    out.site_name = _site_name(lines, rules)
    span = _locate_body(lines, rules)
    if span is None:
        # no prose at all: keep what no rule claims, the first headline being the title
        start, end = len(lines), len(lines) - 1
        head_labels = _head(lines, out, s)
    else:
        start, end = span
        head_labels = _head(lines[:start], out, s)
    labels = {i: (c, r) for i, c, r in head_labels}
    labels.update(_body_labels(lines, start, end, s))
    for i in range(start, end + 1):
        if lines[i].meta and i not in labels:
            _set_meta(out, lines[i])  # a byline or dateline inside the body is a field too
    for i, c, r in _tail(lines[end + 1:], out, s):
        labels[end + 1 + i] = (c, r)
    for i, line in enumerate(lines):
        if i in labels:
            out.removed.append(Removal(labels[i][0], line.text, labels[i][1]))
        elif start <= i <= end and not line.meta:
            kept, cut = _cut_inline(line.text, rules)
            out.removed.extend(cut)
            out.paragraphs.append(kept)
    return out


def detect_chrome_paragraphs(paragraphs: list[str], rules: ChromeRules) -> tuple[list[str], list[Removal]]:
    """The chrome rules alone, for already-extracted paragraphs: (kept, removals).

    Only rules that hold anywhere apply, plus captions printed twice or above a credit and
    inline teaser spans; no title, byline or zone logic.
    """
    lines = [_Line(text=normalise_line(p), raw=p, glued=False,
                   words=count_words(p, rules.structure.letters_per_word)) for p in paragraphs]
    lines = [ln for ln in lines if ln.text]
    _label(lines, rules, paragraphs=True)
    kept: list[str] = []
    removed: list[Removal] = []
    for line in lines:
        if line.chrome:
            removed.append(Removal(line.chrome[0], line.text, line.chrome[1]))
        else:
            text, cut = _cut_inline(line.text, rules)
            removed.extend(cut)
            kept.append(text)
    return kept, removed
