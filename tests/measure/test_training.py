"""Training the region model: line labels from the gold body, a model written and read back."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.measure.training import label_lines, train_region_model

FIXTURES = Path(__file__).parents[1] / "fixtures" / "region"


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_line_labels_follow_the_gold_body():
    lines = ["* Home", "US FALLS", "The United States lost to Canada for the first time.", "Share this"]
    body = "The United States lost to Canada for the first time.\n\nUS FALLS\n\nMore text here."
    assert label_lines(lines, body) == [0, 1, 1, 0]


def test_training_writes_a_model_that_locate_can_use(tmp_path, config):
    text_dir, gold_dir = tmp_path / "text", tmp_path / "gold"
    text_dir.mkdir()
    gold_dir.mkdir()
    for i, seed in enumerate(sorted((FIXTURES / "seeds").glob("*.txt"))):
        (text_dir / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
        gold = json.loads(seed.with_suffix(".json").read_text(encoding="utf-8"))
        (gold_dir / f"{seed.stem}.json").write_text(
            json.dumps({"url": f"https://site{i}.example/a", "body": "\n\n".join(gold["body"])}),
            encoding="utf-8")
    out = tmp_path / "model.json"
    report = train_region_model(text_dir, gold_dir, config, out_path=out, folds=2)
    again = train_region_model(text_dir, gold_dir, config, out_path=tmp_path / "again.json", folds=2)
    assert report["pages"] == 5 and report["cross_validation"]["sites"] == 5
    assert out.read_text(encoding="utf-8") == (tmp_path / "again.json").read_text(encoding="utf-8")
    assert report["cross_validation"] == again["cross_validation"]
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "region_lr.v2"
