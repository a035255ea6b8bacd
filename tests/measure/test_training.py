"""Training the region model: paragraphs as the runtime lays them out, labelled from the gold body,
a model written only where asked, byte for byte the same on the same inputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from pipeline.config import load_config
from pipeline.measure.training import label_lines, read_labelled_pages, train_region_model
from pipeline.text.model import load_model, model_path
from pipeline.text.region import locate_region
from pipeline.text.region_rules import region_rules

FIXTURES = Path(__file__).parents[1] / "fixtures" / "region_training"
RENDERERS = [FIXTURES / "inscriptis", FIXTURES / "lynx"]
GOLD = [FIXTURES / "gold"]
# one paragraph of page 0107, wrapped over four lines by lynx
PARAGRAPH = ("Now that many of us are doing business out of our homes, is it time for an upgrade to your "
             "home network? What does that look like? Should you be concerned about cyber security? "
             "Michael Oh of TSP joins me to answer these questions and more.")


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def pages(config):
    return read_labelled_pages(RENDERERS, GOLD, config)


def test_line_labels_follow_the_gold_body():
    lines = ["* Home", "US FALLS", "The United States lost to Canada for the first time.", "Share this"]
    body = "The United States lost to Canada for the first time.\n\nUS FALLS\n\nMore text here."
    assert label_lines(lines, body) == [0, 1, 1, 0]


def test_pages_are_read_through_the_layout_step(pages):
    assert [(p.renderer, p.key, p.site) for p in pages[:5]] == [
        ("inscriptis", "0023", "happilyconnected.com"), ("inscriptis", "0067", "fastarz.com"),
        ("inscriptis", "0081", "cynomi.com"), ("inscriptis", "0107", "talkinghomerenovations.com"),
        ("lynx", "0023", "happilyconnected.com")]
    lynx = next(p for p in pages if p.renderer == "lynx" and p.key == "0107")
    raw = (FIXTURES / "lynx" / "0107.txt").read_text(encoding="utf-8")
    assert PARAGRAPH not in raw  # wrapped at 80 columns in the dump
    # the model sees the paragraph the region step sees: one line, labelled as article
    at = lynx.lines.index(PARAGRAPH)
    assert lynx.labels[at] == 1
    assert len(lynx.described.rows) == len(lynx.lines) == len(lynx.labels)


def test_training_writes_only_where_asked_and_the_same_bytes_again(tmp_path, config):
    packaged = model_path(region_rules(config))
    before = packaged.read_bytes()
    out, again = tmp_path / "a" / "model.json", tmp_path / "b" / "model.json"
    report = train_region_model(RENDERERS, GOLD, config, out_path=out, folds=3)
    second = train_region_model(RENDERERS, GOLD, config, out_path=again, folds=3)
    assert out.read_bytes() == again.read_bytes()
    assert report["cross_validation"] == second["cross_validation"]
    assert packaged.read_bytes() == before
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "a", "a/model.json", "b", "b/model.json"]
    assert (report["pages"], report["renderers"]) == (8, ["inscriptis", "lynx"])
    assert (report["lines"], report["article_lines"]) == (LINES, ARTICLE_LINES)
    cv = report["cross_validation"]
    assert cv["sites"] == 4
    # each fold's threshold is chosen on inner folds of its training pages (fold 0's three
    # training sites fall in one inner fold: the configured 0.4 stays)
    assert [(f["fold"], f["train_pages"], f["held_pages"], f["threshold"]) for f in cv["fitted"]] == [
        (0, 6, 2, 0.4), (1, 4, 4, 0.5), (2, 6, 2, 0.3)]
    assert sorted(cv["region"]) == ["inscriptis", "lynx"]
    assert report["threshold_chosen"] == THRESHOLD
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert (saved["version"], saved["threshold_chosen"]) == ("region_lr.v2", THRESHOLD)
    assert saved["trained_on"] == {"pages": 8, "renderers": ["inscriptis", "lynx"], "lines": LINES}


def test_a_trained_model_finds_the_article(tmp_path, config, pages):
    out = tmp_path / "model.json"
    train_region_model(RENDERERS, GOLD, config, out_path=out, folds=3)
    lynx = next(p for p in pages if p.renderer == "lynx" and p.key == "0107")
    region = locate_region(lynx.text, region_rules(config), load_model(str(out)))
    assert PARAGRAPH in region.text
    assert "+ Media Kit" not in region.text


def test_the_command_needs_an_output_path():
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["train-region", "text", "--gold", "gold"])
    args = parser.parse_args(["train-region", "a", "b", "--gold", "g1:g2", "--out", "m.json"])
    assert (args.text_dirs, args.gold, args.out, args.folds) == (["a", "b"], "g1:g2", "m.json", 5)


LINES, ARTICLE_LINES, THRESHOLD = 187, 79, 0.07
