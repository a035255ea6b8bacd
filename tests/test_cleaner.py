"""The per-document cleaner: the time budget, and what becomes a reject."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

import pipeline.cleaner
from pipeline.cleaner import Cleaner, DocumentTimeout, time_budget
from pipeline.config import ConfigError, load_config
from pipeline.document import Document, RawInput, Reject, Removal

BODY = ("<p>The council voted on Tuesday to close the old bridge to heavy traffic, citing a report that "
        "found cracks in two of its supporting piers.</p><p>Engineers said repairs would take at least "
        "eight months and cost about four million dollars.</p>")


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.from_config(load_config())


def _compute(seconds: float) -> None:
    """Work on the CPU for ``seconds`` of process time (the budget counts nothing else)."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_time_budget_cannot_be_swallowed_by_a_broad_except():
    with pytest.raises(DocumentTimeout):
        with time_budget(0.02):
            for _ in range(500):  # a library that catches every Exception and carries on
                try:
                    _compute(0.01)
                except Exception:
                    pass


def test_slow_document_becomes_a_time_budget_reject(cleaner, monkeypatch):
    def slow(*args):
        while True:
            _compute(0.01)

    monkeypatch.setattr(pipeline.cleaner, "run_steps", slow)
    budgeted = replace(cleaner, time_budget=0.05)
    result = budgeted.clean(RawInput(source="slow.html", content="<p>x</p>", kind="html"))
    assert (result.source, result.reason) == ("slow.html", "time_budget_exceeded")
    assert "document_time_budget" in result.message


def test_a_bug_is_a_reject_but_a_configuration_error_stops_the_run(cleaner, monkeypatch):
    def broken(*args):
        raise ValueError("boom")

    monkeypatch.setattr(pipeline.cleaner, "run_steps", broken)
    assert cleaner.clean(RawInput(source="a.html", content="<p>x</p>", kind="html")) == Reject(
        "a.html", "cleaning_error", "ValueError: boom")

    def misconfigured(*args):
        raise ConfigError("bad rule")

    monkeypatch.setattr(pipeline.cleaner, "run_steps", misconfigured)
    with pytest.raises(ConfigError, match="bad rule"):
        cleaner.clean(RawInput(source="a.html", content="<p>x</p>", kind="html"))


def test_markup_deeper_than_the_parser_reads_is_its_own_reject(cleaner):
    deep = "<html><body>" + "<div>" * 300 + BODY + "</div>" * 300 + "</body></html>"
    result = cleaner.clean(RawInput(source="deep.html", content=deep, kind="html"))
    assert (result.source, result.reason) == ("deep.html", "markup_too_deep")
    shallow = cleaner.clean(RawInput(source="ok.html", content=deep.replace("<div>" * 300, "<div>" * 20), kind="html"))
    assert shallow.paragraphs[0].startswith("The council voted on Tuesday")


def test_entities_stay_unexpanded_through_cleaning(cleaner):
    page = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f"<html><head><title>Bridge &x;</title></head><body><article>{BODY}</article></body></html>")
    doc = cleaner.clean(RawInput(source="x.html", content=page, kind="html"))
    assert doc.title == "Bridge &x;"
    assert doc.notes == ["removed the DOCTYPE's internal subset (entity declarations are never expanded)"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_swallowed_where_python_cannot_raise_comes_again():
    swallowed = []

    class Slow:
        def __del__(self):  # an exception raised in __del__ is ignored by the interpreter
            try:
                _compute(0.2)
            except DocumentTimeout:
                swallowed.append(True)
                raise

    with pytest.raises(DocumentTimeout):
        with time_budget(0.02):
            Slow()
            for _ in range(100):
                _compute(0.01)
    assert swallowed == [True]


@pytest.mark.parametrize("swallow", ["into another error", "entirely"])
def test_a_timeout_a_library_caught_is_still_a_time_budget_reject(cleaner, monkeypatch, swallow):
    def library(*args):
        try:
            while True:
                _compute(0.01)
        except BaseException:  # as langdetect's bare except does
            if swallow == "into another error":
                raise ValueError("profile format error") from None
        return Document(id="1", source="a.html", paragraphs=["partial"])

    monkeypatch.setattr(pipeline.cleaner, "run_steps", library)
    budgeted = replace(cleaner, time_budget=0.05)
    result = budgeted.clean(RawInput(source="a.html", content="<p>x</p>", kind="html"))
    assert (result.source, result.reason) == ("a.html", "time_budget_exceeded")


def test_the_time_budget_counts_cpu_time_not_waiting():
    with time_budget(0.2) as budget:
        time.sleep(0.5)  # a machine busy with other work: this document waits, it does not compute
    assert not budget.expired
    started = time.process_time()
    with pytest.raises(DocumentTimeout):
        with time_budget(0.2):
            _compute(5)
    assert time.process_time() - started < 1.0  # cut near 0.2 s, not after 5 s


@pytest.mark.parametrize("kind", ["text", "html"])
def test_a_100k_character_junk_line_is_removed_as_chrome_and_the_article_kept(cleaner, kind):
    paragraphs = [f"Paragraph {n} of the story: the council voted on the budget for the new bridge." for n in range(6)]
    junk = (("By By " + "J.S.M.I.T.H." * 1000 + " U.S. A.P. ") * 10)[:100_000]
    if kind == "text":
        content = "Budget vote\n\n" + "\n\n".join(paragraphs[:3] + [junk] + paragraphs[3:]) + "\n"
    else:
        content = ("<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
                   + "".join(f"<p>{p}</p>" for p in paragraphs[:3] + [junk] + paragraphs[3:]) + "</article></body></html>")
    budgeted = replace(cleaner, time_budget=5)
    doc = budgeted.clean(RawInput(source=f"junk.{kind}", content=content, kind=kind))
    assert doc.paragraphs == paragraphs
    assert [r for r in doc.removed if r.rule == "junk_run.v1"] == [Removal("navigation", junk, "junk_run.v1")]
