"""Evaluation and the speed of one side, on the real HTML fixture pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config, load_config
from pipeline.measure.evaluation import evaluate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config()


def test_real_pages_score_above_trafilatura(config):
    gold = FIXTURES / "gold"
    inputs = sorted(FIXTURES.glob("*.html"))[:2]
    result = evaluate(gold, inputs, config, details=True)
    assert result["newsclean"]["pages"] == result["trafilatura"]["pages"] == 2
    assert result["unmatched"] == 0
    assert result["newsclean"]["precision"] > result["trafilatura"]["precision"]
    assert sorted(result["documents"]) == [p.name.split(".")[0] for p in inputs]
