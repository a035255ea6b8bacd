"""Features of the lines of a whole-page text dump, one row per line in ``FEATURES`` order.

Length, stop-word density from jusText's bundled stop lists, punctuation, list markers,
link-like shape, indentation, position, and the same measured over its neighbours.
"""
from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import justext

from pipeline.text.region_rules import RegionRules

WORD = re.compile(r"\w+")
# a sentence ends where . ! or ? meet a space and a capital, or the end of the line
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?(?:\s+(?=[A-Z\"“])|\s*$)")

# Order of the model's inputs; the shipped weights name them and are checked against this.
FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "stop_density", "prose", "terminal", "list_marker",
    "link_like", "glued", "short_list_item", "separators", "capitalised", "digits", "all_caps", "commas",
    "repeated", "position", "indent_main", "indent_off", "words_vs_longest",
    "near_log_words", "near_stop", "near_terminal", "near_list", "near_link",
    "wide_log_words", "wide_stop", "wide_terminal", "wide_list", "wide_link",
    "prev_log_words", "prev_stop", "next_log_words", "next_stop", "prose_distance",
    "sentences", "prev_terminal", "next_terminal", "prev_capitalised", "next_capitalised",
    "truncated", "date_like", "near_date", "near_short",
)


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    return {name: frozenset(justext.get_stoplist(name)) for name in sorted(justext.get_stoplists())}


def choose_stoplist(words_per_line: list[list[str]], rules: RegionRules) -> frozenset[str]:
    """The stop list of the page's language: the one covering most tokens of its longer lines."""
    sample = [w for ws in words_per_line if len(ws) >= rules.min_words_for_sample for w in ws]
    if not sample:
        sample = [w for ws in words_per_line for w in ws]
    if not sample:
        return frozenset()
    lists = _stoplists()
    names = rules.languages or tuple(lists)
    counts = Counter(sample)
    coverage = {name: sum(n for w, n in counts.items() if w in lists[name]) / len(sample)
                for name in names}
    best = max(coverage.values())
    tied = [name for name in names if coverage[name] >= best - rules.tie_margin]
    return lists[min(tied, key=lambda name: (len(lists[name]), name))]


def line_key(line: str) -> str:
    """A line as a comparison key: NFKC, whitespace collapsed, lower case (for repeats)."""
    return " ".join(unicodedata.normalize("NFKC", line).split()).lower()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def line_features(lines: list[str], rules: RegionRules) -> list[list[float]]:
    """One feature row (in ``FEATURES`` order) per line of ``lines`` (all non-blank)."""
    words = [[w.lower() for w in WORD.findall(line)] for line in lines]
    stop = choose_stoplist(words, rules)
    keys = [line_key(line) for line in lines]
    seen = Counter(keys)
    indents = [len(line) - len(line.lstrip()) for line in lines]
    runs = _prose_runs(words, indents, rules)
    # the article's paragraphs follow each other at one indentation in tree-shaped dumps,
    # where teaser summaries alternate with headlines: take the indentation of the longest
    # run (in flat dumps every line has indent 0 and the feature is moot)
    main_indent = indents[max(range(len(lines)), key=lambda i: (runs[i], -i))] if lines else 0
    longest = max((len(ws) for ws in words), default=1) or 1
    base = []
    for line, ws, key, ind in zip(lines, words, keys, indents):
        row = _own_features(line, ws, stop, rules)
        row.update({
            "repeated": 1.0 if seen[key] > 1 else 0.0,
            "indent_main": 1.0 if ind == main_indent else 0.0,
            "indent_off": min(abs(ind - main_indent), 16) / 16.0,
            "words_vs_longest": len(ws) / longest,
        })
        base.append(row)
    prose_at = [i for i, b in enumerate(base)
                if b["log_words"] >= math.log1p(rules.good_min_words) / 4.0
                and b["stop_density"] >= rules.good_min_stop_density]
    return [_with_context(base, i, prose_at, rules) for i in range(len(base))]


def _own_features(line: str, ws: list[str], stop: frozenset[str], rules: RegionRules) -> dict[str, float]:
    """The features of one line read from the line alone (``ws``: its lower-cased words)."""
    text = line.strip()
    n = len(ws)
    alpha = [w for w in WORD.findall(text) if w[:1].isalpha()]
    density = sum(w in stop for w in ws) / n if n else 0.0
    return {
        "log_chars": math.log1p(len(text)) / 6.0,
        "log_words": math.log1p(n) / 4.0,
        "stop_density": density,
        "prose": min(n, 30) / 30.0 * density,
        "terminal": 1.0 if rules.terminal.search(text) else 0.0,
        "list_marker": 1.0 if rules.list_marker.match(line) else 0.0,
        "link_like": 1.0 if rules.link_like.search(text) else 0.0,
        "glued": min(len(rules.glued.findall(text)), 3) / 3.0,
        "short_list_item": 1.0 if n <= 6 and rules.list_marker.match(line) else 0.0,
        "separators": min(len(rules.separator.findall(text)) / (n + 1), 1.0),
        "capitalised": sum(w[0].isupper() for w in alpha) / len(alpha) if alpha else 0.0,
        "digits": sum(c.isdigit() for c in text) / len(text) if text else 0.0,
        "all_caps": 1.0 if alpha and text.upper() == text and any(c.isalpha() for c in text) else 0.0,
        "commas": min(text.count(",") / (n + 1), 1.0),
        "sentences": min(len(_SENTENCE_END.findall(text)), 5) / 5.0,
        "truncated": 1.0 if rules.truncated.search(text) else 0.0,
        "date_like": 1.0 if n <= 12 and rules.date_like.search(text) else 0.0,
        "short": 1.0 if n <= 4 else 0.0,
    }


_WINDOW_KEYS = ("log_words", "stop_density", "terminal", "list_marker", "link_like", "date_like", "short")
_WINDOW_NAMES = ("log_words", "stop", "terminal", "list", "link", "date", "short")


def _with_context(base: list[dict[str, float]], i: int, prose_at: list[int], rules: RegionRules) -> list[float]:
    """Line ``i``'s row: its own features, its position, and those of its neighbours."""
    total = len(base)
    row = dict(base[i])
    row["position"] = i / max(total - 1, 1)
    for name, width in (("near", rules.near), ("wide", rules.wide)):
        around = [base[j] for j in range(max(0, i - width), min(total, i + width + 1)) if j != i]
        for key, short in zip(_WINDOW_KEYS, _WINDOW_NAMES):
            row[f"{name}_{short}"] = _mean([a[key] for a in around])
    prev, nxt = (base[i - 1] if i > 0 else None), (base[i + 1] if i + 1 < total else None)
    row["prev_log_words"] = prev["log_words"] if prev else 0.0
    row["prev_stop"] = prev["stop_density"] if prev else 0.0
    row["next_log_words"] = nxt["log_words"] if nxt else 0.0
    row["next_stop"] = nxt["stop_density"] if nxt else 0.0
    for side, other in (("prev", prev), ("next", nxt)):
        row[f"{side}_terminal"] = other["terminal"] if other else 0.0
        row[f"{side}_capitalised"] = other["capitalised"] if other else 0.0
    distance = _distance_to_nearest(prose_at, i, default=50)
    row["prose_distance"] = math.log1p(min(distance, 50)) / math.log1p(50)
    return [row[name] for name in FEATURES]

def _distance_to_nearest(sorted_positions: list[int], i: int, default: int) -> int:
    """Distance from ``i`` to the nearest of ``sorted_positions`` (``default`` when none)."""
    at = bisect.bisect_left(sorted_positions, i)
    near = [abs(sorted_positions[j] - i) for j in (at - 1, at) if 0 <= j < len(sorted_positions)]
    return min(near, default=default)


def _prose_runs(words: list[list[str]], indents: list[int], rules: RegionRules) -> list[int]:
    """For each line, the words of the run of consecutive long lines at one indentation it is in."""
    runs = [0] * len(words)
    start = 0
    for i in range(len(words) + 1):
        ends = (i == len(words) or len(words[i]) < rules.good_min_words
                or (i > start and indents[i] != indents[start]))
        if ends:
            total = sum(len(words[j]) for j in range(start, i))
            for j in range(start, i):
                runs[j] = total
            start = i + 1 if i < len(words) and len(words[i]) < rules.good_min_words else i
    return runs
