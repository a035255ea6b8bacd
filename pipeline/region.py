"""Article region in a whole-page text dump: keep the article's lines, drop the page around it.

Each non-blank line is described by features (length, stop-word density from jusText's
bundled stop lists, punctuation, list markers, link-like shape, indentation, position, and
the same measured over its neighbours).  A scorer turns them into the probability that the
line belongs to the article: the shipped logistic-regression model
(``pipeline/models/region_model.json``, retrained by :func:`train_region_model`) or the
jusText-like hand rules of ``configs/rules/region.toml``.  The region is the run of lines
with the largest summed, length-weighted log-odds, widened upward over the title block; all
lines outside it are dropped, and inside it only short lines that are very likely chrome.
"""
from __future__ import annotations

import bisect
import dataclasses
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import justext

from pipeline import schema
from pipeline.config import Config, ConfigError
from pipeline.document import Removal

MODEL_VERSION = "region_lr.v2"
_WORD = re.compile(r"\w+")
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


@dataclass
class Region:
    """The article's lines (joined with "\\n", blank lines kept between them) and what was dropped."""

    text: str
    removed: list[Removal]


@dataclass(frozen=True)
class CategoryRule:
    rule: str
    category: str
    pattern: re.Pattern
    max_words: int
    after_region_only: bool


@dataclass(frozen=True)
class RegionRules:
    """The parsed ``[region]`` rule file."""

    scorer: str
    model_file: str
    min_words_for_sample: int
    tie_margin: float
    languages: tuple[str, ...]
    list_marker: re.Pattern
    link_like: re.Pattern
    separator: re.Pattern
    terminal: re.Pattern
    glued: re.Pattern
    truncated: re.Pattern
    date_like: re.Pattern
    near: int
    wide: int
    good_min_words: int
    good_min_stop_density: float
    bad_max_stop_density: float
    good_probability: float
    neutral_probability: float
    bad_probability: float
    list_item_probability: float
    rules_threshold: float
    weight_cap_words: int
    weight_floor_words: int
    threshold: float
    header_lines: int
    header_max_words: int
    inner_drop_below: float
    inner_drop_max_words: int
    categories: tuple[CategoryRule, ...]


@dataclass(frozen=True)
class LineModel:
    """Logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, row: list[float]) -> float:
        z = self.bias + sum(w * (x - m) / s for w, x, m, s in
                            zip(self.weights, row, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _build_rules(table: schema.Region) -> RegionRules:
    features, rules, region = table.features, table.rules, table.region
    return RegionRules(
        scorer=table.scoring.scorer,
        model_file=table.scoring.model_file,
        min_words_for_sample=table.language.min_words_for_sample,
        tie_margin=table.language.tie_margin,
        languages=tuple(table.language.languages),
        list_marker=re.compile(features.list_marker),
        link_like=re.compile(features.link_like),
        separator=re.compile(features.separator),
        terminal=re.compile(features.terminal),
        glued=re.compile(features.glued),
        truncated=re.compile(features.truncated),
        date_like=re.compile(features.date_like),
        near=features.near,
        wide=features.wide,
        good_min_words=rules.good_min_words,
        good_min_stop_density=rules.good_min_stop_density,
        bad_max_stop_density=rules.bad_max_stop_density,
        good_probability=rules.good_probability,
        neutral_probability=rules.neutral_probability,
        bad_probability=rules.bad_probability,
        list_item_probability=rules.list_item_probability,
        rules_threshold=rules.region_threshold,
        weight_cap_words=region.weight_cap_words,
        weight_floor_words=region.weight_floor_words,
        threshold=region.threshold,
        header_lines=region.header_lines,
        header_max_words=region.header_max_words,
        inner_drop_below=region.inner_drop_below,
        inner_drop_max_words=region.inner_drop_max_words,
        categories=tuple(CategoryRule(rule=c.rule, category=c.category, pattern=re.compile(c.pattern),
                                      max_words=c.max_words, after_region_only=c.after_region_only)
                         for c in table.category),
    )


def region_rules(config: Config) -> RegionRules:
    """The compiled region rules of ``config`` (checked when it was loaded)."""
    return config.built("region", lambda: _build_rules(config.rules.region))


def _model_path(rules: RegionRules) -> Path:
    return Path(str(resources.files("pipeline").joinpath("models", rules.model_file)))


@lru_cache(maxsize=8)
def _load_model(path: str) -> LineModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read region model {path}: {exc}") from exc
    if data.get("version") != MODEL_VERSION or tuple(data.get("features", ())) != FEATURES:
        raise ConfigError(f"region model {path} was trained for other features; retrain it")
    return LineModel(features=FEATURES, mean=tuple(data["mean"]), scale=tuple(data["scale"]),
                     weights=tuple(data["weights"]), bias=float(data["bias"]))


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


def _norm(line: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", line).split()).lower()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def line_features(lines: list[str], rules: RegionRules) -> list[list[float]]:
    """One feature row (in ``FEATURES`` order) per line of ``lines`` (all non-blank)."""
    words = [[w.lower() for w in _WORD.findall(line)] for line in lines]
    stop = choose_stoplist(words, rules)
    keys = [_norm(line) for line in lines]
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
        text = line.strip()
        n = len(ws)
        alpha = [w for w in _WORD.findall(text) if w[:1].isalpha()]
        density = sum(w in stop for w in ws) / n if n else 0.0
        base.append({
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
            "repeated": 1.0 if seen[key] > 1 else 0.0,
            "indent_main": 1.0 if ind == main_indent else 0.0,
            "indent_off": min(abs(ind - main_indent), 16) / 16.0,
            "words_vs_longest": n / longest,
        })
    total = len(lines)
    prose_at = [i for i, b in enumerate(base)
                if b["log_words"] >= math.log1p(rules.good_min_words) / 4.0
                and b["stop_density"] >= rules.good_min_stop_density]
    rows = []
    window_keys = ("log_words", "stop_density", "terminal", "list_marker", "link_like", "date_like", "short")
    for i, b in enumerate(base):
        row = dict(b)
        row["position"] = i / max(total - 1, 1)
        for name, width in (("near", rules.near), ("wide", rules.wide)):
            around = [base[j] for j in range(max(0, i - width), min(total, i + width + 1)) if j != i]
            for key, short in zip(window_keys, ("log_words", "stop", "terminal", "list", "link", "date", "short")):
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
        rows.append([row[name] for name in FEATURES])
    return rows


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


def _rule_probability(row: list[float], rules: RegionRules) -> float:
    """jusText-like hand scoring: long stop-word-rich lines are good, list items and bare words bad."""
    f = dict(zip(FEATURES, row))
    words = math.expm1(f["log_words"] * 4.0)
    if f["list_marker"] or f["link_like"]:
        return rules.list_item_probability
    if words >= rules.good_min_words and f["stop_density"] >= rules.good_min_stop_density:
        return rules.good_probability
    if f["stop_density"] <= rules.bad_max_stop_density and words >= 3:
        return rules.bad_probability
    # short lines take their neighbours' side, as jusText's context step does
    if f["near_stop"] >= rules.good_min_stop_density and f["near_log_words"] >= math.log1p(rules.good_min_words) / 4.0:
        return rules.good_probability - 0.2
    return rules.neutral_probability


def line_probabilities(lines: list[str], rules: RegionRules, model: LineModel | None = None) -> list[float]:
    """Probability that each (non-blank) line belongs to the article.

    ``model`` overrides the configured scorer (cross-validation scores held-out pages with it).
    """
    rows = line_features(lines, rules)
    if model is None and rules.scorer == "rules":
        return [_rule_probability(row, rules) for row in rows]
    model = model or _load_model(str(_model_path(rules)))
    return [model.probability(row) for row in rows]


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


def locate_article(text: str, rules: RegionRules) -> Region:
    """Find the article's region in a page's text; every dropped line is recorded with its category."""
    return _locate(text, rules)


def _locate(text: str, rules: RegionRules, model: LineModel | None = None) -> Region:
    raw = text.split("\n")
    at = [i for i, line in enumerate(raw) if line.strip()]
    if not at:
        return Region(text="", removed=[])
    lines = [raw[i] for i in at]
    counts = [len(_WORD.findall(line)) for line in lines]
    probabilities = line_probabilities(lines, rules, model)
    hand = model is None and rules.scorer == "rules"
    span = best_span(probabilities, counts, rules.rules_threshold if hand else rules.threshold,
                     rules.weight_floor_words, rules.weight_cap_words)
    if span is None:
        # nothing reads like an article: leave the page whole for the next steps to judge
        return Region(text="\n".join(raw).strip("\n"), removed=[])
    body_start, end = span
    # the title block is kept whole: the chrome cleaner reads title, byline and date from it
    start = _widen_over_title(lines, counts, body_start, rules)
    seen = Counter(_norm(line) for line in lines)
    repeated = [seen[_norm(line)] > 1 for line in lines]
    keep, removed = [], []
    for k, line in enumerate(lines):
        where = "before" if k < start else "after" if k > end else "inside"
        drop = where != "inside" or (k >= body_start and probabilities[k] < rules.inner_drop_below
                                     and counts[k] <= rules.inner_drop_max_words
                                     and _chrome_shaped(line, repeated[k], rules))
        if drop:
            category, rule = _category(line.strip(), counts[k], where, rules)
            removed.append(Removal(category, line.strip(), rule))
        else:
            keep.append(at[k])
    return Region(text=_join_kept(raw, keep), removed=removed)


def _chrome_shaped(line: str, repeated: bool, rules: RegionRules) -> bool:
    """A list item, a link, a line the page repeats or one a category rule names.

    Only such lines are dropped inside the article: a short byline or dateline among the
    paragraphs scores low too, and the chrome cleaner needs it.
    """
    text = line.strip()
    words = len(_WORD.findall(text))
    return bool(repeated or rules.list_marker.match(line) or rules.link_like.search(text)
                or any(words <= rule.max_words and rule.pattern.search(text)
                       for rule in rules.categories if not rule.after_region_only))


def _widen_over_title(lines: list[str], counts: list[int], start: int, rules: RegionRules) -> int:
    """Move ``start`` up over the title, description, byline and dateline lines above the text."""
    seen = Counter(_norm(line) for line in lines)
    k = start
    while k > 0 and start - k < rules.header_lines:
        line = lines[k - 1]
        if (rules.list_marker.match(line) or rules.link_like.search(line)
                or seen[_norm(line)] > 1 or counts[k - 1] > rules.header_max_words
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


# --- training -------------------------------------------------------------------------


def label_lines(lines: list[str], body: str) -> list[int]:
    """1 for each line that belongs to the gold ``body``, else 0.

    A line of four tokens or more belongs when half its 4-token shingles occur in the body;
    a shorter line (a subheading) when it equals one of the body's lines.
    """
    gold = _WORD.findall(unicodedata.normalize("NFKC", body))
    gold_shingles = {tuple(gold[i:i + 4]) for i in range(max(0, len(gold) - 3))}
    gold_lines = {_norm(line) for line in body.split("\n") if line.strip()}
    labels = []
    for line in lines:
        tokens = _WORD.findall(unicodedata.normalize("NFKC", line))
        if len(tokens) >= 4:
            shingles = [tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)]
            labels.append(int(sum(s in gold_shingles for s in shingles) >= 0.5 * len(shingles)))
        else:
            labels.append(int(bool(tokens) and _norm(line) in gold_lines))
    return labels


@dataclass(frozen=True)
class LabelledPage:
    key: str
    site: str
    text: str
    body: str


def read_labelled_pages(text_dir: Path, gold_dir: Path) -> list[LabelledPage]:
    """Pages ``<key>.txt`` of ``text_dir`` that have a gold ``<key>.json`` with a ``body``."""
    pages = []
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        text_path = Path(text_dir) / f"{gold_path.stem}.txt"
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if not text_path.exists() or "body" not in gold:
            continue
        body = gold["body"] if isinstance(gold["body"], str) else "\n\n".join(gold["body"])
        site = urlparse(gold.get("url") or "").netloc.lower().removeprefix("www.") or gold_path.stem
        pages.append(LabelledPage(gold_path.stem, site, text_path.read_text(encoding="utf-8"), body))
    return pages


def _page_rows(page: LabelledPage, rules: RegionRules) -> tuple[list[list[float]], list[int], list[int]]:
    lines = [line for line in page.text.split("\n") if line.strip()]
    counts = [len(_WORD.findall(line)) for line in lines]
    return line_features(lines, rules), label_lines(lines, page.body), counts


def _site_folds(sites: list[str], folds: int) -> dict[str, int]:
    """Sorted sites dealt round robin into ``folds`` groups."""
    return {site: i % max(folds, 2) for i, site in enumerate(sites)}


def _training_rows(prepared: dict, keys: list[str], weight_cap: int) -> tuple[list, list, list]:
    rows, labels, weights = [], [], []
    for key in keys:
        r, y, counts = prepared[key]
        rows += r
        labels += y
        weights += [min(max(n, 1), weight_cap) for n in counts]
    return rows, labels, weights


def fit_line_model(rows: list[list[float]], labels: list[int], weights: list[float],
                   l2: float, features: tuple[str, ...] = FEATURES) -> LineModel:
    """L2-regularised logistic regression fitted by Newton's method (numpy)."""
    import numpy as np

    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    sw = np.asarray(weights, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (sw * (p - y)) + penalty * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return LineModel(features=features, mean=tuple(float(v) for v in mean),
                     scale=tuple(float(v) for v in scale),
                     weights=tuple(round(float(v), 8) for v in w[:-1]), bias=round(float(w[-1]), 8))


def _shingles(text: str) -> Counter:
    tokens = _WORD.findall(text)
    return Counter(tuple(tokens[i:i + 4]) for i in range(max(1, len(tokens) - 3)) if tokens[i:i + 4])


def body_scores(pairs: list[tuple[str, str]]) -> dict:
    """Shingle precision, recall and F1 averaged over (predicted, gold) pages, as score.py does."""
    precisions, recalls = [], []
    for predicted, gold in pairs:
        p, g = _shingles(predicted), _shingles(gold)
        tp, fp, fn = sum((p & g).values()), sum((p - g).values()), sum((g - p).values())
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    mp, mr = _mean(precisions), _mean(recalls)
    return {"precision": round(mp, 4), "recall": round(mr, 4),
            "f1": round(2 * mp * mr / (mp + mr), 4) if mp + mr else 0.0}


def train_region_model(text_dir: str | Path, gold_dir: str | Path, config: Config,
                       out_path: str | Path | None = None, folds: int = 5,
                       l2: float = 10.0) -> dict:
    """Fit the line model on labelled pages, write it as JSON, and report cross-validation.

    ``text_dir`` holds whole-page dumps ``<key>.txt``, ``gold_dir`` gold ``<key>.json`` with
    a ``body``.  Pages are split into ``folds`` groups by site (sorted sites dealt round
    robin), so every held-out page comes from a site the fold's model never saw; the report
    gives the body F1 of the model, of the hand rules and of keeping everything on them.
    The final model is fitted on all pages and written to ``out_path`` (default: the
    packaged model file named in the configuration).
    """
    rules = region_rules(config)
    pages = read_labelled_pages(Path(text_dir), Path(gold_dir))
    if not pages:
        raise ConfigError(f"no labelled pages in {text_dir} with gold in {gold_dir}")
    prepared = {page.key: _page_rows(page, rules) for page in pages}

    def fit(keys: list[str]) -> LineModel:
        return fit_line_model(*_training_rows(prepared, keys, rules.weight_cap_words), l2)

    report: dict = {"pages": len(pages), "lines": sum(len(v[1]) for v in prepared.values()),
                    "article_lines": sum(sum(v[1]) for v in prepared.values())}
    if folds > 1:
        sites = sorted({page.site for page in pages})
        fold_of = _site_folds(sites, folds)
        hand = dataclasses.replace(rules, scorer="rules")
        outputs: dict[str, list[tuple[str, str]]] = {"model": [], "rules": [], "keep_all": []}
        for fold in range(folds):
            held = [p for p in pages if fold_of[p.site] == fold]
            model = fit([p.key for p in pages if fold_of[p.site] != fold])
            for page in held:
                outputs["model"].append((_locate(page.text, rules, model).text, page.body))
                outputs["rules"].append((_locate(page.text, hand).text, page.body))
                outputs["keep_all"].append((page.text, page.body))
        report["cross_validation"] = {"folds": folds, "sites": len(sites),
                                      **{name: body_scores(pairs) for name, pairs in outputs.items()}}
    model = fit([page.key for page in pages])
    target = Path(out_path) if out_path else _model_path(rules)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({
        "version": MODEL_VERSION, "features": list(model.features),
        "mean": [round(v, 8) for v in model.mean], "scale": [round(v, 8) for v in model.scale],
        "weights": list(model.weights), "bias": model.bias, "l2": l2,
        "trained_on": {"pages": report["pages"], "lines": report["lines"]},
    }, indent=1) + "\n", encoding="utf-8")
    _load_model.cache_clear()
    report["model_path"] = str(target)
    return report
