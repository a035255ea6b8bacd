"""The quality gate's logic on tiny fake corpora, scorers and runs (no ../shared needed)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.measure import gate
from pipeline.measure.gate import Figure, GateError, SampleSet

# stands in for `newsclean run DIR --output OUT ...`: one record per input file, or a failure
FAKE_NEWSCLEAN = """\
#!{python}
import json, sys
from pathlib import Path
args = sys.argv[1:]
if {fail}:
    sys.exit("boom: the run fell over")
indir, out = Path(args[1]), Path(args[args.index("--output") + 1])
out.mkdir(parents=True)
with open(out / "records-0.jsonl", "w") as fh:
    for p in sorted(indir.iterdir()):
        fh.write(json.dumps({{"source": p.name, "text": "x"}}) + "\\n")
"""

# stands in for score.py: f1 is a quarter of the records it was handed, title their count of 2
FAKE_SCORER = """\
import json, sys
records = [a for a in sys.argv[2:] if not a.startswith("--")]
n = sum(1 for r in records for line in open(r) if line.strip())
print(json.dumps({"documents": 2, "found": n, "f1": n / 4, "metadata": {"title": f"{n}/2"}}))
"""


def one_set(**floors: float) -> SampleSet:
    return SampleSet(name="pages", input="corpus/dev/pages", gold=("corpus/dev/gold",), take=2,
                     margin=0.005, digest="", floors=floors)


def test_a_figure_below_its_floor_fails_with_its_line():
    measured = gate.figures({"f1": 0.9401, "metadata": {"title": "3/4"}})
    assert gate.check(one_set(f1=0.95, title=0.5), measured) == [
        (False, "FAIL pages f1 0.9401 below its floor 0.9500"),
        (True, "ok   pages title 3/4 >= 0.5000 (rose: floor may go to 0.7450)"),
    ]


def test_a_figure_at_its_floor_passes_without_float_noise():
    # 0.9884 - 0.005 is 0.9833999999999999 in floats; the floor written is 0.9834
    assert gate.check(one_set(f1=0.9834), {"f1": Figure(0.9834, "0.9834")}) == [
        (True, "ok   pages f1 0.9834 >= 0.9834")]


def test_a_floor_whose_figure_the_scorer_did_not_give_fails():
    assert gate.check(one_set(authors=0.3), gate.figures({"f1": 0.9})) == [
        (False, "FAIL pages authors: not measured (floor 0.3000)")]


def test_figures_turn_leaked_chrome_into_chrome_kept_out_and_fractions_into_ratios():
    measured = gate.figures({"f1": 1.0, "paragraphs_exact": "67/68", "chrome_leaked": "2/36",
                             "snippets": {"f1": 0.875}, "metadata": {"date": "0/0"}})
    assert measured == {"f1": Figure(1.0, "1.0000"), "snippets_f1": Figure(0.875, "0.8750"),
                        "paragraphs": Figure(67 / 68, "67/68"),
                        "chrome_removed": Figure(34 / 36, "34/36"), "date": Figure(0.0, "0/0")}


def test_without_the_shared_folder_the_gate_says_it_skipped_and_passes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(gate.SHARED_ENV, str(tmp_path / "shared"))
    assert gate.main([]) == 0
    missing = tmp_path / "shared" / "corpus" / "dev"
    assert capsys.readouterr().out == f"quality gate skipped: the dev corpus is absent (no {missing})\n"


def fake_shared(tmp_path: Path, fail: bool = False) -> tuple[Path, Path]:
    """A shared folder of three pages with gold (and one without), a fake scorer and newsclean."""
    shared = tmp_path / "shared"
    (shared / "corpus/dev/pages").mkdir(parents=True)
    (shared / "corpus/dev/gold").mkdir(parents=True)
    for key in ("a", "b", "c", "nogold"):
        (shared / f"corpus/dev/pages/{key}.html").write_text(f"<p>{key}</p>")
        if key != "nogold":
            (shared / f"corpus/dev/gold/{key}.json").write_text('{"body": "x"}')
    (shared / "tools").mkdir()
    (shared / "tools/score.py").write_text(FAKE_SCORER)
    exe = tmp_path / "newsclean"
    exe.write_text(FAKE_NEWSCLEAN.format(python=sys.executable, fail=fail))
    exe.chmod(0o755)
    return shared, exe


def write_floors(path: Path, digest: str, f1: float) -> Path:
    path.write_text(textwrap.dedent(f"""\
        [pages]
        input = "corpus/dev/pages"
        gold = ["corpus/dev/gold"]
        take = 2
        digest = "{digest}"

        [pages.floors]
        f1 = {f1}
        title = 1.0
        """))
    return path


def run_gate(tmp_path, monkeypatch, capsys, f1_floor: float, fail: bool = False,
             digest: str | None = None) -> tuple[int, list[str]]:
    shared, exe = fake_shared(tmp_path, fail)
    monkeypatch.setenv(gate.SHARED_ENV, str(shared))
    if digest is None:
        digest = gate.sample_digest(gate.sample(shared, one_set()))
    floors = write_floors(tmp_path / "floors.toml", digest, f1_floor)
    code = gate.main(["--floors", str(floors), "--newsclean", str(exe)])
    return code, capsys.readouterr().out.splitlines()


def test_the_gate_fails_with_one_line_per_figure_below_its_floor(tmp_path, monkeypatch, capsys):
    # two of the three pages with gold are taken, so the fake scorer sees 2 records: f1 0.5, title 2/2
    code, lines = run_gate(tmp_path, monkeypatch, capsys, f1_floor=0.6)
    assert code == 1
    assert lines[:2] == ["FAIL pages f1 0.5000 below its floor 0.6000", "ok   pages title 2/2 >= 1.0000"]
    assert lines[2].startswith("quality gate failed: 1 of 2 checks below their floors (")
    assert len(lines) == 3


def test_the_gate_passes_when_every_figure_reaches_its_floor(tmp_path, monkeypatch, capsys):
    code, lines = run_gate(tmp_path, monkeypatch, capsys, f1_floor=0.5)
    assert code == 0
    assert lines[:2] == ["ok   pages f1 0.5000 >= 0.5000", "ok   pages title 2/2 >= 1.0000"]
    assert lines[2].startswith("quality gate passed: 2 figures at or above their floors (")


def test_a_run_that_fails_fails_its_set_with_the_reason(tmp_path, monkeypatch, capsys):
    code, lines = run_gate(tmp_path, monkeypatch, capsys, f1_floor=0.5, fail=True)
    assert code == 1
    assert lines[0] == "FAIL pages: newsclean run exited 1: boom: the run fell over"


def test_floors_measured_on_another_sample_are_refused(tmp_path, monkeypatch, capsys):
    code, lines = run_gate(tmp_path, monkeypatch, capsys, f1_floor=0.5, digest="0123456789abcdef")
    assert code == 1
    assert lines[0].startswith("FAIL pages: the sample is not the one the floors were measured on (digest ")
    assert lines[0].endswith(", floors file 0123456789abcdef): measure again")


def test_the_sample_is_the_same_pages_whatever_the_order_and_only_pages_with_gold(tmp_path):
    shared, _ = fake_shared(tmp_path)
    names = [p.name for p in gate.sample(shared, one_set())]
    assert len(names) == 2 and "nogold.html" not in names
    everything = SampleSet(name="pages", input="corpus/dev/pages", gold=("corpus/dev/gold",),
                           take=None, margin=0.005, digest="", floors={})
    assert [p.name for p in gate.sample(shared, everything)] == ["a.html", "b.html", "c.html"]
    assert [p.name for p in gate.sample(shared, one_set())] == names


def test_a_floor_naming_an_unknown_figure_is_refused(tmp_path):
    path = tmp_path / "floors.toml"
    path.write_text('[pages]\ninput = "x"\ngold = ["g"]\n[pages.floors]\nheadline = 0.5\n')
    with pytest.raises(GateError, match=r"floors.toml \[pages\].floors: headline = 0.5: figures are f1, "):
        gate.load_sets(path)


def test_every_packaged_floor_can_fail():
    sets = gate.load_sets(gate.FLOORS)
    assert [s.name for s in sets] == ["seeds", "html", "wcxb", "inscriptis", "lynx",
                                      "inscriptis-snip", "lynx-snip"]
    assert all(s.digest and s.floors and min(s.floors.values()) > 0 for s in sets)
    assert all(v == 1.0 for v in sets[0].floors.values())  # the seeds stay exact


# imports the cli and the tasks, cleans one text and one HTML document, then lists what it loaded
RUNTIME_PROBE = """\
import sys
import pipeline.cli, pipeline.tasks
from pipeline.cleaner import Cleaner
from pipeline.config import load_config
from pipeline.document import RawInput
sentence = "The council voted on Tuesday to close the old bridge to heavy traffic after engineers found cracks. "
cleaner = Cleaner.from_config(load_config())
text = cleaner.clean(RawInput(source="a.txt", content="Bridge closed\\n\\n" + sentence * 3, kind="text"))
html = cleaner.clean(RawInput(source="b.html", content="<html><body><p>" + sentence * 3 + "</p></body></html>",
                              kind="html"))
print(type(text).__name__, type(html).__name__, sorted(m for m in sys.modules if "measure" in m))
"""


def test_the_runtime_does_not_import_the_measuring_package():
    out = subprocess.run([sys.executable, "-c", RUNTIME_PROBE], capture_output=True, text=True, check=True).stdout
    assert out == "Document Document []\n"


def test_propose_offers_floors_at_the_figures_less_the_margin_and_new_ones_above_zero():
    measured = gate.figures({"f1": 0.9, "metadata": {"title": "0/4", "authors": "1/4"}})
    assert gate.proposal(one_set(f1=0.8), "d1", measured) == (
        '[pages]\ninput = "corpus/dev/pages"\ngold = ["corpus/dev/gold"]\ntake = 2\nmargin = 0.005\n'
        'digest = "d1"\n\n[pages.floors]\nf1 = 0.8950  # 0.9000\nauthors = 0.2450  # 1/4\n')
