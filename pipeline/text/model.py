"""The line scorer of the region: the shipped logistic-regression model, or the jusText-like hand rules."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.config import ConfigError
from pipeline.text.features import FEATURES, line_features
from pipeline.text.region_rules import RegionRules

MODEL_VERSION = "region_lr.v2"


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


def model_path(rules: RegionRules) -> Path:
    return Path(str(resources.files("pipeline").joinpath("models", rules.model_file)))


@lru_cache(maxsize=8)
def load_model(path: str) -> LineModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read region model {path}: {exc}") from exc
    if data.get("version") != MODEL_VERSION or tuple(data.get("features", ())) != FEATURES:
        raise ConfigError(f"region model {path} was trained for other features; retrain it")
    return LineModel(features=FEATURES, mean=tuple(data["mean"]), scale=tuple(data["scale"]),
                     weights=tuple(data["weights"]), bias=float(data["bias"]))


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
    model = model or load_model(str(model_path(rules)))
    return [model.probability(row) for row in rows]
