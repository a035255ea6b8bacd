"""The body metric of the article-extraction benchmark, the one our scorer uses.

4-token shingles of ``\\w+`` tokens are counted per page; precision and recall are
averaged over pages (a page with nothing predicted has no precision, one with an empty
gold no recall) and F1 is their harmonic mean. Evaluation and region-model training
both score with it.
"""
from __future__ import annotations

import re
from collections import Counter

TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str) -> Counter:
    """The page's 4-token shingles with their counts (a shorter text is one shingle)."""
    tokens = TOKEN.findall(text or "")
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(zip(*(tokens[k:] for k in range(SHINGLE))))


def shingle_counts(predicted: str, gold: str) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) shingle counts of one page."""
    return counts_against(shingles(predicted), shingles(gold))


def counts_against(p: Counter, g: Counter) -> tuple[int, int, int]:
    """``shingle_counts`` of shingles already counted (training scores many texts against one gold)."""
    tp = sum((p & g).values())
    return tp, sum(p.values()) - tp, sum(g.values()) - tp


def precision(tp: int, fp: int, fn: int) -> float:
    return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))


def recall(tp: int, fp: int, fn: int) -> float:
    return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))


def summarise(counts: list[tuple[int, int, int]]) -> dict:
    """Page-averaged precision and recall of per-page shingle counts, and their F1."""
    ps = [precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [recall(*c) for c in counts if c[0] + c[2] > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"pages": len(counts), "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def body_scores(pairs: list[tuple[str, str]]) -> dict:
    """Precision, recall and F1 of (predicted, gold) page texts."""
    scores = summarise([shingle_counts(predicted, gold) for predicted, gold in pairs])
    return {name: scores[name] for name in ("precision", "recall", "f1")}
