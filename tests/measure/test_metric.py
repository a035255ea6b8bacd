"""The shingle metric, implemented once for evaluation and region-model training."""
from __future__ import annotations

from pipeline.measure.metric import body_scores, shingle_counts, summarise


def test_shingle_counts_and_page_average():
    gold = "one two three four five"
    assert shingle_counts("one two three four five", gold) == (2, 0, 0)
    assert shingle_counts("zero one two three four", gold) == (1, 1, 1)
    assert summarise([(2, 0, 0), (1, 1, 1)]) == {"pages": 2, "precision": 0.75, "recall": 0.75, "f1": 0.75}
    # nothing predicted: no precision for that page, recall 0
    assert summarise([(0, 0, 2)]) == {"pages": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_body_scores_average_precision_and_recall_over_page_pairs():
    gold = "one two three four five"
    pairs = [("one two three four five", gold), ("zero one two three four", gold), ("", gold)]
    # the empty prediction has no precision (it predicted nothing) and recall 0
    assert body_scores(pairs) == {"precision": 0.75, "recall": 0.5, "f1": 0.6}
