"""The library API: one page or one text in, a Document or a Reject out, settings loaded once."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pipeline.api
from pipeline import clean_html, clean_text
from pipeline.document import Document, Reject

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "chrome" / "000_c21bab5ccde556bd.txt"
PAGE = FIXTURES / "html" / "7916ecca969ffdd8f6fc32d171fbe0dd63db40fe4c1d2ade02b1dec5929a162f.html"


def _words(paragraphs: list[str]) -> list[str]:
    return [" ".join(p.split()) for p in paragraphs]


def test_a_seed_text_gives_its_gold_paragraphs_and_fields():
    gold = json.loads(SEED.with_suffix(".json").read_text(encoding="utf-8"))
    doc = clean_text(SEED.read_text(encoding="utf-8"))
    assert isinstance(doc, Document)
    assert _words(doc.paragraphs) == _words(gold["body"])
    assert (doc.title, doc.date_published) == (
        "The US Held Unprecedented Direct Talks With Hamas Exploring Broad Deal", "2025-03-05T17:48:00")


def test_a_page_as_bytes_gives_its_title_date_and_url():
    doc = clean_html(PAGE.read_bytes(), url="https://www.aljazeera.com/news/2019/11/20/crash.html")
    assert (doc.title, doc.date_published) == ("US service members killed in Afghanistan helicopter crash",
                                               "2019-11-20T08:02:00+00:00")
    assert (doc.source, doc.url) == ("https://www.aljazeera.com/news/2019/11/20/crash.html",) * 2
    assert doc.work is None  # the parsed tree stays behind


def test_str_and_bytes_of_one_page_give_the_same_record():
    assert clean_html(PAGE.read_text(encoding="utf-8")).as_record() == clean_html(PAGE.read_bytes()).as_record()


def test_a_relative_date_resolves_against_the_reference_date():
    text = ("Bridge to close for repairs\n\n2 days ago\n\n" + "\n\n".join(
        f"Paragraph {n}: the council voted on Tuesday to close the old bridge to heavy traffic for repairs."
        for n in range(4)))
    assert clean_text(text, reference_date=date(2025, 3, 7)).date_published == "2025-03-05"
    assert clean_text(text).date_published is None


def test_input_without_an_article_is_a_reject_returned_not_raised():
    assert clean_html(b"<html><body><nav>Home</nav></body></html>") == Reject(
        "<input>", "no_article_text", "no article text was found in the input")


def test_settings_load_once_per_process():
    clean_text(SEED.read_text(encoding="utf-8"))
    before = pipeline.api._settings.cache_info()
    clean_html(PAGE.read_bytes())
    after = pipeline.api._settings.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + 1) and after.currsize == 1


def test_importing_the_package_loads_no_cleaning_code():
    code = "import sys, pipeline; print(sorted(m for m in sys.modules if m.startswith('pipeline')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pipeline']"
