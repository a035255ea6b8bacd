"""The ``newsclean`` command: build the Luigi DAG for a run and report how it went."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from datetime import date
from pathlib import Path

from pipeline import __version__
from pipeline.config import ConfigError, load_config


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description=__doc__)
    parser.add_argument("--version", action="version", version=f"newsclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="clean news inputs into JSONL records")
    run.add_argument("inputs", nargs="*", default=["seeds"], metavar="INPUT",
                     help="files or folders (walked recursively); default: seeds/")
    run.add_argument("--output", default="output", help="output folder (default: output/)")
    run.add_argument("--workers", type=int, default=1, help="shards cleaned in parallel processes")
    run.add_argument("--scheduler-url", default=None,
                     help="URL of a luigid central scheduler (default: a local scheduler)")
    run.add_argument("--reference-date", type=_iso_date, default=None,
                     help="YYYY-MM-DD that relative dates ('1 month ago') are resolved against")
    run.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    run.add_argument("--shard-size", type=int, default=0, help="inputs per shard (default: from configuration)")
    run.add_argument("--state-dir", default=None,
                     help="per-site statistics kept across runs (default: OUTPUT/_state)")
    run.add_argument("--no-progress", action="store_true",
                     help="no progress bar (it is drawn only when stderr is a terminal)")
    run.add_argument("--verbose", action="store_true", help="show Luigi's own log")

    daily = commands.add_parser("daily", help="clean daily partitions INPUT_ROOT/YYYY-MM-DD, with backfill")
    daily.add_argument("input_root", metavar="INPUT_ROOT", help="folder of YYYY-MM-DD sub-folders")
    daily.add_argument("--output", default="output", help="folder of YYYY-MM-DD output partitions")
    daily.add_argument("--start", type=_iso_date, required=True, help="first day to clean (backfill from here)")
    daily.add_argument("--stop", type=_iso_date, default=None, help="day after the last one (default: tomorrow)")
    daily.add_argument("--workers", type=int, default=1)
    daily.add_argument("--scheduler-url", default=None)
    daily.add_argument("--config", default=None)
    daily.add_argument("--verbose", action="store_true")

    evaluate = commands.add_parser("eval", help="precision/recall/F1 on HTML pages beside bare trafilatura")
    evaluate.add_argument("gold_dir", metavar="GOLD_DIR", help="folder of <key>.json gold files with a body")
    evaluate.add_argument("inputs", nargs="+", metavar="INPUT", help="HTML files or folders")
    evaluate.add_argument("--config", default=None)
    evaluate.add_argument("--details", action="store_true", help="per-page figures too")

    bench = commands.add_parser("bench", help="pages per second and peak memory beside bare trafilatura")
    bench.add_argument("inputs", nargs="+", metavar="INPUT", help="HTML files or folders")
    bench.add_argument("--config", default=None)

    train = commands.add_parser("train-region", help="retrain the text-dump article model from labelled pages")
    train.add_argument("text_dir", metavar="TEXT_DIR", help="whole-page text dumps <key>.txt")
    train.add_argument("gold_dir", metavar="GOLD_DIR", help="gold <key>.json with the article body")
    train.add_argument("--out", default=None, help="where to write the model (default: the packaged model)")
    train.add_argument("--config", default=None)
    return parser


def command_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluation import evaluate

    print(json.dumps(evaluate(args.gold_dir, args.inputs, load_config(args.config), details=args.details),
                     indent=1, ensure_ascii=False))
    return 0


def command_bench(args: argparse.Namespace) -> int:
    from pipeline.evaluation import benchmark

    print(json.dumps(benchmark(args.inputs, load_config(args.config)), indent=1))
    return 0


def command_train_region(args: argparse.Namespace) -> int:
    from pipeline.region import train_region_model

    print(json.dumps(train_region_model(args.text_dir, args.gold_dir, load_config(args.config),
                                        out_path=args.out), indent=1))
    return 0


def _progress_bar(output: Path, total: int, stop: threading.Event) -> None:
    """Draw a bar of shards cleaned, read from the work folder (works for any worker layout)."""
    clean_dir = output / "_work" / "clean"
    while not stop.wait(0.5):
        done = len(list(clean_dir.glob("*.jsonl"))) if clean_dir.exists() else 0
        done = min(done, total)
        filled = int(30 * done / max(total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} shards cleaned")
        sys.stderr.flush()
    sys.stderr.write("\n")


def _build(tasks: list, args: argparse.Namespace) -> bool:
    """Run ``tasks`` with Luigi (local or central scheduler); print its summary; True on success."""
    import luigi
    from luigi.execution_summary import LuigiStatusCode

    options = {"workers": args.workers, "detailed_summary": True,
               "log_level": "INFO" if args.verbose else "WARNING"}
    if args.scheduler_url:
        options["scheduler_url"] = args.scheduler_url
    else:
        options["local_scheduler"] = True
    result = luigi.build(tasks, **options)
    print(result.summary_text, file=sys.stderr)
    return result.status in (LuigiStatusCode.SUCCESS, LuigiStatusCode.SUCCESS_WITH_RETRY)


def command_daily(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from luigi.tools.range import RangeDaily

    from pipeline.tasks import DailyClean

    load_config(args.config)
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    stop = date.fromisoformat(args.stop) if args.stop else date.today() + timedelta(days=1)
    start = date.fromisoformat(args.start)
    # days_back bounds how far before today RangeDaily looks: wide enough for the backfill
    task = RangeDaily(of=DailyClean, start=start, stop=stop, days_back=max((date.today() - start).days + 1, 1),
                      of_params={"input_root": args.input_root, "output_root": args.output,
                                 "config_path": args.config})
    return 0 if _build([task], args) else 1


def command_run(args: argparse.Namespace) -> int:
    from pipeline.tasks import CleanRun

    load_config(args.config)  # fail loudly before any work starts
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    for path in args.inputs:
        if not Path(path).exists():
            print(f"newsclean: input not found: {path}", file=sys.stderr)
            return 2
    if not args.verbose:
        logging.getLogger("luigi-interface").setLevel(logging.WARNING)
    task = CleanRun(inputs=list(args.inputs), output_dir=args.output, config_path=args.config,
                    reference_date=args.reference_date, state_dir=args.state_dir,
                    shard_size=args.shard_size)
    stop = threading.Event()
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        bar = threading.Thread(target=_progress_bar, args=(Path(args.output), len(task.shards), stop), daemon=True)
        bar.start()
    try:
        ok = _build([task], args)
    finally:
        stop.set()
        if bar:
            bar.join()
    if not ok:
        return 1
    manifest = json.loads(Path(args.output, "manifest.json").read_text(encoding="utf-8"))
    print(f"newsclean: {manifest['inputs']['documents']} documents in, {manifest['records']} records, "
          f"{manifest['rejects']} rejects -> {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return command_run(args)
        if args.command == "daily":
            return command_daily(args)
        if args.command == "eval":
            return command_eval(args)
        if args.command == "bench":
            return command_bench(args)
        if args.command == "train-region":
            return command_train_region(args)
    except ConfigError as exc:
        print(f"newsclean: configuration error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
