"""The line scorer of the region: the shipped logistic-regression model, or the jusText-like hand rules."""
from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from pipeline.config import ConfigError
from pipeline.text.features import FEATURES, PageLines, describe_lines
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
    # the standardisation folded into the weights once: z = intercept + sum(raw_weight * x)
    raw_weights: tuple[float, ...] = field(init=False, repr=False, compare=False)
    intercept: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = tuple(w / s for w, s in zip(self.weights, self.scale))
        object.__setattr__(self, "raw_weights", raw)
        object.__setattr__(self, "intercept", self.bias - sum(r * m for r, m in zip(raw, self.mean)))

    def probability(self, row: tuple[float, ...]) -> float:
        z = self.intercept + sum(map(operator.mul, self.raw_weights, row))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def probabilities(self, columns: np.ndarray) -> list[float]:
        """``probability`` of every line of ``columns`` (one row per feature, one column per line).

        The weighted features are summed feature after feature for all lines at once, in the
        order ``probability`` sums them, so both give the same floats.
        """
        total = None
        for weight, column in zip(self.raw_weights, columns):
            total = weight * column if total is None else total + weight * column
        if total is None:
            return []
        z = np.maximum(-30.0, np.minimum(30.0, self.intercept + total))
        exp = math.exp
        return [1.0 / (1.0 + exp(-v)) for v in z.tolist()]


def model_path(rules: RegionRules) -> Path:
    """The model file: an absolute ``model_file`` as given, a bare name in the packaged models."""
    if Path(rules.model_file).is_absolute():
        return Path(rules.model_file)
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
    return page_probabilities(describe_lines(lines, rules), rules, model)


def page_probabilities(page: PageLines, rules: RegionRules, model: LineModel | None = None) -> list[float]:
    """``line_probabilities`` of lines already described."""
    if model is None and rules.scorer == "rules":
        return [_rule_probability(row, rules) for row in page.rows]
    model = model or load_model(str(model_path(rules)))
    return model.probabilities(page.columns)
