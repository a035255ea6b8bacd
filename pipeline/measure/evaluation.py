"""Our HTML cleaning beside bare trafilatura: quality against gold bodies.

``evaluate`` scores both on the same pages with the article-extraction-benchmark's
metric (:mod:`pipeline.measure.metric`), the metric of the project's scorer. Speed is
measured in :mod:`pipeline.measure.benchmark`.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path, PurePath
from typing import Iterable

from trafilatura import bare_extraction

from pipeline.cleaner import Cleaner
from pipeline.config import Config, load_config
from pipeline.inputs.decoding import decode_bytes
from pipeline.document import RawInput, Reject
from pipeline.measure.metric import precision, recall, shingle_counts, summarise

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
OURS, TRAFILATURA = "newsclean", "trafilatura"


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
    body = json.loads(path.read_text(encoding="utf-8")).get("body", "")
    return body if isinstance(body, str) else "\n\n".join(body)


# ------------------------------------------------------------------ the two sides

def our_text(cleaner: Cleaner, source: str, html: str) -> str:
    """Our article text of one page through the full per-document cleaning."""
    result = cleaner.clean(RawInput(source=source, content=html, kind="html"))
    return "" if isinstance(result, Reject) else result.text


def trafilatura_text(html: str) -> str:
    """Bare trafilatura's article text: precision mode, comments off, the dev anchor."""
    result = bare_extraction(html, favor_precision=True, include_comments=False)
    return (result.text or "") if result is not None else ""


def evaluate(gold_dir: str | Path, inputs: Iterable[str | Path], config: Config | None = None, *,
             details: bool = False) -> dict:
    """Precision, recall and F1 of our text and bare trafilatura's on the pages with a gold.

    Pages are matched to ``GOLD_DIR/<key>.json`` by file name; pages without a gold are
    counted as ``unmatched``. With ``details`` the result also holds per-page figures.
    """
    config = config or load_config()
    gold_dir = Path(gold_dir)
    cleaner = Cleaner.from_config(config)
    counts: dict[str, list[tuple[int, int, int]]] = {OURS: [], TRAFILATURA: []}
    pages: dict[str, dict] = {}
    unmatched = []
    for path in html_files(inputs):
        gold_path = gold_dir / f"{page_key(path)}.json"
        if not gold_path.is_file():
            unmatched.append(path.name)
            continue
        gold = gold_body(gold_path)
        html = decode_page(read_page(path))
        row = {}
        for side, text in ((OURS, our_text(cleaner, path.name, html)), (TRAFILATURA, trafilatura_text(html))):
            c = shingle_counts(text, gold)
            counts[side].append(c)
            row[side] = {"precision": round(precision(*c), 4), "recall": round(recall(*c), 4)}
        pages[page_key(path)] = row
    result = {OURS: summarise(counts[OURS]), TRAFILATURA: summarise(counts[TRAFILATURA]),
              "unmatched": len(unmatched)}
    if details:
        result["documents"] = pages
    return result
