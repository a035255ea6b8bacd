"""Article region in a whole-page text dump: keep the article's lines, drop the page around it.

Each non-blank line is described by features (length, stop-word density from jusText's
bundled stop lists, punctuation, list markers, link-like shape, indentation, position, and
the same measured over its neighbours).  A scorer turns them into the probability that the
line belongs to the article: the shipped logistic-regression model
(``pipeline/models/region_model.json``, retrained by ``newsclean train-region``) or the
jusText-like hand rules of ``configs/rules/region.toml``.  The region is the run of lines
with the largest summed, length-weighted log-odds, widened upward over the title block; all
lines outside it are dropped, and inside it only short lines that are very likely chrome.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.config import Config
from pipeline.document import Removal
from pipeline.text.features import PageLines, describe_lines
from pipeline.text.model import LineModel, page_probabilities
from pipeline.text.region_rules import RegionRules, region_rules


@dataclass
class Region:
    """The article's lines (joined with "\\n", blank lines kept between them) and what was dropped."""

    text: str
    removed: list[Removal]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def best_span(probabilities: list[float], word_counts: list[int], threshold: float,
              weight_floor: int, weight_cap: int) -> tuple[int, int] | None:
    """Indices [start, end] of the run with the largest summed length-weighted log-odds.

    A line's log-odds are measured from ``threshold`` and weighted by its word count, kept
    within [``weight_floor``, ``weight_cap``]: a run of short menu items cannot outweigh one
    paragraph by number alone, and a gap of short chrome lines still costs something.
    """
    offset = _logit(threshold)
    best, best_span_, total, start = 0.0, None, 0.0, 0
    for i, (p, n) in enumerate(zip(probabilities, word_counts)):
        gain = (_logit(p) - offset) * min(max(n, weight_floor), weight_cap)
        if total <= 0.0:
            total, start = gain, i
        else:
            total += gain
        if total > best:
            best, best_span_ = total, (start, i)
    return best_span_


def _category(line: str, words: int, where: str, rules: RegionRules) -> tuple[str, str]:
    for rule in rules.categories:
        if rule.after_region_only and where != "after":
            continue
        if words <= rule.max_words and rule.pattern.search(line):
            return rule.category, rule.rule
    default = {"before": ("navigation", "before_article.v1"),
               "after": ("footer", "after_article.v1"),
               "inside": ("boilerplate", "inside_article_low_score.v1")}
    return default[where]


def locate_article(text: str, config: Config) -> Region:
    """Find the article's region in a page's text; every dropped line is recorded with its category."""
    return locate_region(text, region_rules(config))


def locate_region(text: str, rules: RegionRules, model: LineModel | None = None) -> Region:
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return Region(text="", removed=[])
    page = describe_lines(lines, rules)
    hand = model is None and rules.scorer == "rules"
    return region_from_probabilities(text, lines, page, page_probabilities(page, rules, model), rules,
                                     rules.rules_threshold if hand else rules.threshold)


def region_from_probabilities(text: str, lines: list[str], page: PageLines, probabilities: list[float],
                              rules: RegionRules, threshold: float | None = None,
                              categorise: bool = True) -> Region:
    """The region of ``text`` given its non-blank ``lines``, their description and probabilities.

    ``threshold`` defaults to the model's (``rules.threshold``); training tries others, and
    needs only the kept text (``categorise`` False leaves the removals without a category).
    """
    raw = text.split("\n")
    at = [i for i, line in enumerate(raw) if line.strip()]
    counts, repeated = page.word_counts, page.repeated
    threshold = rules.threshold if threshold is None else threshold
    span = best_span(probabilities, counts, threshold, rules.weight_floor_words, rules.weight_cap_words)
    if span is None:
        # nothing reads like an article: leave the page whole for the next steps to judge
        return Region(text="\n".join(raw).strip("\n"), removed=[])
    body_start, end = span
    # the title block is kept whole: the chrome cleaner reads title, byline and date from it
    start = _widen_over_title(lines, counts, repeated, body_start, rules)
    listed = _article_list_items(lines, probabilities, body_start, end, threshold, rules)
    keep, removed = [], []
    for k, line in enumerate(lines):
        where = "before" if k < start else "after" if k > end else "inside"
        drop = where != "inside" or (k >= body_start and probabilities[k] < rules.inner_drop_below
                                     and counts[k] <= rules.inner_drop_max_words
                                     and _chrome_shaped(line, counts[k], repeated[k], rules, k in listed))
        if drop and categorise:
            category, rule = _category(line.strip(), counts[k], where, rules)
            removed.append(Removal(category, line.strip(), rule))
        elif drop:
            removed.append(Removal("", line.strip(), ""))
        else:
            keep.append(at[k])
    return Region(text=_join_kept(raw, keep), removed=removed)


def _article_list_items(lines: list[str], probabilities: list[float], start: int, end: int,
                        threshold: float, rules: RegionRules) -> set[int]:
    """Items of the lists the article itself holds (tour dates, steps, products): a run of list
    items inside the region, right under a line the scorer keeps as article text (the list's
    lead-in, not a teaser heading). Their list marker alone does not make them chrome."""
    listed: set[int] = set()
    k = start + 1
    while k <= end:
        if not rules.list_marker.match(lines[k]):
            k += 1
            continue
        run_end = k
        while run_end + 1 <= end and rules.list_marker.match(lines[run_end + 1]):
            run_end += 1
        if probabilities[k - 1] >= threshold and not rules.list_marker.match(lines[k - 1]):
            listed.update(range(k, run_end + 1))
        k = run_end + 1
    return listed


def _chrome_shaped(line: str, words: int, repeated: bool, rules: RegionRules, article_list: bool = False) -> bool:
    """A list item (unless of a list the article holds), a link, a line the page repeats or one
    a category rule names.

    Only such lines are dropped inside the article: a short byline or dateline among the
    paragraphs scores low too, and the chrome cleaner needs it.
    """
    text = line.strip()
    listed = rules.list_marker.match(line) and not article_list
    return bool(repeated or listed or rules.link_like.search(text)
                or any(words <= rule.max_words and rule.pattern.search(text)
                       for rule in rules.categories if not rule.after_region_only))


def _widen_over_title(lines: list[str], counts: list[int], repeated: list[bool], start: int,
                      rules: RegionRules) -> int:
    """Move ``start`` up over the title, description, byline and dateline lines above the text."""
    k = start
    while k > 0 and start - k < rules.header_lines:
        line = lines[k - 1]
        if (rules.list_marker.match(line) or rules.link_like.search(line)
                or repeated[k - 1] or counts[k - 1] > rules.header_max_words
                or counts[k - 1] == 0):
            break
        k -= 1
    return k


def _join_kept(raw: list[str], keep: list[int]) -> str:
    """Kept lines joined with "\\n"; one blank line where the input had blank lines between two."""
    out: list[str] = []
    for prev, cur in zip([None] + keep, keep):
        if prev is not None and any(not raw[j].strip() for j in range(prev + 1, cur)):
            out.append("")
        out.append(raw[cur])
    return "\n".join(out)
