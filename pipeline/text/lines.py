"""Lines of a text and what the chrome rules say of each: the rule that matches, metadata, captions.

A line is labelled by the rules of ``[text_chrome]`` (a chrome category, or a metadata
field) and by structure: a caption printed twice, a caption above its bare credit, an
image's headline above its caption.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.text.rules import ChromeRules, LineRule, Structure

# Structural labels are mechanisms, not phrase lists; their names are versioned like rules.
RULE_REPEATED = "caption_repeated.v1"
RULE_BEFORE_CREDIT = "caption_before_credit.v1"
RULE_IMAGE_HEADLINE = "caption_headline.v1"

SENTENCE_END = regex.compile(r"[.!?。！？…](?:[\"'”’»)\]]*)(?:\s|$)")
BULLET = regex.compile(r"^[*+•·–-]\s")
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
# a sentence ends inside a line where a lower-case word is closed by . ! or ? and a capital
# follows: not after an abbreviation ("Nov. 19", "Ind., Mayor", "Sen. Smith", "5 p.m. Monday")
_NEXT_SENTENCE = regex.compile(r"(?<![\p{L}\p{N}.'’-])\p{Ll}{2,}[.!?][\"'”’»)\]]*\s+[\"'“‘(]?\p{Lu}")
_TRUNCATION = regex.compile(r"\s*(?:\.\.\.|…)\s*\w*$")


@dataclass(slots=True)
class Line:
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


def normalise_line(text: str) -> str:
    """Collapse runs of whitespace (NBSP included) and strip."""
    return " ".join(text.split())


def count_words(text: str, letters_per_word: int, tokens: list[str] | None = None) -> int:
    """Words in a line; text in scripts without spaces counts by letters.

    ``tokens`` are the line's whitespace-separated tokens when the caller has them already.
    """
    if tokens is None:
        tokens = text.split()
    if text.isascii() or not _UNSPACED.search(text):
        return len(tokens)
    total = 0
    for token in tokens:
        unspaced = len(_UNSPACED.findall(token))
        total += max(1, unspaced // max(1, letters_per_word)) if unspaced > letters_per_word else 1
    return total


def is_prose(line: Line, s: Structure) -> bool:
    """Whether the line reads as article prose: long enough, a sentence, not a list item."""
    if BULLET.match(line.text):
        return False  # list items (teaser lists, menus) never anchor the body on their own
    if line.words >= s.anchor_min_words_unpunctuated:
        return True
    return line.words >= s.anchor_min_words and bool(SENTENCE_END.search(line.text))


def sentences(text: str) -> int:
    """Sentences in a line: one, and one more at each end of a sentence inside it."""
    return 1 + len(_NEXT_SENTENCE.findall(text))


def _is_headline(line: Line, s: Structure) -> bool:
    return 0 < line.words <= s.headline_max_words and not line.text.endswith(".")


def read_lines(text: str, rules: ChromeRules) -> list[Line]:
    """The non-empty lines of ``text``, each knowing whether it is printed right under the previous one."""
    lines: list[Line] = []
    glued = False
    per_word = rules.structure.letters_per_word
    for raw in text.splitlines():
        tokens = raw.split()
        if not tokens:
            glued = False
            continue
        clean = " ".join(tokens)  # normalise_line
        lines.append(Line(clean, raw.strip(), glued and bool(lines), count_words(clean, per_word, tokens)))
        glued = True
    return lines


# what the rules say of one line's text: (the chrome rule that applies anywhere, the one that
# applies outside the body, the metadata field)
Matches = tuple[LineRule | None, LineRule | None, str | None]


def apply_line_rules(lines: list[Line], rules: ChromeRules, paragraphs: bool,
                     seen: dict[str, Matches] | None = None) -> None:
    """Attach rule matches (chrome and metadata) and structural caption labels.

    ``paragraphs`` is true for already-extracted paragraphs: no metadata lines, no
    outside-zone rules, and no blank-line layout to go by. ``seen`` keeps what the rules
    said of each line text for a later call on the same document's lines (text lines only).
    """
    _match_rules(lines, rules, paragraphs, seen)
    _keep_outside_rules_near_closing_chrome(lines)
    _mark_repeated_captions(lines, rules.structure)
    _mark_captions_by_neighbour(lines, rules.structure, paragraphs)


def _match_rules(lines: list[Line], rules: ChromeRules, paragraphs: bool,
                 seen: dict[str, Matches] | None = None) -> None:
    if paragraphs:
        seen = None  # paragraphs get no metadata fields: what they match is not a line's
    for line in lines:
        found = seen.get(line.text) if seen is not None else None
        if found is None:
            found = line_matches(line.text, line.words, rules, paragraphs)
            if seen is not None:
                seen[line.text] = found
        line.rule, line.outside, line.meta = found


def line_matches(text: str, words: int, rules: ChromeRules, paragraphs: bool) -> Matches:
    """The first chrome rule that matches ``text`` anywhere, the first outside-zone rule that
    matches before it (for a line of text: paragraphs have no outside), and (for a line of
    text) the first metadata field that matches."""
    rule = outside = meta = None
    for limit, search, candidate in rules.anywhere_searches if paragraphs else rules.rule_searches:
        if words <= limit and search(text):
            if candidate.zone == "any":
                rule = candidate
                break
            if outside is None:
                outside = candidate
    s = rules.structure
    # a full sentence that starts with a date or "By ..." is body text, not a dateline
    sentence = words >= s.meta_sentence_min_words and text.endswith((".", "!", "?"))
    if not paragraphs and rule is None and not sentence:
        for limit, search, kind in rules.meta_searches:
            if words <= limit and search(text):
                meta = kind
                break
    return rule, outside, meta


def _keep_outside_rules_near_closing_chrome(lines: list[Line]) -> None:
    """An outside-zone rule needs closing chrome next to it (a reader-facing block of appeals
    or comment rules), so a body sentence that mentions comments or donations stays."""
    flagged = [ln.closing for ln in lines]
    for i, line in enumerate(lines):
        if line.outside is not None and line.rule is None:
            near = (i > 0 and flagged[i - 1]) or (i + 1 < len(lines) and flagged[i + 1])
            if not near:
                line.outside = None


def _mark_repeated_captions(lines: list[Line], s: Structure) -> None:
    """A caption printed twice, back to back (the second copy perhaps cut short: "... more")."""
    for prev, line in zip(lines, lines[1:]):
        if prev.meta or line.words < s.repeat_min_words:
            continue
        shortened = line.chrome and line.chrome[0] == "image_caption" and \
            prev.text.startswith(_TRUNCATION.sub("", line.text)) and line.text != prev.text
        if prev.text == line.text:
            prev.structural = line.structural = ("image_caption", RULE_REPEATED)
        elif shortened:
            prev.structural = ("image_caption", RULE_REPEATED)


def _mark_captions_by_neighbour(lines: list[Line], s: Structure, paragraphs: bool) -> None:
    """A caption above its bare credit line, an image's headline above its caption."""
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
        if credit_only and line.words <= s.caption_max_words and tied and \
                sentences(line.text) <= s.caption_max_sentences:
            line.structural = ("image_caption", RULE_BEFORE_CREDIT)
        # an image's own headline sits right above its caption
        elif nxt.glued and not credit_only and _is_headline(line, s) and not is_prose(line, s):
            line.structural = ("image_caption", RULE_IMAGE_HEADLINE)
