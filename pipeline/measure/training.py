"""Training the line model that finds the article in whole-page text dumps (``newsclean train-region``).

Lines of labelled pages are labelled from the gold body, described by the runtime's
features (:mod:`pipeline.text.features`), and fitted by L2-regularised logistic
regression. Cross-validation by site scores the model beside the hand rules with the
project's metric (:mod:`pipeline.measure.metric`).
"""
from __future__ import annotations

import dataclasses
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pipeline.config import Config, ConfigError
from pipeline.measure.metric import body_scores
from pipeline.text.features import FEATURES, WORD, line_features, line_key
from pipeline.text.model import MODEL_VERSION, LineModel, load_model, model_path
from pipeline.text.region import locate_region
from pipeline.text.region_rules import RegionRules, region_rules


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
    """A whole-page dump, its gold body and the site it comes from (folds group by site)."""

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
    counts = [len(WORD.findall(line)) for line in lines]
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
        report["cross_validation"] = _cross_validate(pages, rules, fit, folds)
    model = fit([page.key for page in pages])
    target = Path(out_path) if out_path else model_path(rules)
    _write_model(model, target, l2, report)
    report["model_path"] = str(target)
    return report


def _cross_validate(pages: list[LabelledPage], rules: RegionRules, fit, folds: int) -> dict:
    """Body scores of held-out pages: the model fitted without their sites, the hand rules, keeping all."""
    sites = sorted({page.site for page in pages})
    fold_of = _site_folds(sites, folds)
    hand = dataclasses.replace(rules, scorer="rules")
    outputs: dict[str, list[tuple[str, str]]] = {"model": [], "rules": [], "keep_all": []}
    for fold in range(folds):
        held = [p for p in pages if fold_of[p.site] == fold]
        model = fit([p.key for p in pages if fold_of[p.site] != fold])
        for page in held:
            outputs["model"].append((locate_region(page.text, rules, model).text, page.body))
            outputs["rules"].append((locate_region(page.text, hand).text, page.body))
            outputs["keep_all"].append((page.text, page.body))
    return {"folds": folds, "sites": len(sites), **{name: body_scores(pairs) for name, pairs in outputs.items()}}


def _write_model(model: LineModel, target: Path, l2: float, report: dict) -> None:
    """The model as the JSON the runtime loads; the runtime's cache of it is dropped."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({
        "version": MODEL_VERSION, "features": list(model.features),
        "mean": [round(v, 8) for v in model.mean], "scale": [round(v, 8) for v in model.scale],
        "weights": list(model.weights), "bias": model.bias, "l2": l2,
        "trained_on": {"pages": report["pages"], "lines": report["lines"]},
    }, indent=1) + "\n", encoding="utf-8")
    load_model.cache_clear()
