"""The step lists and the interface: a new step plugs in by adding it to a list."""
from __future__ import annotations

import pytest

from pipeline.cleaner import Cleaner
from pipeline.config import load_config
from pipeline.document import Document, RawInput, Removal
from pipeline.steps import HTML_STEPS, TEXT_STEPS
from pipeline.steps.base import Step
from pipeline.steps.html import TitleRepeat

PARAGRAPHS = [f"Paragraph {n} of the story: the council voted on the budget for the new bridge." for n in range(3)]
SPONSORED = "Sponsored: this week only, half price on every bicycle in the shop."
PAGE = ("<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
        + "".join(f"<p>{p}</p>" for p in [PARAGRAPHS[0], SPONSORED, *PARAGRAPHS[1:]]) + "</article></body></html>")


class DropSponsored(Step):
    """A step of a user's own: paragraphs that announce themselves as sponsored go."""

    name = "sponsored"

    def __init__(self, config):
        self.prefix = "Sponsored:"

    def apply(self, doc: Document) -> None:
        kept = []
        for paragraph in doc.paragraphs:
            if paragraph.startswith(self.prefix):
                doc.remove("advertisement", paragraph, "sponsored_line.v1")
            else:
                kept.append(paragraph)
        doc.paragraphs = kept


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_a_step_added_to_the_list_runs_and_records_its_removal(config):
    raw = RawInput(source="a.html", content=PAGE, kind="html")
    plain = Cleaner.from_config(config).clean(raw)
    assert plain.paragraphs == [PARAGRAPHS[0], SPONSORED, *PARAGRAPHS[1:]]
    extended = Cleaner.from_config(config, html_steps=(*HTML_STEPS, DropSponsored)).clean(raw)
    assert extended.paragraphs == PARAGRAPHS
    assert extended.removed == [*plain.removed, Removal("advertisement", SPONSORED, "sponsored_line.v1")]


def test_the_runner_counts_each_step_once_per_document(config):
    cleaner = Cleaner.from_config(config)
    cleaner.clean(RawInput(source="a.html", content=PAGE, kind="html"))
    cleaner.clean(RawInput(source="a.txt", content="Budget vote\n\n" + "\n\n".join(PARAGRAPHS), kind="text"))
    assert dict(cleaner.stats.calls) == {
        "safe_html": 1, "parse_html": 1, "html_metadata": 1, "extract": 1, "title_repeat": 1,
        "layout": 1, "site_name": 1, "region": 1, "text_chrome": 1, "text_metadata": 1, "dateline": 1, "scrub_controls": 2, "language": 2}
    assert set(cleaner.stats.seconds) == set(cleaner.stats.calls)


def test_the_step_lists_name_each_step_once_in_order():
    assert [s.name for s in HTML_STEPS] == [
        "safe_html", "parse_html", "html_metadata", "extract", "title_repeat", "scrub_controls", "language"]
    assert [s.name for s in TEXT_STEPS] == [
        "layout", "site_name", "region", "text_chrome", "text_metadata", "scrub_controls", "language", "dateline"]


@pytest.mark.parametrize("first, kept", [
    ("Budget  vote", PARAGRAPHS),               # the title, spaced differently: a repeat
    ("Budget vote today", ["Budget vote today", *PARAGRAPHS]),  # more than the title: text
])
def test_a_leading_paragraph_repeating_the_title_field_is_removed(config, first, kept):
    doc = Document(id="1", source="s", title="Budget vote", paragraphs=[first, *PARAGRAPHS])
    TitleRepeat(config).apply(doc)
    assert doc.paragraphs == kept
    assert doc.removed == ([Removal("title", first, "title_field_repeat.v1")] if kept == PARAGRAPHS else [])
