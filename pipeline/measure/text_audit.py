"""Audit of the text rules: on how many dev sites each rule fires, and whether what it removes is gold or chrome.

    python -m pipeline.measure.text_audit GOLD_DIR[:GOLD_DIR...] RUN_DIR... [--rules a.v1,b.v1] [--json]

Each RUN_DIR is the output folder of a ``newsclean run`` over text dumps. Every removal is
credited to its rule; its words are gold when they lie in a stretch of the gold body (a
4-token window of the removal found in the gold, or the whole removal when shorter), chrome
otherwise. Sites are the gold URLs' domains, split in two halves by a hash of the domain
(``look`` = half 0, ``score`` = half 1), so a rule written while looking at one half is
judged on the other.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from pipeline.measure.metadata_eval import fold_of, site_of
from pipeline.measure.metric import TOKEN

HALVES = ("look", "score")
WINDOW = 4


def half_of(url: str | None) -> str:
    """The half of the dev sites a page's gold URL falls in."""
    return HALVES[fold_of(site_of(url), 2)]


def load_gold(spec: str) -> dict[str, dict]:
    """Gold records by key from one or several folders joined with ':'."""
    gold: dict[str, dict] = {}
    for folder in spec.split(":"):
        for path in sorted(Path(folder).glob("*.json")):
            gold[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return gold


def key_of(source: str) -> str:
    name = Path(source.split("#")[0]).name
    for suffix in (".gz", ".txt", ".html", ".htm"):
        name = name.removesuffix(suffix)
    return name


def gold_ngrams(body: str | list) -> set[tuple[str, ...]]:
    text = "\n".join(body) if isinstance(body, list) else (body or "")
    tokens = [t.lower() for t in TOKEN.findall(text)]
    return {tuple(tokens[i:i + n]) for n in range(1, WINDOW + 1) for i in range(len(tokens) - n + 1)}


def split_words(text: str, grams: set[tuple[str, ...]]) -> tuple[int, int]:
    """(gold words, chrome words) of one removed text."""
    tokens = [t.lower() for t in TOKEN.findall(text)]
    n = min(WINDOW, len(tokens))
    if n == 0:
        return 0, 0
    in_gold = [False] * len(tokens)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i:i + n]) in grams:
            for j in range(i, i + n):
                in_gold[j] = True
    gold = sum(in_gold)
    return gold, len(tokens) - gold


def audit(gold: dict[str, dict], runs: list[Path]) -> dict[str, dict]:
    """Per rule and half: sites fired, pages, removals, gold words, chrome words."""
    table: dict[str, dict] = defaultdict(lambda: {h: {"sites": set(), "pages": 0, "removals": 0,
                                                      "gold_words": 0, "chrome_words": 0}
                                                  for h in HALVES})
    for run in runs:
        for path in sorted(run.glob("records-*.jsonl")):
            for line in path.read_text(encoding="utf-8").split("\n"):
                if not line.strip():
                    continue
                record = json.loads(line)
                page = gold.get(key_of(record["source"]))
                if page is None:
                    continue
                half, site = half_of(page.get("url")), site_of(page.get("url"))
                grams = gold_ngrams(page.get("body"))
                seen = set()
                for removal in record.get("removed", []):
                    cell = table[removal["rule"]][half]
                    g, c = split_words(removal["text"], grams)
                    cell["sites"].add(site)
                    cell["removals"] += 1
                    cell["gold_words"] += g
                    cell["chrome_words"] += c
                    if removal["rule"] not in seen:
                        cell["pages"] += 1
                        seen.add(removal["rule"])
    return {rule: {h: {**cells[h], "sites": len(cells[h]["sites"])} for h in HALVES}
            for rule, cells in sorted(table.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold")
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--rules", default="", help="comma-separated rule names to show (default all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    table = audit(load_gold(args.gold), args.runs)
    wanted = [r for r in args.rules.split(",") if r]
    if wanted:
        table = {r: table.get(r, {h: {"sites": 0, "pages": 0, "removals": 0, "gold_words": 0,
                                      "chrome_words": 0} for h in HALVES}) for r in wanted}
    if args.json:
        json.dump(table, sys.stdout, indent=1)
        print()
        return 0
    print(f"{'rule':34} {'look sites':>10} {'gold/chrome':>15} {'score sites':>11} {'gold/chrome':>15}")
    for rule, cells in table.items():
        lk, sc = cells["look"], cells["score"]
        print(f"{rule:34} {lk['sites']:>10} {lk['gold_words']:>7}/{lk['chrome_words']:<7} "
              f"{sc['sites']:>11} {sc['gold_words']:>7}/{sc['chrome_words']:<7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
