"""Held-out F1 of the whole text path, per renderer, with the region model fitted without the page's site.

    python -m pipeline.measure.region_cv --work DIR [--shared DIR] [--workers 2] [--folds 5]
                                         [--sides cv,shipped,keep_all] [--renderers a,b]
                                         [--every N] [--base RUNS_DIR]

For each of the five site-grouped folds (:func:`pipeline.measure.metadata_eval.fold_of`) a
model and its region threshold are fitted as ``newsclean train-region`` fits them, on the
whole dumps of every renderer of the other folds' sites only, and written to a file; then
``newsclean run`` cleans the held-out fold of each renderer folder (whole dumps and
``-snip`` stretches) with a configuration pointing at that file, and
``<shared>/tools/score.py`` scores the records of all folds together. Beside it, on the same
held-out folders: the shipped model (``shipped``), every line kept (``keep_all``), and
with ``--base`` the records of earlier whole-folder runs (``base``). ``--every N`` takes
one page in N (by a hash of its key) where the machine has no time for all.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.config import load_config
from pipeline.measure.evaluation import files_ending, page_key
from pipeline.measure.gate import CORPUS, SCORER, newsclean_executable, shared_dir
from pipeline.measure.metadata_eval import fold_of, site_of
from pipeline.measure.training import L2, TEXT_SUFFIXES, fit_with_threshold, read_labelled_pages, write_model
from pipeline.text.region_rules import region_rules

RENDERERS = ("inscriptis", "lynx", "html2text", "trafilatura-recall", "lxml")
GOLD = ("gold", "wcxb/gold")
SIDES = ("cv", "shipped", "keep_all")


def gold_sites(gold_dirs: list[Path]) -> dict[str, str]:
    """The site of each gold key (the domain of its ``url``)."""
    sites = {}
    for folder in gold_dirs:
        for path in sorted(folder.glob("*.json")):
            sites.setdefault(path.stem, site_of(json.loads(path.read_text(encoding="utf-8")).get("url")) or path.stem)
    return sites


def fold_models(render: Path, gold_dirs: list[Path], renderers: tuple[str, ...], folds: int,
                work: Path) -> dict[int, Path]:
    """One model and configuration per fold, fitted on the other folds' whole dumps: fold -> config file."""
    config = load_config()
    rules = region_rules(config)
    pages = read_labelled_pages([render / r for r in renderers], gold_dirs, config)
    configs = {}
    for fold in range(folds):
        train = [p for p in pages if fold_of(p.site, folds) != fold]
        model, threshold = fit_with_threshold(train, rules, folds - 1, L2)
        model_file = work / "models" / f"fold-{fold}.json"
        write_model(model, model_file, L2, threshold, {"pages": len(train)})
        overlay = work / "models" / f"fold-{fold}.toml"
        overlay.write_text(f'[region.scoring]\nmodel_file = "{model_file.resolve()}"\n\n'
                           f'[region.region]\nthreshold = {threshold}\n', encoding="utf-8")
        configs[fold] = overlay
        print(f"fold {fold}: {len(train)} training pages, threshold {threshold}", file=sys.stderr, flush=True)
    return configs


def _keep_all(pages: list[Path], out: Path) -> None:
    """Records holding each input whole, decoded as a text input is."""
    from pipeline.inputs.decoding import decode_bytes
    from pipeline.measure.evaluation import read_page

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "records-keep-all.jsonl", "w", encoding="utf-8") as fh:
        for page in pages:
            text = decode_bytes(read_page(page), kind="text").text
            fh.write(json.dumps({"source": page.name, "text": text}) + "\n")


def sampled(key: str, every: int) -> bool:
    """Whether page ``key`` is in the sample of one page in ``every`` (by a hash of the key)."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % every == 0


def held_out_inputs(folder: Path, sites: dict[str, str], folds: int, every: int, work: Path) -> Path:
    """The sampled pages of ``folder`` copied into one sub-folder per fold; the folder holding them."""
    root = work / "in" / folder.name
    if root.exists():
        shutil.rmtree(root)
    for page in files_ending([folder], TEXT_SUFFIXES):
        key = page_key(page)
        if key in sites and sampled(key, every):
            indir = root / f"fold-{fold_of(sites[key], folds)}"
            indir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, indir / page.name)  # copies: the run refuses links leading outside its folder
    return root


def run_side(side: str, inputs: Path, folds: int, configs: dict[int, Path], exe: Path, workers: int,
             work: Path) -> Path:
    """Clean each held-out fold of ``inputs`` (from ``held_out_inputs``) in its own run; the outputs' folder."""
    outroot = work / "out" / side / inputs.name
    if outroot.exists():
        shutil.rmtree(outroot)
    if side == "keep_all":
        _keep_all(files_ending([inputs], TEXT_SUFFIXES), outroot)
        return outroot
    for fold in range(folds):
        indir = inputs / f"fold-{fold}"
        if not indir.is_dir():
            continue
        command = [str(exe), "run", str(indir), "--output", str(outroot / f"fold-{fold}"),
                   "--workers", str(workers), "--no-progress"]
        if side == "cv":
            command += ["--config", str(configs[fold])]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"newsclean run exited {done.returncode} on {indir}: {done.stderr[-500:]}")
    return outroot


def score(shared: Path, gold_dirs: list[Path], outroot: Path, folder: Path) -> dict:
    """The scorer's F1, P and R of the records under ``outroot`` on the pages of ``folder``."""
    records = sorted(str(p) for p in outroot.rglob("records-*.jsonl"))
    done = subprocess.run([sys.executable, str(shared / SCORER), ":".join(map(str, gold_dirs)), *records,
                           f"--keys={folder}"], capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout)
    return {name: summary[name] for name in ("f1", "precision", "recall")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True, help="folder for fold models, inputs and outputs")
    parser.add_argument("--shared", default=None, help="the shared folder (default: as the gate finds it)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sides", default=",".join(SIDES), help=f"of {', '.join(SIDES)}")
    parser.add_argument("--renderers", default=",".join(RENDERERS))
    parser.add_argument("--every", type=int, default=1,
                        help="score one page in N, by a hash of its key (default: every page)")
    parser.add_argument("--base", default=None,
                        help="also score another run's records, BASE/<folder>/records-*.jsonl, on the same pages")
    args = parser.parse_args(argv)
    shared = Path(args.shared) if args.shared else shared_dir()
    corpus = shared / CORPUS
    render, gold_dirs = corpus / "render", [corpus / g for g in GOLD]
    renderers = tuple(r for r in args.renderers.split(",") if r)
    sides = [s for s in args.sides.split(",") if s]
    work = Path(args.work)
    exe = newsclean_executable(None)
    sites = gold_sites(gold_dirs)
    configs = fold_models(render, gold_dirs, RENDERERS, args.folds, work) if "cv" in sides else {}
    rows = {}
    if args.base:
        sides.append("base")
    for renderer in renderers:
        for folder in (render / renderer, render / f"{renderer}-snip"):
            inputs = held_out_inputs(folder, sites, args.folds, args.every, work)
            rows[folder.name] = {side: score(shared, gold_dirs, Path(args.base) / folder.name if side == "base" else
                                             run_side(side, inputs, args.folds, configs, exe, args.workers, work),
                                             inputs)
                                 for side in sides}
            print(folder.name, json.dumps(rows[folder.name]), file=sys.stderr, flush=True)
    print("| input | " + " | ".join(f"{side} F1 (P / R)" for side in sides) + " |")
    print("|---|" + "---|" * len(sides))
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[s]['f1']:.3f} ({row[s]['precision']:.3f} / {row[s]['recall']:.3f})"
                                        for s in sides) + " |")
    (work / "region_cv.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
