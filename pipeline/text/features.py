"""Features of the lines of a whole-page text dump, one row per line in ``FEATURES`` order.

Length, stop-word density from jusText's bundled stop lists, punctuation, list markers,
link-like shape, indentation, position, and the same measured over its neighbours.
Features are built column by column: the page's language is found through one inverted
index of all stop lists, and window means come from prefix sums, so a page costs one
pass over its words and one over its lines whatever the window widths.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import justext
import numpy as np

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
    """The features of a page's non-blank lines, with what the region search reuses.

    ``columns`` holds one row per feature (in ``FEATURES`` order) and one column per line.
    """

    columns: np.ndarray
    word_counts: list[int]
    repeated: list[bool]

    @property
    def rows(self) -> list[tuple[float, ...]]:
        """One feature row (in ``FEATURES`` order) per line."""
        return [tuple(row) for row in self.columns.T.tolist()]


def line_features(lines: list[str], rules: RegionRules) -> list[tuple[float, ...]]:
    """One feature row (in ``FEATURES`` order) per line of ``lines`` (all non-blank)."""
    return describe_lines(lines, rules).rows


def describe_lines(lines: list[str], rules: RegionRules) -> PageLines:
    """Feature columns, word counts and repeat flags of ``lines`` (all non-blank).

    The features read from each line alone take one pass over the lines; the rest are
    whole columns at once (numpy), each value computed as the same float operations in the
    same order as one line at a time, so the features do not depend on how they are built.
    """
    total = len(lines)
    if not total:
        return PageLines(np.zeros((len(FEATURES), 0)), [], [])
    tokens = [WORD.findall(line) for line in lines]
    words = [[w.lower() for w in ws] for ws in tokens]
    counts = [len(ws) for ws in words]
    stop = choose_stoplist(words, rules)
    keys = [line_key(line) for line in lines]
    seen = Counter(keys)
    repeated = [seen[key] > 1 for key in keys]
    indent_list = [len(line) - len(line.lstrip()) for line in lines]
    runs = _prose_runs(counts, indent_list, rules)
    # the article's paragraphs follow each other at one indentation in tree-shaped dumps,
    # where teaser summaries alternate with headlines: take the indentation of the longest
    # run (in flat dumps every line has indent 0 and the feature is moot)
    main_indent = indent_list[max(range(total), key=lambda i: (runs[i], -i))]
    longest = max(counts) or 1

    own = np.array(_own_rows(lines, tokens, words, stop, rules), dtype=float).reshape(total, len(_OWN)).T
    col = dict(zip(_OWN, own))
    indents = np.array(indent_list)
    col["repeated"] = np.array(repeated, dtype=float)
    col["indent_main"] = (indents == main_indent).astype(float)
    col["indent_off"] = np.minimum(np.abs(indents - main_indent), 16) / 16.0
    col["words_vs_longest"] = np.array(counts) / longest
    col["position"] = np.arange(total) / max(total - 1, 1)
    for name, width in (("near", rules.near), ("wide", rules.wide)):
        bounds = _window_bounds(total, width)
        for short, key in _WINDOW:
            if f"{name}_{short}" in _WANTED:
                col[f"{name}_{short}"] = _window_means(col[key], bounds)
    for side, shift in (("prev", 1), ("next", -1)):
        for own_name, short in (("log_words", "log_words"), ("stop_density", "stop"),
                                ("terminal", "terminal"), ("capitalised", "capitalised")):
            col[f"{side}_{short}"] = _shifted(col[own_name], shift)
    good_words = math.log1p(rules.good_min_words) / 4.0
    prose_at = np.flatnonzero((col["log_words"] >= good_words) & (col["stop_density"] >= rules.good_min_stop_density))
    col["prose_distance"] = _PROSE_DISTANCE[_distances_to_nearest(prose_at, total, _MAX_DISTANCE)]
    return PageLines(np.array([col[name] for name in FEATURES]), counts, repeated)


_WANTED = frozenset(FEATURES)
# the features read from each line alone, in the order ``_own_rows`` gives them
_OWN = ("log_chars", "log_words", "stop_density", "prose", "terminal", "list_marker", "link_like",
        "glued", "short_list_item", "separators", "capitalised", "digits", "all_caps", "commas",
        "sentences", "truncated", "date_like", "short")
# a line's distance to the nearest prose line, counted up to 50 lines, on a log scale
_MAX_DISTANCE = 50
_PROSE_DISTANCE = np.array([math.log1p(d) / math.log1p(_MAX_DISTANCE) for d in range(_MAX_DISTANCE + 1)])


def _own_rows(lines: list[str], tokens: list[list[str]], words: list[list[str]],
              stop: frozenset[str], rules: RegionRules) -> list[float]:
    """The features read from each line alone, in ``_OWN`` order, line after line in one flat list."""
    out: list[float] = []
    extend = out.extend
    list_marker, link_like, terminal = rules.list_marker.match, rules.link_like.search, rules.terminal.search
    glued, separator, truncated = rules.glued.findall, rules.separator.findall, rules.truncated.search
    date_like, sentence_end, is_stop = rules.date_like.search, _SENTENCE_END.findall, stop.__contains__
    log1p = math.log1p
    for line, toks, ws in zip(lines, tokens, words):
        text = line.strip()
        n = len(ws)
        alpha = [w for w in toks if w[:1].isalpha()]
        density = sum(map(is_stop, ws)) / n if n else 0.0
        listed = list_marker(line) is not None
        chars = len(text)
        extend((
            log1p(chars) / 6.0,
            log1p(n) / 4.0,
            density,
            min(n, 30) / 30.0 * density,
            1.0 if terminal(text) else 0.0,
            1.0 if listed else 0.0,
            1.0 if link_like(text) else 0.0,
            min(len(glued(text)), 3) / 3.0,
            1.0 if n <= 6 and listed else 0.0,
            min(len(separator(text)) / (n + 1), 1.0),
            sum([w[0].isupper() for w in alpha]) / len(alpha) if alpha else 0.0,
            _digits(text) / chars if chars else 0.0,
            # a token that starts with a letter is a letter of the text: all capitals needs no other
            1.0 if alpha and text.upper() == text else 0.0,
            min(text.count(",") / (n + 1), 1.0),
            min(len(sentence_end(text)), 5) / 5.0,
            1.0 if truncated(text) else 0.0,
            1.0 if n <= 12 and date_like(text) else 0.0,
            1.0 if n <= 4 else 0.0,
        ))
    return out


def _digits(text: str) -> int:
    """How many characters of ``text`` are digits (``str.isdigit``)."""
    if text.isascii():
        return sum(map(text.count, "0123456789"))
    return sum(map(str.isdigit, text))


def _window_bounds(total: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of ``total`` lines, the first and past-the-last line of its window and its neighbours' count."""
    at = np.arange(total)
    low, high = np.maximum(at - width, 0), np.minimum(at + width + 1, total)
    return low, high, high - low - 1


def _window_means(values: np.ndarray, bounds: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """For each line, the mean of ``values`` over its window (``_window_bounds``), itself left out.

    The running sums add the values one after the other (``cumsum``), as a loop would.
    """
    low, high, neighbours = bounds
    prefix = np.concatenate(([0.0], np.cumsum(values)))
    sums = prefix[high] - prefix[low] - values
    return np.divide(sums, neighbours, out=np.zeros(len(values)), where=neighbours > 0)


def _shifted(values: np.ndarray, shift: int) -> np.ndarray:
    """``values`` of the previous line (``shift`` 1) or the next (-1); 0 where there is none."""
    if shift > 0:
        return np.concatenate(([0.0], values[:-1]))
    return np.concatenate((values[1:], [0.0]))


def _distances_to_nearest(sorted_positions: np.ndarray, total: int, cap: int) -> np.ndarray:
    """For each of ``total`` lines, its distance to the nearest of ``sorted_positions``, at most ``cap``."""
    if not len(sorted_positions):
        return np.full(total, cap)
    at = np.arange(total)
    after = np.searchsorted(sorted_positions, at)  # the first position at or after each line
    above = np.where(after > 0, at - sorted_positions[np.maximum(after - 1, 0)], cap)
    below = np.where(after < len(sorted_positions),
                     sorted_positions[np.minimum(after, len(sorted_positions) - 1)] - at, cap)
    return np.minimum(np.minimum(above, below), cap)


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
