"""Our HTML cleaning beside the anchors (trafilatura defaults and precision mode, readability-lxml): quality against gold bodies.

``evaluate`` scores every side on the same pages in the same run with the
article-extraction-benchmark's metric (:mod:`pipeline.measure.metric`), the metric of the
project's scorer. Speed is measured in :mod:`pipeline.measure.benchmark`.

``python -m pipeline.measure.evaluation GOLD_DIR INPUT...`` is ``newsclean eval`` with each
set also split by site fold: the folds 0-2 rules may be written looking at, and the
unseen folds 3-4 that judge them (folds as :mod:`pipeline.measure.metadata_eval` defines them).
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from pathlib import Path, PurePath
from typing import Callable, Iterable

from trafilatura import bare_extraction

from pipeline.cleaner import Cleaner
from pipeline.config import Config, load_config
from pipeline.inputs.decoding import decode_bytes
from pipeline.document import RawInput, Reject
from pipeline.measure.metric import precision, recall, shingle_counts, summarise

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
OURS, TRAFILATURA = "newsclean", "trafilatura favor_precision"


def html_files(inputs: Iterable[str | Path]) -> list[Path]:
    """The HTML files named by ``inputs`` (files, or folders walked recursively), sorted."""
    return files_ending(inputs, HTML_SUFFIXES)


def files_ending(inputs: Iterable[str | Path], suffixes: tuple[str, ...]) -> list[Path]:
    """The files named by ``inputs``, and those ending in ``suffixes`` in folders walked recursively, sorted."""
    found: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes))
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such input: {path}")
    return sorted(found)


def page_key(path: str | PurePath) -> str:
    """The gold key of a page: its file name up to the first dot, as the scorer matches."""
    return PurePath(path).name.split(".")[0]


def read_page(path: Path) -> bytes:
    """The raw bytes of a page, gunzipped when its name ends in .gz."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def decode_page(data: bytes) -> str:
    """The page as text, decoded the way the pipeline decodes HTML inputs."""
    return decode_bytes(data, kind="html").text


def gold_body(path: Path) -> str:
    """The gold article text of a gold JSON file (``body`` as a string or paragraph list)."""
    return gold_text(json.loads(path.read_text(encoding="utf-8")))


def gold_text(gold: dict) -> str:
    """The article text of a parsed gold record."""
    body = gold.get("body", "")
    return body if isinstance(body, str) else "\n\n".join(body)


def fold_groups() -> tuple[tuple[str, frozenset[int]], ...]:
    """(label, folds) of the rows by site fold: the folds looked at while writing rules, and the unseen ones."""
    from pipeline.measure.metadata_eval import HELD_OUT_FOLDS, TUNING_FOLDS  # it imports this module

    return (("folds 0-2", TUNING_FOLDS), ("folds 3-4", HELD_OUT_FOLDS))


def page_fold(gold: dict, folds: int = 5) -> int:
    """The site fold of a page: its gold URL's domain hashed, as everywhere in the project."""
    from pipeline.measure.metadata_eval import fold_of, site_of

    return fold_of(site_of(gold.get("url")), folds)


# ------------------------------------------------------------------ the sides

def our_text(cleaner: Cleaner, source: str, html: str) -> str:
    """Our article text of one page through the full per-document cleaning."""
    result = cleaner.clean(RawInput(source=source, content=html, kind="html"))
    return "" if isinstance(result, Reject) else result.text


def trafilatura_text(html: str, *, favor_precision: bool = True) -> str:
    """Bare trafilatura's article text, comments off (precision mode: the dev anchor)."""
    result = bare_extraction(html, favor_precision=favor_precision, include_comments=False)
    return (result.text or "") if result is not None else ""


def readability_text(html: str) -> str:
    """readability-lxml's article text: the text pieces of its summary, one a line ("" when it fails)."""
    from lxml.html import fromstring
    from readability import Document as ReadabilityDocument

    try:
        summary = fromstring(ReadabilityDocument(html).summary(html_partial=True))
    except Exception:  # readability raises on pages it cannot summarise: an empty answer, as trafilatura's None
        return ""
    return "\n".join(piece.strip() for piece in summary.itertext() if piece.strip())


def readability_installed() -> bool:
    """Whether the readability-lxml anchor can run (the ``eval`` extra)."""
    return importlib.util.find_spec("readability") is not None


TRAFILATURA_DEFAULTS, READABILITY = "trafilatura defaults", "readability-lxml"
# each anchor: (name, text of a page)
ANCHORS: tuple[tuple[str, Callable[[str], str]], ...] = (
    (TRAFILATURA_DEFAULTS, lambda html: trafilatura_text(html, favor_precision=False)),
    (TRAFILATURA, trafilatura_text),
    (READABILITY, readability_text),
)


def gold_file(gold_dirs: list[Path], key: str) -> Path | None:
    """``<key>.json`` in the first of ``gold_dirs`` that has it."""
    return next((d / f"{key}.json" for d in gold_dirs if (d / f"{key}.json").is_file()), None)


def evaluate(gold_dir: str | Path, inputs: Iterable[str | Path], config: Config | None = None, *,
             details: bool = False, anchors: bool = True, by_fold: bool = False) -> dict:
    """Precision, recall and F1 of our text and the anchors' on the pages with a gold, per input set.

    ``gold_dir`` is a folder of ``<key>.json`` files, or several joined with ``:`` (read as one,
    as the scorer does). Each of ``inputs`` is one set (a folder or a file); every side runs on
    the same decoded page in the same run. Pages without a gold are counted as ``unmatched``.
    The anchors are trafilatura defaults, trafilatura ``favor_precision`` and readability-lxml
    (left out, and said so in ``skipped``, when the ``eval`` extra is not installed).
    With ``details`` the result also holds per-page figures; with ``by_fold`` each set has
    rows ``<set> folds 0-2`` and ``<set> folds 3-4`` as well (pages grouped by the site fold
    of their gold URL).
    """
    config = config or load_config()
    gold_dirs = [Path(d) for d in str(gold_dir).split(":") if d]
    cleaner = Cleaner.from_config(config)
    sides = [(OURS, lambda html, source: our_text(cleaner, source, html))]
    skipped = []
    for name, text_of in ANCHORS if anchors else ():
        if name == READABILITY and not readability_installed():
            skipped.append(f"{READABILITY}: not installed (pip install -e '.[eval]')")
            continue
        sides.append((name, lambda html, source, text_of=text_of: text_of(html)))
    sets: dict[str, dict] = {}
    pages: dict[str, dict] = {}
    unmatched = []
    for item in inputs:
        counts: dict[str, list[tuple[int, int, int]]] = {name: [] for name, _ in sides}
        folds = []
        for path in html_files([item]):
            gold_path = gold_file(gold_dirs, page_key(path))
            if gold_path is None:
                unmatched.append(path.name)
                continue
            record = json.loads(gold_path.read_text(encoding="utf-8"))
            gold = gold_text(record)
            folds.append(page_fold(record))
            html = decode_page(read_page(path))
            row = {}
            for name, text_of in sides:
                c = shingle_counts(text_of(html, path.name), gold)
                counts[name].append(c)
                row[name] = {"precision": round(precision(*c), 4), "recall": round(recall(*c), 4)}
            pages[page_key(path)] = row
        sets[set_name(item)] = {name: summarise(c) for name, c in counts.items()}
        for label, group in fold_groups() if by_fold else ():
            sets[f"{set_name(item)} {label}"] = {
                name: summarise([n for n, fold in zip(c, folds) if fold in group]) for name, c in counts.items()}
    result = {"sets": sets, "unmatched": len(unmatched), "skipped": skipped}
    if details:
        result["documents"] = pages
    return result


def set_name(item: str | Path) -> str:
    """A set's name: its folder's name, or the parent's where the folder is just ``html``."""
    path = Path(item).resolve()
    return f"{path.parent.name}/{path.name}" if path.name in ("html", "text") else path.name


def format_evaluation(result: dict) -> str:
    """The evaluation as a table: one line per set and side, F1 then precision and recall."""
    width = max([14] + [len(name) for name in result["sets"]])
    lines = [f"{'set':<{width}} {'side':<27} {'pages':>5} {'F1':>7} {'P':>7} {'R':>7}"]
    for name, sides in result["sets"].items():
        for side, s in sides.items():
            lines.append(f"{name:<{width}} {side:<27} {s['pages']:>5} {s['f1']:>7.4f} {s['precision']:>7.4f} {s['recall']:>7.4f}")
    lines += [f"skipped {s}" for s in result["skipped"]]
    if result["unmatched"]:
        lines.append(f"{result['unmatched']} pages without a gold were left out")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.measure.evaluation",
                                     description="newsclean eval, each set also split by site fold (0-2 / 3-4)")
    parser.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of <key>.json gold files (several joined with ':')")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="HTML files or folders, each one set")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, not a table")
    parser.add_argument("--details", action="store_true", help="per-page figures too (JSON)")
    args = parser.parse_args(argv)
    result = evaluate(args.gold_dir, args.inputs, details=args.details, by_fold=True)
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json or args.details else format_evaluation(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
