"""Plain-text chrome detection: split article text from captions, appeals, teasers and menus.

Rules come from ``configs/rules/text_chrome.toml``; the modules of this package hold the
mechanism. Each line is labelled by the rules (chrome category, or a metadata field:
:mod:`pipeline.text.lines`), then the article body is located structurally
(:mod:`pipeline.text.body`); lines before it give the title, description, byline and
dateline, lines after it are chrome (:mod:`pipeline.text.zones`). Inline teaser spans are
cut from the end of body paragraphs here.
"""
from __future__ import annotations

from pipeline.document import Removal
from pipeline.text.body import locate_body
from pipeline.text.lines import Line, Matches, apply_line_rules, count_words, normalise_line, read_lines
from pipeline.text.rules import ChromeRules
from pipeline.text.zones import TextClean, body_labels, read_head, read_tail, set_meta


def _claimed(span: str, category: str, rules: ChromeRules) -> bool:
    """Whether a line rule of ``category`` that holds anywhere would remove ``span`` as a line."""
    text = normalise_line(span)
    words = count_words(text, rules.structure.letters_per_word)
    return any(r.category == category and r.zone == "any" and r.matches(text, words) for r in rules.rules)


def _cut_inline(text: str, rules: ChromeRules) -> tuple[str, list[Removal]]:
    """Cut inline spans from the end of a kept paragraph; a rule with a ``(?P<span>...)`` group
    cuts only a span that one of its category's line rules would remove standing alone."""
    removals = []
    for rule in rules.inline:
        match = rule.pattern.search(text)
        span = match.groupdict().get("span") if match else None
        if match and match.start() > 0 and (span is None or _claimed(span, rule.category, rules)):
            removals.append(Removal(rule.category, match.group(0).strip(), rule.name))
            text = text[:match.start()].rstrip()
    return text, removals


# ------------------------------------------------------------------ public API

def clean_text(text: str, rules: ChromeRules, seen: dict[str, Matches] | None = None) -> TextClean:
    """Split a plain-text article into body paragraphs, chrome removals and metadata lines.

    ``seen`` keeps what the rules said of each line for the document's later steps.
    """
    s = rules.structure
    lines = read_lines(text, rules)
    apply_line_rules(lines, rules, paragraphs=False, seen=seen)
    out = TextClean(paragraphs=[], removed=[])
    span = locate_body(lines, rules)
    if span is None:
        # no prose at all: keep what no rule claims, the first headline being the title
        start, end = len(lines), len(lines) - 1
        head_labels = read_head(lines, out, s)
    else:
        start, end = span
        head_labels = read_head(lines[:start], out, s)
    labels = {i: (c, r) for i, c, r in head_labels}
    labels.update(body_labels(lines, start, end, s))
    for i in range(start, end + 1):
        if lines[i].meta and i not in labels:
            set_meta(out, lines[i])  # a byline or dateline inside the body is a field too
    for i, c, r in read_tail(lines[end + 1:], out, s):
        labels[end + 1 + i] = (c, r)
    for i, line in enumerate(lines):
        if i in labels:
            out.removed.append(Removal(labels[i][0], line.text, labels[i][1]))
        elif i >= start and not line.meta:  # the body, and the tail lines no chrome claims
            kept, cut = _cut_inline(line.text, rules)
            out.removed.extend(cut)
            out.paragraphs.append(kept)
    return out


def detect_chrome_paragraphs(paragraphs: list[str], rules: ChromeRules) -> tuple[list[str], list[Removal]]:
    """The chrome rules alone, for already-extracted paragraphs: (kept, removals).

    Only rules that hold anywhere apply, plus captions printed twice or above a credit and
    inline teaser spans; no title, byline or zone logic.
    """
    lines = [Line(text=normalise_line(p), raw=p, glued=False,
                  words=count_words(p, rules.structure.letters_per_word)) for p in paragraphs]
    lines = [ln for ln in lines if ln.text]
    apply_line_rules(lines, rules, paragraphs=True)
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
