"""Training the line model that finds the article in whole-page text dumps (``newsclean train-region``).

Pages are read as the runtime reads a text input (decoded, then the ``TextLayout`` step:
code cut, wraps rejoined, markdown read), so the model learns the reflowed paragraphs the
region step sees, never a renderer's physical lines. Each paragraph is labelled from the
gold body, described by the runtime's :func:`~pipeline.text.features.describe_lines`, and
fitted by L2-regularised logistic regression. Folds group pages by site (the domain of the
gold URL, :func:`pipeline.measure.metadata_eval.fold_of`), so the same page in several
renderings is always on one side; the region threshold is chosen on the training folds
only, and the report scores the held-out pages with the project's metric.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.config import Config, ConfigError
from pipeline.inputs.decoding import decode_bytes
from pipeline.inputs.limits import Limits
from pipeline.measure.evaluation import files_ending, page_key, read_page
from pipeline.measure.metadata_eval import fold_of, site_of
from pipeline.measure.metric import counts_against, shingle_counts, shingles, summarise
from pipeline.text.features import FEATURES, WORD, PageLines, describe_lines, line_key
from pipeline.text.layout import layout_rules, normalise_with
from pipeline.text.model import MODEL_VERSION, LineModel, load_model
from pipeline.text.region import best_span, region_from_probabilities
from pipeline.text.region_rules import RegionRules, region_rules

TEXT_SUFFIXES = (".txt", ".txt.gz")
# region thresholds tried on the training folds; the one with the best body F1 there is kept
THRESHOLDS = (0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
L2 = 10.0


def label_lines(lines: list[str], body: str) -> list[int]:
    """1 for each line that belongs to the gold ``body``, else 0.

    A line of four tokens or more belongs when half its 4-token shingles occur in the body;
    a shorter line (a subheading) when it equals one of the body's lines.
    """
    gold = WORD.findall(unicodedata.normalize("NFKC", body))
    gold_shingles = {tuple(gold[i:i + 4]) for i in range(max(0, len(gold) - 3))}
    gold_lines = {line_key(line) for line in body.split("\n") if line.strip()}
    labels = []
    for line in lines:
        tokens = WORD.findall(unicodedata.normalize("NFKC", line))
        if len(tokens) >= 4:
            shingles = [tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)]
            labels.append(int(sum(s in gold_shingles for s in shingles) >= 0.5 * len(shingles)))
        else:
            labels.append(int(bool(tokens) and line_key(line) in gold_lines))
    return labels


@dataclass(frozen=True)
class LabelledPage:
    """One rendering of a page after the layout step: its lines described and labelled.

    ``text`` is the laid-out dump the region step receives; ``lines`` its non-blank lines,
    ``described`` their feature rows, ``labels`` 1 for a line of the gold ``body``.
    """

    key: str
    site: str
    renderer: str
    text: str
    body: str
    lines: tuple[str, ...]
    described: PageLines
    labels: tuple[int, ...]


def read_labelled_pages(text_dirs: list[str | Path], gold_dirs: list[str | Path],
                        config: Config) -> list[LabelledPage]:
    """Every ``<key>.txt[.gz]`` of ``text_dirs`` with a gold ``<key>.json`` (with a ``body``) in ``gold_dirs``.

    A dump is decoded as a text input is, then laid out by the runtime's layout step; the
    renderer is the name of the folder given.
    """
    golds: dict[str, Path] = {}
    for folder in gold_dirs:
        for path in sorted(Path(folder).glob("*.json")):
            golds.setdefault(path.stem, path)
    decoding = Limits.from_config(config).decoding
    layout, rules = layout_rules(config), region_rules(config)
    pages = []
    for folder in text_dirs:
        renderer = Path(folder).name
        for path in files_ending([folder], TEXT_SUFFIXES):
            key = page_key(path)
            if key not in golds:
                continue
            gold = json.loads(golds[key].read_text(encoding="utf-8"))
            if "body" not in gold:
                continue
            body = gold["body"] if isinstance(gold["body"], str) else "\n\n".join(gold["body"])
            text = decode_bytes(read_page(path), kind="text", rules=decoding).text
            text = normalise_with(text, layout).text
            lines = tuple(line for line in text.split("\n") if line.strip())
            pages.append(LabelledPage(key, site_of(gold.get("url")) or key, renderer, text, body, lines,
                                      describe_lines(list(lines), rules), tuple(label_lines(list(lines), body))))
    return pages


def line_weights(page: LabelledPage, weight_cap: int) -> list[int]:
    """A line's weight in the fit: its words, within [1, ``weight_cap``], as the region search weighs it."""
    return [min(max(n, 1), weight_cap) for n in page.described.word_counts]


def fit_line_model(pages: list[LabelledPage], weight_cap: int, l2: float = L2) -> LineModel:
    """L2-regularised logistic regression over the lines of ``pages``, fitted by Newton's method (numpy)."""
    import numpy as np

    x = np.asarray([row for page in pages for row in page.described.rows], dtype=float)
    y = np.asarray([label for page in pages for label in page.labels], dtype=float)
    sw = np.asarray([w for page in pages for w in line_weights(page, weight_cap)], dtype=float)
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
    return LineModel(features=FEATURES, mean=tuple(round(float(v), 8) for v in mean),
                     scale=tuple(round(float(v), 8) for v in scale),
                     weights=tuple(round(float(v), 8) for v in w[:-1]), bias=round(float(w[-1]), 8))


def region_text(page: LabelledPage, probabilities: list[float], rules: RegionRules) -> str:
    """The text the region step keeps of ``page`` given its lines' probabilities."""
    return region_from_probabilities(page.text, list(page.lines), page.described, probabilities, rules,
                                     categorise=False).text


def _probabilities(model: LineModel, pages: list[LabelledPage]) -> list[list[float]]:
    return [[model.probability(row) for row in page.described.rows] for page in pages]


def choose_threshold(pages: list[LabelledPage], probabilities: list[list[float]], rules: RegionRules,
                     thresholds: tuple[float, ...] = THRESHOLDS) -> float:
    """The region threshold with the best body F1 of the region step on ``pages`` (the first on a tie)."""
    best, best_f1 = thresholds[0], -1.0
    # the region depends on the threshold only through the best span: each span is scored once
    scored: list[dict[tuple | None, tuple[int, int, int]]] = [{} for _ in pages]
    gold = {page.key: shingles(page.body) for page in pages}
    for threshold in thresholds:
        tried = replace(rules, threshold=threshold)
        counts = []
        for page, p, seen in zip(pages, probabilities, scored):
            span = best_span(p, page.described.word_counts, threshold, rules.weight_floor_words,
                             rules.weight_cap_words)
            if span not in seen:
                seen[span] = counts_against(shingles(region_text(page, p, tried)), gold[page.key])
            counts.append(seen[span])
        f1 = summarise(counts)["f1"]
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


def fold_plan(pages: list[LabelledPage], folds: int) -> list[int]:
    """Each page's fold: its site's hash, as every site-grouped measurement of the project folds."""
    return [fold_of(page.site, folds) for page in pages]


def fit_with_threshold(pages: list[LabelledPage], rules: RegionRules, folds: int,
                       l2: float = L2) -> tuple[LineModel, float]:
    """A model fitted on ``pages`` and the threshold chosen for it on their own out-of-fold probabilities.

    The threshold is chosen by inner site-grouped folds of ``pages`` alone: each page's
    probabilities come from a model that never saw its site. With one group only, the
    configured threshold stays.
    """
    inner = fold_plan(pages, folds) if folds > 1 else [0] * len(pages)
    if len(set(inner)) < 2:  # one group: no held-out pages to choose on
        return fit_line_model(pages, rules.weight_cap_words, l2), rules.threshold
    oof: list[list[float]] = [[] for _ in pages]
    for fold in sorted(set(inner)):
        fitted = fit_line_model([p for p, f in zip(pages, inner) if f != fold], rules.weight_cap_words, l2)
        for i, f in enumerate(inner):
            if f == fold:
                oof[i] = [fitted.probability(row) for row in pages[i].described.rows]
    return fit_line_model(pages, rules.weight_cap_words, l2), choose_threshold(pages, oof, rules)


def cross_validate(pages: list[LabelledPage], rules: RegionRules, folds: int, l2: float = L2,
                   shipped: LineModel | None = None, scored: list[LabelledPage] | None = None) -> dict:
    """Held-out body scores of the region step, per renderer: the fold's model, keeping all, the shipped model.

    For each fold the model and its threshold are fitted on the other folds of ``pages``
    only (the threshold by inner folds of those); the held-out pages of ``scored`` (default:
    ``pages``) are scored with it.
    """
    plan = fold_plan(pages, folds)
    scored = pages if scored is None else scored
    scored_plan = fold_plan(scored, folds)
    kept: dict[str, dict[str, list]] = {}
    fitted = []
    for fold in range(folds):
        train = [p for p, f in zip(pages, plan) if f != fold]
        held = [p for p, f in zip(scored, scored_plan) if f == fold]
        if not train or not held:
            continue
        model, threshold = fit_with_threshold(train, rules, folds - 1, l2)
        fitted.append({"fold": fold, "threshold": threshold, "train_pages": len(train), "held_pages": len(held)})
        tuned = replace(rules, threshold=threshold)
        for page, p in zip(held, _probabilities(model, held)):
            sides = kept.setdefault(page.renderer, {"model": [], "keep_all": [], "shipped": []})
            sides["model"].append(shingle_counts(region_text(page, p, tuned), page.body))
            sides["keep_all"].append(shingle_counts(page.text, page.body))
            if shipped is not None:
                q = [shipped.probability(row) for row in page.described.rows]
                sides["shipped"].append(shingle_counts(region_text(page, q, rules), page.body))
    by_renderer = {renderer: {side: summarise(counts) for side, counts in sides.items() if counts}
                   for renderer, sides in sorted(kept.items())}
    return {"folds": folds, "sites": len({p.site for p in pages}), "fitted": fitted, "region": by_renderer}


def write_model(model: LineModel, target: Path, l2: float, threshold: float, trained_on: dict) -> None:
    """The model as the JSON the runtime loads; the runtime's cache of it is dropped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({
        "version": MODEL_VERSION, "features": list(model.features),
        "mean": list(model.mean), "scale": list(model.scale),
        "weights": list(model.weights), "bias": model.bias, "l2": l2,
        "threshold_chosen": threshold, "trained_on": trained_on,
    }, indent=1) + "\n", encoding="utf-8")
    load_model.cache_clear()


def train_region_model(text_dirs: list[str | Path], gold_dirs: list[str | Path], config: Config,
                       out_path: str | Path, folds: int = 5, l2: float = L2) -> dict:
    """Fit the line model on labelled dumps, write it to ``out_path``, and report cross-validation.

    ``text_dirs`` hold whole-page dumps ``<key>.txt[.gz]`` (one folder per renderer),
    ``gold_dirs`` gold ``<key>.json`` with a ``body``. The model is fitted on every page;
    the region threshold for it is chosen by site-grouped folds (``threshold_chosen`` in
    the file and the report: set it as ``[region] threshold``). The report gives each
    renderer's held-out F1 of the region step beside keeping everything.
    """
    if folds < 2:
        raise ConfigError("the region threshold is chosen on held-out folds: folds must be at least 2")
    rules = region_rules(config)
    pages = read_labelled_pages(text_dirs, gold_dirs, config)
    if not pages:
        raise ConfigError(f"no labelled pages in {', '.join(map(str, text_dirs))} with gold in "
                          f"{', '.join(map(str, gold_dirs))}")
    report: dict = {"pages": len(pages), "renderers": sorted({p.renderer for p in pages}),
                    "lines": sum(len(p.labels) for p in pages),
                    "article_lines": sum(sum(p.labels) for p in pages)}
    report["cross_validation"] = cross_validate(pages, rules, folds, l2)
    model, threshold = fit_with_threshold(pages, rules, folds, l2)
    target = Path(out_path)
    write_model(model, target, l2, threshold,
                {"pages": report["pages"], "renderers": report["renderers"], "lines": report["lines"]})
    report["threshold_chosen"] = threshold
    report["model_path"] = str(target)
    return report
