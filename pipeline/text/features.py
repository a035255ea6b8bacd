"""Features of the lines of a whole-page text dump, one row per line in ``FEATURES`` order.

Length, stop-word density from jusText's bundled stop lists, punctuation, list markers,
link-like shape, indentation, position, and the same measured over its neighbours.
Features are built column by column: the page's language is found through one inverted
index of all stop lists, and window means come from prefix sums, so a page costs one
pass over its words and one over its lines whatever the window widths.
"""
from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

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

# the own features averaged over a line's neighbours, by the short name of the window feature
_WINDOW = (("log_words", "log_words"), ("stop", "stop_density"), ("terminal", "terminal"),
           ("list", "list_marker"), ("link", "link_like"), ("date", "date_like"), ("short", "short"))


@dataclass(frozen=True)
class StopLists:
    """jusText's stop lists by name, and one inverted index: word -> the lists that hold it."""

    names: tuple[str, ...]
    lists: dict[str, frozenset[str]]
    index: dict[str, tuple[int, ...]]


@lru_cache(maxsize=1)
def _stoplists() -> StopLists:
    names = tuple(sorted(justext.get_stoplists()))
    lists = {name: frozenset(justext.get_stoplist(name)) for name in names}
    holders: dict[str, list[int]] = {}
    for k, name in enumerate(names):
        for word in lists[name]:
            holders.setdefault(word, []).append(k)
    return StopLists(names, lists, {word: tuple(ks) for word, ks in holders.items()})


def choose_stoplist(words_per_line: list[list[str]], rules: RegionRules) -> frozenset[str]:
    """The stop list of the page's language: the one covering most tokens of its longer lines.

    Each distinct word of the sample is looked up once in the inverted index, not once per list.
    """
    sample = [w for ws in words_per_line if len(ws) >= rules.min_words_for_sample for w in ws]
    if not sample:
        sample = [w for ws in words_per_line for w in ws]
    if not sample:
        return frozenset()
    stop = _stoplists()
    hits = [0] * len(stop.names)
    for word, n in Counter(sample).items():
        for k in stop.index.get(word, ()):
            hits[k] += n
    names = rules.languages or stop.names
    position = {name: k for k, name in enumerate(stop.names)}
    coverage = {name: hits[position[name]] / len(sample) for name in names}
    best = max(coverage.values())
    tied = [name for name in names if coverage[name] >= best - rules.tie_margin]
    return stop.lists[min(tied, key=lambda name: (len(stop.lists[name]), name))]


def line_key(line: str) -> str:
    """A line as a comparison key: NFKC, whitespace collapsed, lower case (for repeats)."""
    return " ".join(unicodedata.normalize("NFKC", line).split()).lower()


@dataclass(frozen=True)
class PageLines:
    """The feature rows of a page's non-blank lines, with what the region search reuses."""

    rows: list[tuple[float, ...]]
    word_counts: list[int]
    repeated: list[bool]


def line_features(lines: list[str], rules: RegionRules) -> list[tuple[float, ...]]:
    """One feature row (in ``FEATURES`` order) per line of ``lines`` (all non-blank)."""
    return describe_lines(lines, rules).rows


def describe_lines(lines: list[str], rules: RegionRules) -> PageLines:
    """Feature rows, word counts and repeat flags of ``lines`` (all non-blank)."""
    total = len(lines)
    if not total:
        return PageLines([], [], [])
    tokens = [WORD.findall(line) for line in lines]
    words = [[w.lower() for w in ws] for ws in tokens]
    counts = [len(ws) for ws in words]
    stop = choose_stoplist(words, rules)
    keys = [line_key(line) for line in lines]
    seen = Counter(keys)
    repeated = [seen[key] > 1 for key in keys]
    indents = [len(line) - len(line.lstrip()) for line in lines]
    runs = _prose_runs(counts, indents, rules)
    # the article's paragraphs follow each other at one indentation in tree-shaped dumps,
    # where teaser summaries alternate with headlines: take the indentation of the longest
    # run (in flat dumps every line has indent 0 and the feature is moot)
    main_indent = indents[max(range(total), key=lambda i: (runs[i], -i))]
    longest = max(counts) or 1

    col = _own_columns(lines, tokens, words, stop, rules)
    col["repeated"] = [1.0 if r else 0.0 for r in repeated]
    col["indent_main"] = [1.0 if ind == main_indent else 0.0 for ind in indents]
    col["indent_off"] = [min(abs(ind - main_indent), 16) / 16.0 for ind in indents]
    col["words_vs_longest"] = [n / longest for n in counts]
    col["position"] = [i / max(total - 1, 1) for i in range(total)]
    for name, width in (("near", rules.near), ("wide", rules.wide)):
        for short, key in _WINDOW:
            if f"{name}_{short}" in _WANTED:
                col[f"{name}_{short}"] = _window_means(col[key], width)
    for side, shift in (("prev", 1), ("next", -1)):
        for own, short in (("log_words", "log_words"), ("stop_density", "stop"),
                           ("terminal", "terminal"), ("capitalised", "capitalised")):
            col[f"{side}_{short}"] = _shifted(col[own], shift)
    good_words = math.log1p(rules.good_min_words) / 4.0
    prose_at = [i for i, (lw, sd) in enumerate(zip(col["log_words"], col["stop_density"]))
                if lw >= good_words and sd >= rules.good_min_stop_density]
    scale = math.log1p(50)
    col["prose_distance"] = [math.log1p(min(_distance_to_nearest(prose_at, i, default=50), 50)) / scale
                             for i in range(total)]
    rows = list(zip(*(col[name] for name in FEATURES)))
    return PageLines(rows, counts, repeated)


_WANTED = frozenset(FEATURES)


def _own_columns(lines: list[str], tokens: list[list[str]], words: list[list[str]],
                 stop: frozenset[str], rules: RegionRules) -> dict[str, list[float]]:
    """The features read from each line alone, one list per feature."""
    names = ("log_chars", "log_words", "stop_density", "prose", "terminal", "list_marker", "link_like",
             "glued", "short_list_item", "separators", "capitalised", "digits", "all_caps", "commas",
             "sentences", "truncated", "date_like", "short")
    col: dict[str, list[float]] = {name: [] for name in names}
    out = [col[name] for name in names]
    list_marker, link_like, terminal = rules.list_marker, rules.link_like, rules.terminal
    glued, separator, truncated, date_like = rules.glued, rules.separator, rules.truncated, rules.date_like
    for line, toks, ws in zip(lines, tokens, words):
        text = line.strip()
        n = len(ws)
        alpha = [w for w in toks if w[:1].isalpha()]
        density = sum(w in stop for w in ws) / n if n else 0.0
        listed = list_marker.match(line) is not None
        values = (
            math.log1p(len(text)) / 6.0,
            math.log1p(n) / 4.0,
            density,
            min(n, 30) / 30.0 * density,
            1.0 if terminal.search(text) else 0.0,
            1.0 if listed else 0.0,
            1.0 if link_like.search(text) else 0.0,
            min(len(glued.findall(text)), 3) / 3.0,
            1.0 if n <= 6 and listed else 0.0,
            min(len(separator.findall(text)) / (n + 1), 1.0),
            sum(w[0].isupper() for w in alpha) / len(alpha) if alpha else 0.0,
            sum(map(str.isdigit, text)) / len(text) if text else 0.0,
            1.0 if alpha and text.upper() == text and any(c.isalpha() for c in text) else 0.0,
            min(text.count(",") / (n + 1), 1.0),
            min(len(_SENTENCE_END.findall(text)), 5) / 5.0,
            1.0 if truncated.search(text) else 0.0,
            1.0 if n <= 12 and date_like.search(text) else 0.0,
            1.0 if n <= 4 else 0.0,
        )
        for target, value in zip(out, values):
            target.append(value)
    return col


def _window_means(values: list[float], width: int) -> list[float]:
    """For each line, the mean of ``values`` over the ``width`` lines either side of it (itself out)."""
    total = len(values)
    prefix = [0.0, *accumulate(values)]
    means = []
    for i, v in enumerate(values):
        low, high = max(0, i - width), min(total, i + width + 1)
        n = high - low - 1
        means.append((prefix[high] - prefix[low] - v) / n if n else 0.0)
    return means


def _shifted(values: list[float], shift: int) -> list[float]:
    """``values`` of the previous line (``shift`` 1) or the next (-1); 0 where there is none."""
    if shift > 0:
        return [0.0] + values[:-1]
    return values[1:] + [0.0]


def _distance_to_nearest(sorted_positions: list[int], i: int, default: int) -> int:
    """Distance from ``i`` to the nearest of ``sorted_positions`` (``default`` when none)."""
    at = bisect.bisect_left(sorted_positions, i)
    near = [abs(sorted_positions[j] - i) for j in (at - 1, at) if 0 <= j < len(sorted_positions)]
    return min(near, default=default)


def _prose_runs(counts: list[int], indents: list[int], rules: RegionRules) -> list[int]:
    """For each line, the words of the run of consecutive long lines at one indentation it is in."""
    runs = [0] * len(counts)
    start = 0
    for i in range(len(counts) + 1):
        ends = (i == len(counts) or counts[i] < rules.good_min_words
                or (i > start and indents[i] != indents[start]))
        if ends:
            total = sum(counts[start:i])
            for j in range(start, i):
                runs[j] = total
            start = i + 1 if i < len(counts) and counts[i] < rules.good_min_words else i
    return runs
