"""The per-document bench: both sides timed in one process, our steps broken down."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config, load_config
from pipeline.measure.benchmark import OURS, TEXT, TRAFILATURA, bench_documents, format_bench
from pipeline.steps import HTML_STEPS, TEXT_STEPS

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config()


def test_html_bench_times_both_sides_and_every_step_of_the_fastest_round(config):
    pages = sorted((FIXTURES / "html").glob("*.html"))[:2]
    report = bench_documents(pages, config, rounds=2)
    assert (report["kind"], report["pages"], report["rounds"]) == ("html", 2, 2)
    assert list(report["sides"]) == [OURS, TRAFILATURA]
    ours, theirs = (report["sides"][s]["pages_per_cpu_second"] for s in (OURS, TRAFILATURA))
    assert report["ratio"] == round(ours / theirs, 3)
    # the steps of one round: each step saw each page once, not the warm-up or other rounds
    assert list(report["steps"]) == [step.name for step in HTML_STEPS]
    assert {figures["calls"] for figures in report["steps"].values()} == {2}
    assert sum(figures["share"] for figures in report["steps"].values()) == pytest.approx(1.0, abs=0.01)


def test_text_bench_times_the_text_path_alone(config):
    dumps = sorted((FIXTURES / "region").glob("*.txt"))
    report = bench_documents(dumps, config, kind=TEXT, rounds=1)
    assert report["pages"] == len(dumps) == 3
    assert list(report["sides"]) == [OURS] and "ratio" not in report
    assert list(report["steps"]) == [step.name for step in TEXT_STEPS]
    assert {figures["calls"] for figures in report["steps"].values()} == {3}


def test_format_bench_prints_rates_ratio_and_steps():
    report = {"kind": "html", "pages": 4, "rounds": 3, "ratio": 0.5,
              "sides": {OURS: {"pages_per_cpu_second": 10.0, "ms_per_page": 100.0},
                        TRAFILATURA: {"pages_per_cpu_second": 20.0, "ms_per_page": 50.0}},
              "steps": {"extract": {"calls": 4, "ms_per_page": 75.0, "share": 0.75},
                        "language": {"calls": 4, "ms_per_page": 25.0, "share": 0.25}}}
    assert format_bench(report).splitlines() == [
        "4 html pages, CPU time, fastest of 3 rounds",
        "   newsclean:    10.00 pages/CPU-s   100.00 ms/page",
        " trafilatura:    20.00 pages/CPU-s    50.00 ms/page",
        "       ratio: 0.500x bare trafilatura",
        "          step  calls  ms/page  share",
        "       extract      4    75.00  75.0%",
        "      language      4    25.00  25.0%",
    ]


def test_bench_command_prints_the_table_then_the_report(capsys):
    page = sorted((FIXTURES / "html").glob("*.html"))[0]
    assert main(["bench", str(page), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    table, _, report = out.partition("\n{")
    assert table.splitlines()[0] == "1 html pages, CPU time, fastest of 1 rounds"
    assert json.loads("{" + report)["pages"] == 1


def test_bench_command_without_pages_of_the_kind_says_so(capsys, tmp_path):
    (tmp_path / "page.html").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    assert main(["bench", "--text", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"newsclean: no text pages in {tmp_path}\n"


def test_bench_command_with_a_missing_input_says_so(capsys, tmp_path):
    assert main(["bench", str(tmp_path / "absent")]) == 2
    assert capsys.readouterr().err == f"newsclean: no such input: {tmp_path / 'absent'}\n"


def test_synthetic_index_counts_every_tenth_record_as_a_near_copy():
    from pipeline.measure.benchmark import benchmark_synthetic_index, format_synthetic

    report = benchmark_synthetic_index(300, (1, 2), shard_records=100, sites=7)
    runs = report["synthetic"]
    assert [(r["scale"], r["documents"], r["shards"], r["records"], r["duplicates"], r["partitions"]) for r in runs] == [
        (1, 300, 3, 300, 30, 1), (2, 600, 6, 600, 60, 1)]
    assert format_synthetic(report).splitlines()[0].split()[:5] == ["scale", "documents", "shards", "parts", "dups"]


def test_bench_run_without_input_or_synthetic_stops_with_one_line(capsys):
    assert main(["bench-run"]) == 2
    assert capsys.readouterr().err.strip() == "newsclean: configuration error: bench-run needs an INPUT (or --synthetic N)"
