"""Evaluation beside the anchors, on the real HTML fixture pages."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.config import Config, load_config
from pipeline.measure import metric
from pipeline.measure.evaluation import (OURS, READABILITY, TRAFILATURA, TRAFILATURA_DEFAULTS, evaluate,
                                         format_evaluation, readability_installed)
from pipeline.measure.gate import shared_dir

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config()


@pytest.mark.skipif(not readability_installed(), reason="readability-lxml (the eval extra) is not installed")
def test_real_pages_score_beside_every_anchor(config):
    gold = FIXTURES / "gold"
    inputs = sorted(FIXTURES.glob("*.html"))[:2]
    result = evaluate(gold, inputs, config, details=True)
    assert result["unmatched"] == 0 and result["skipped"] == []
    assert len(result["sets"]) == 2  # each input is a set
    for sides in result["sets"].values():
        assert list(sides) == [OURS, TRAFILATURA_DEFAULTS, TRAFILATURA, READABILITY]
        assert {s["pages"] for s in sides.values()} == {1}
    assert sorted(result["documents"]) == [p.name.split(".")[0] for p in inputs]
    table = format_evaluation(result).splitlines()
    assert table[0].split() == ["set", "side", "pages", "F1", "P", "R"] and len(table) == 1 + 2 * 4


def test_gold_folders_joined_with_a_colon_are_read_as_one(config, tmp_path):
    page = sorted(FIXTURES.glob("*.html"))[0]
    (tmp_path / "a").mkdir()
    result = evaluate(f"{tmp_path / 'a'}:{FIXTURES / 'gold'}", [page], config, anchors=False)
    assert result["unmatched"] == 0 and list(result["sets"][page.name]) == [OURS]
    assert result["sets"][page.name][OURS]["pages"] == 1


def test_metric_agrees_with_the_shared_scorer():
    score_py = shared_dir() / "tools" / "score.py"
    if not score_py.is_file():
        pytest.skip("the shared scorer is not beside the repository")
    spec = importlib.util.spec_from_file_location("shared_score", score_py)
    score = importlib.util.module_from_spec(spec)
    sys.modules["shared_score"] = score
    spec.loader.exec_module(score)
    pairs = [("one two three four five six", "one two three four five seven"),
             ("", "gold text here for once"), ("alpha beta gamma delta", ""), ("same words all four", "same words all four")]
    for predicted, gold in pairs:
        ours, theirs = metric.shingle_counts(predicted, gold), score.shingle_counts(predicted, gold)
        assert metric.precision(*ours) == pytest.approx(score.precision(*theirs))
        assert metric.recall(*ours) == pytest.approx(score.recall(*theirs))
