"""The quality gate: a fixed sample of the dev corpus cleaned as a user would, scored, held to floors.

    python -m pipeline.measure.gate [--newsclean EXE_OR_VENV] [--workers N] [--floors FILE]
                                    [--keep DIR] [--propose]

Each set of ``floors.toml`` is copied into its own folder, cleaned by one
``newsclean run DIR --output OUT --workers N`` (one run per set, so that pages of one
site in two renderings never meet in the batch statistics) and scored by the shared
scorer, ``<shared>/tools/score.py``. ``<shared>`` is ``$NEWSCLEAN_SHARED`` or the
``shared`` folder beside the repository. Every gated figure prints one line; the gate
exits 1 when any is below its floor, 2 when it cannot run (a bad floors file, no
``newsclean``), and 0, saying it skipped, when the dev corpus is absent.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FLOORS = Path(__file__).with_name("floors.toml")
SHARED_ENV = "NEWSCLEAN_SHARED"
CORPUS = "corpus/dev"
SCORER = "tools/score.py"
# the figures the scorer's summary gives, by the name a floor uses
BODY_FIGURES = ("f1", "precision", "recall", "paragraphs", "chrome_removed", "snippets_f1")
METADATA_FIGURES = ("title", "date", "date_published", "authors", "site_name", "language")
FIGURES = BODY_FIGURES + METADATA_FIGURES
PROPOSED = ("f1", "title", "date", "authors")  # what --propose offers a set that has no floor for it
SET_KEYS = {"input", "gold", "take", "margin", "digest", "floors"}


class GateError(Exception):
    """The gate cannot run: a bad floors file, a missing executable or scorer."""


@dataclass(frozen=True)
class SampleSet:
    """One folder of the corpus, the pages taken from it, and the floors its figures must reach."""

    name: str
    input: str  # relative to <shared>
    gold: tuple[str, ...]  # gold folders relative to <shared>, read as one
    take: int | None  # pages taken in key-hash order; None: every page that has gold
    margin: float  # a proposed floor is the figure less this (0: the figure must stay exact)
    digest: str  # of the sample's names and bytes, so floors are never compared with another sample
    floors: dict[str, float]


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value in [0, 1] and how it is shown (``0.9881``, ``45/60``)."""

    value: float
    shown: str


def shared_dir() -> Path:
    """Where the shared corpus and scorer live: ``$NEWSCLEAN_SHARED`` or ``<repo>/../shared``."""
    return Path(os.environ.get(SHARED_ENV) or REPO.parent / "shared")


def load_sets(path: Path) -> list[SampleSet]:
    """The sets of a floors file, in file order; a malformed one raises GateError naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise GateError(f"{path}: {err}") from None
    sets = []
    for name, table in data.items():
        where = f"{path.name} [{name}]"
        if not isinstance(table, dict):
            raise GateError(f"{where}: not a table")
        unknown = sorted(set(table) - SET_KEYS)
        if unknown:
            raise GateError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(SET_KEYS))})")
        floors = table.get("floors", {})
        bad = [k for k, v in floors.items() if k not in FIGURES or not _is_fraction(v)]
        if bad:
            raise GateError(f"{where}.floors: {bad[0]} = {floors[bad[0]]!r}: figures are "
                            f"{', '.join(FIGURES)}, each a number in [0, 1]")
        take = table.get("take", "all")
        if not (take == "all" or isinstance(take, int) and not isinstance(take, bool) and take > 0):
            raise GateError(f"{where}: take = {take!r}: a positive number of pages or \"all\"")
        margin = table.get("margin", 0.005)
        if not _is_fraction(margin):
            raise GateError(f"{where}: margin = {margin!r}: a number in [0, 1]")
        if not isinstance(table.get("input"), str) or not _is_str_list(table.get("gold")):
            raise GateError(f"{where}: needs input = \"FOLDER\" and gold = [\"FOLDER\", ...]")
        sets.append(SampleSet(name=name, input=table["input"], gold=tuple(table["gold"]),
                              take=None if take == "all" else take, margin=float(margin),
                              digest=str(table.get("digest", "")),
                              floors={k: float(v) for k, v in floors.items()}))
    return sets


def _is_fraction(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def page_key(name: str) -> str:
    """The gold key of an input file, as the scorer reads it: the name up to its first dot."""
    return name.split(".")[0]


def sample(shared: Path, s: SampleSet) -> list[Path]:
    """The set's pages: files of its folder that have gold, the first ``take`` in key-hash order.

    The order hashes the set's name with the key, so each set draws its own pages, spread
    over sites, the same on every machine whatever the folder's listing order.
    """
    folder = shared / s.input
    if not folder.is_dir():
        raise GateError(f"[{s.name}]: no folder {folder}")
    missing = [g for g in s.gold if not (shared / g).is_dir()]
    if missing:
        raise GateError(f"[{s.name}]: no gold folder {shared / missing[0]}")
    keys = {page_key(p.name) for g in s.gold for p in (shared / g).glob("*.json")}
    pages = [p for p in folder.iterdir() if p.is_file() and page_key(p.name) in keys]
    if not pages:
        raise GateError(f"[{s.name}]: no page of {folder} has gold")
    pages.sort(key=lambda p: (hashlib.sha256(f"{s.name}/{page_key(p.name)}".encode()).hexdigest(), p.name))
    return sorted(pages[: s.take] if s.take else pages, key=lambda p: p.name)


def sample_digest(pages: list[Path]) -> str:
    """A digest of the pages' names and bytes."""
    h = hashlib.sha256()
    for page in pages:
        h.update(page.name.encode() + b"\0" + hashlib.sha256(page.read_bytes()).digest())
    return h.hexdigest()[:16]


def figures(summary: dict) -> dict[str, Figure]:
    """The gated figures in one summary of the scorer (fractions as their ratio)."""
    found = {}
    for name in ("f1", "precision", "recall"):
        if name in summary:
            found[name] = Figure(float(summary[name]), f"{summary[name]:.4f}")
    if "snippets" in summary:
        found["snippets_f1"] = Figure(float(summary["snippets"]["f1"]), f"{summary['snippets']['f1']:.4f}")
    if "paragraphs_exact" in summary:
        found["paragraphs"] = _fraction(summary["paragraphs_exact"])
    if "chrome_leaked" in summary:
        leaked, total = (int(x) for x in summary["chrome_leaked"].split("/"))
        found["chrome_removed"] = _fraction(f"{total - leaked}/{total}")
    for name, shown in summary.get("metadata", {}).items():
        found[name] = _fraction(shown)
    return found


def _fraction(shown: str) -> Figure:
    hits, total = (int(x) for x in shown.split("/"))
    return Figure(hits / total if total else 0.0, shown)


def check(s: SampleSet, measured: dict[str, Figure]) -> list[tuple[bool, str]]:
    """One (passed, line) per floor of the set, in the floors file's order."""
    lines = []
    for name, floor in s.floors.items():
        fig = measured.get(name)
        if fig is None:
            lines.append((False, f"FAIL {s.name} {name}: not measured (floor {floor:.4f})"))
        elif round(fig.value, 4) < floor:
            lines.append((False, f"FAIL {s.name} {name} {fig.shown} below its floor {floor:.4f}"))
        else:
            rise = proposed_floor(fig, s.margin)
            hint = f" (rose: floor may go to {rise:.4f})" if rise > floor else ""
            lines.append((True, f"ok   {s.name} {name} {fig.shown} >= {floor:.4f}{hint}"))
    return lines


def proposed_floor(fig: Figure, margin: float) -> float:
    """Today's figure less the set's margin, as a floor."""
    return max(0.0, round(round(fig.value, 4) - margin, 4))


def newsclean_executable(given: str | None) -> Path:
    """The ``newsclean`` to run: the one given (an executable or a venv), else this environment's."""
    if given:
        path = Path(given)
        path = path / "bin" / "newsclean" if path.is_dir() else path
    else:
        beside = Path(sys.executable).parent / "newsclean"
        path = beside if beside.exists() else Path(shutil.which("newsclean") or beside)
    if not os.access(path, os.X_OK) or path.is_dir():
        raise GateError(f"no newsclean executable at {path} (give one with --newsclean)")
    return path


def score_set(s: SampleSet, pages: list[Path], shared: Path, exe: Path, workers: int,
              work: Path) -> dict | str:
    """Clean the pages as a user would and score them: the scorer's summary, or why there is none."""
    indir, outdir = work / "in" / s.name, work / "out" / s.name
    indir.mkdir(parents=True)
    for page in pages:
        shutil.copyfile(page, indir / page.name)  # copies: the run refuses links leading outside its folder
    run = subprocess.run([str(exe), "run", str(indir), "--output", str(outdir),
                          "--workers", str(workers), "--no-progress"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return f"newsclean run exited {run.returncode}: {_last_line(run.stderr)}"
    # no record at all still scores (every page zero), never skips the set
    records = sorted(str(p) for p in outdir.glob("records-*.jsonl")) or [os.devnull]
    gold = ":".join(str(shared / g) for g in s.gold)
    scored = subprocess.run([sys.executable, str(shared / SCORER), gold, *records, f"--keys={indir}"],
                            capture_output=True, text=True)
    if scored.returncode != 0:
        return f"the scorer exited {scored.returncode}: {_last_line(scored.stderr)}"
    return json.loads(scored.stdout)


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(nothing on stderr)"


def gate_set(s: SampleSet, shared: Path, exe: Path, workers: int, work: Path,
             propose: list[str]) -> list[tuple[bool, str]]:
    """The lines of one set: its figures against their floors, or one failure saying why none."""
    pages = sample(shared, s)
    digest = sample_digest(pages)
    summary = score_set(s, pages, shared, exe, workers, work)
    if isinstance(summary, str):
        return [(False, f"FAIL {s.name}: {summary}")]
    measured = figures(summary)
    propose.append(proposal(s, digest, measured))
    if s.digest != digest:
        return [(False, f"FAIL {s.name}: the sample is not the one the floors were measured on "
                        f"(digest {digest}, floors file {s.digest or 'none'}): measure again")]
    return check(s, measured)


def proposal(s: SampleSet, digest: str, measured: dict[str, Figure]) -> str:
    """The set as a floors-file table, with its digest and floors at today's figures less the margin."""
    # the floored figures, then any figure of the usual four that has risen above 0 without one
    names = list(s.floors) + [n for n in PROPOSED if n in measured and n not in s.floors
                              and proposed_floor(measured[n], s.margin) > 0]
    floors = "\n".join(f"{n} = {proposed_floor(measured[n], s.margin):.4f}  # {measured[n].shown}"
                       for n in names if n in measured)
    take = '"all"' if s.take is None else s.take
    gold = ", ".join(json.dumps(g) for g in s.gold)
    return (f'[{s.name}]\ninput = "{s.input}"\ngold = [{gold}]\ntake = {take}\nmargin = {s.margin}\n'
            f'digest = "{digest}"\n\n[{s.name}.floors]\n{floors}\n')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.measure.gate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--newsclean", default=None,
                        help="the newsclean executable, or a venv holding one (default: this environment's)")
    parser.add_argument("--workers", type=int, default=2, help="workers of each run (default: 2)")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="the floors file (default: the packaged one)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="clean and score in this new folder and keep it (default: a temporary one)")
    parser.add_argument("--propose", action="store_true",
                        help="also print the sets with floors at today's figures less each set's margin")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    shared = shared_dir()
    if not (shared / CORPUS).is_dir():
        print(f"quality gate skipped: the dev corpus is absent (no {shared / CORPUS})")
        return 0
    started = time.monotonic()
    try:
        sets = load_sets(args.floors)
        exe = newsclean_executable(args.newsclean)
        if not (shared / SCORER).is_file():
            raise GateError(f"no scorer at {shared / SCORER}")
        if args.keep is not None and args.keep.exists():
            raise GateError(f"--keep {args.keep}: already exists")
        with tempfile.TemporaryDirectory(prefix="newsclean-gate-") as tmp:
            work = args.keep or Path(tmp)
            proposals: list[str] = []
            lines = []
            for s in sets:
                for passed, line in gate_set(s, shared, exe, args.workers, work, proposals):
                    print(line, flush=True)
                    lines.append((passed, line))
    except GateError as err:
        print(f"quality gate error: {err}", file=sys.stderr)
        return 2
    if args.propose:
        print("\n" + "\n".join(proposals), end="")
    failed = sum(not ok for ok, _ in lines)
    seconds = time.monotonic() - started
    if failed:
        print(f"quality gate failed: {failed} of {len(lines)} checks below their floors ({seconds:.0f} s)")
        return 1
    print(f"quality gate passed: {len(lines)} figures at or above their floors ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
