"""Our HTML cleaning beside bare trafilatura: quality against gold bodies, and speed.

``evaluate`` scores both on the same pages with the article-extraction-benchmark's
metric (:mod:`pipeline.measure.metric`), the metric of the project's scorer.
``benchmark`` runs each side alone in a fresh process and reports pages per second and
peak memory.
"""
from __future__ import annotations

import gzip
import json
import multiprocessing
import resource
import time
from pathlib import Path, PurePath
from typing import Iterable

from trafilatura import bare_extraction

from pipeline.batch import warm_up
from pipeline.cleaner import Cleaner
from pipeline.config import Config, load_config
from pipeline.decoding import decode_bytes
from pipeline.document import RawInput, Reject
from pipeline.html.extract import extract_html
from pipeline.html.rules import html_rules
from pipeline.measure.metric import precision, recall, shingle_counts, summarise
from pipeline.text.rules import load_chrome_rules

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
OURS, TRAFILATURA = "newsclean", "trafilatura"
# our HTML extraction step alone (no metadata, language...), to see where time goes
EXTRACTION = "newsclean_extraction"


def html_files(inputs: Iterable[str | Path]) -> list[Path]:
    """The HTML files named by ``inputs`` (files, or folders walked recursively), sorted."""
    found: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(HTML_SUFFIXES))
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


# ------------------------------------------------------------------ speed

def measure_side(side: str, paths: list[str], config: Config | None) -> dict:
    """Run one side over the pages in this (fresh) process: time and peak memory."""
    pages = [(Path(p).name, read_page(Path(p))) for p in paths]
    if side == EXTRACTION:
        config = config or load_config()
        rules, chrome = html_rules(config), load_chrome_rules(config)

        def run(name: str, data: bytes) -> None:
            extract_html(decode_page(data), rules, chrome)
    elif side == OURS:
        cleaner = Cleaner.from_config(config or load_config())
        warm_up(cleaner)  # as `newsclean run` does once, before its workers start

        def run(name: str, data: bytes) -> None:
            our_text(cleaner, name, decode_page(data))
    else:
        def run(name: str, data: bytes) -> None:
            bare_extraction(data, with_metadata=True)
    if pages:  # each side's one-time start-up (lazy imports, tables) is not page throughput
        warm_started = time.perf_counter()
        run(*pages[0])
        start_up = time.perf_counter() - warm_started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    first = None
    for name, data in pages:
        run(name, data)
        first = first or time.perf_counter() - started
    seconds = time.perf_counter() - started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rest = seconds - (first or 0.0)
    return {"pages": len(pages), "seconds": round(seconds, 3),
            "pages_per_second": round(len(pages) / seconds, 2) if seconds else None,
            # the first page pays for lazily loaded models and compiled rules
            "first_page_seconds": round(first or 0.0, 3),
            "warm_up_page_seconds": round(start_up, 3) if pages else None,
            "warm_pages_per_second": round((len(pages) - 1) / rest, 2) if len(pages) > 1 and rest else None,
            # ru_maxrss is in KiB on Linux
            "peak_rss_mib": round(rss_peak / 1024, 1), "rss_before_mib": round(rss_before / 1024, 1)}


def benchmark(inputs: Iterable[str | Path], config: Config | None = None, *, rounds: int = 1) -> dict:
    """Pages per second and peak memory of our cleaning and of bare trafilatura.

    Each side runs alone in a fresh process with one worker on the same pages, read
    into memory first, after one untimed page (and, for ours, the pipeline's own
    ``warm_up``) so that one-time start-up is not counted as page throughput; ours decodes and fully cleans each page (metadata included),
    trafilatura runs ``bare_extraction(page, with_metadata=True)`` on the bytes. Our
    extraction step alone is measured too, to show where the time goes. With several
    ``rounds`` the sides take turns and each keeps its fastest round, so a busy
    machine penalises neither side more than the other.
    """
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    paths = [str(p) for p in html_files(inputs)]
    context = multiprocessing.get_context("spawn")
    result: dict = {}
    for _ in range(rounds):
        for side in (OURS, EXTRACTION, TRAFILATURA):
            with context.Pool(1) as pool:
                run = pool.apply(measure_side, (side, paths, config))
            if side not in result or run["seconds"] < result[side]["seconds"]:
                result[side] = run
    for rate, prefix in (("pages_per_second", ""), ("warm_pages_per_second", "warm_")):
        theirs = result[TRAFILATURA][rate]
        for side, key in ((OURS, "speed_ratio"), (EXTRACTION, "extraction_speed_ratio")):
            ours = result[side][rate]
            result[prefix + key] = round(ours / theirs, 3) if ours and theirs else None
    result["rounds"] = rounds
    return result
