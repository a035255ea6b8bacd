"""Evaluation and the speed of one side, on the real HTML fixture pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config, load_config
from pipeline.measure.evaluation import TRAFILATURA, evaluate, measure_side

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


def test_measure_side_reports_speed_and_memory():
    pages = [str(p) for p in sorted(FIXTURES.glob("*.html"))[:2]]
    result = measure_side(TRAFILATURA, pages, None)
    assert result["pages"] == 2
    assert result["pages_per_second"] > 0 and result["warm_pages_per_second"] > 0
    assert result["peak_rss_mib"] >= result["rss_before_mib"] > 0
