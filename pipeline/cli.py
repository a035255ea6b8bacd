"""The ``newsclean`` command: build the Luigi DAG for a run and report how it went."""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from pipeline import __version__
from pipeline.config import ConfigError, load_config
from pipeline.report import DEFAULT_SAMPLE


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


# the JSONL mapping flags of `run`, each replacing one list of [inputs.jsonl]
JSONL_FLAGS = {"html_field": "the page's HTML", "text_field": "the plain text", "url_field": "the page URL",
               "id_field": "your own id (kept as source_id)", "date_field": "the reference (crawl) date"}


def overrides_of(args: argparse.Namespace) -> dict | None:
    """The configuration tables the command line sets (the JSONL mapping flags), or None."""
    fields = {name: getattr(args, name) for name in JSONL_FLAGS if getattr(args, name, None)}
    return {"inputs": {"jsonl": fields}} if fields else None


DESCRIPTION = ("Clean crawled news (HTML, WARC, JSONL, text dumps) into article records with every "
               "removal recorded. Run 'newsclean COMMAND --help' for the options of a command.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"newsclean {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="clean news inputs into JSONL records")
    run.add_argument("inputs", nargs="*", default=["seeds"], metavar="INPUT",
                     help="files or folders (walked recursively), '-' for standard input (JSONL, or one "
                          "HTML or text page); default: seeds/")
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
                     help="no progress bar on a terminal, and no progress log lines elsewhere")
    run.add_argument("--progress-every", type=float, default=30.0, metavar="SECONDS",
                     help="seconds between progress log lines when stderr is not a terminal (default: 30)")
    run.add_argument("--verbose", action="store_true", help="show Luigi's own log and tracebacks")
    for name, what in JSONL_FLAGS.items():
        run.add_argument(f"--{name.replace('_', '-')}", action="append", default=None, metavar="NAME",
                         help=f"JSONL field holding {what} (repeat to try several in order; "
                              f"replaces [inputs.jsonl] {name})")

    daily = commands.add_parser("daily", help="clean daily partitions INPUT_ROOT/YYYY-MM-DD, with backfill")
    daily.add_argument("input_root", metavar="INPUT_ROOT", help="folder of YYYY-MM-DD sub-folders")
    daily.add_argument("--output", default="output", help="folder of YYYY-MM-DD output partitions")
    daily.add_argument("--start", type=_iso_date, required=True, help="first day to clean (backfill from here)")
    daily.add_argument("--stop", type=_iso_date, default=None, help="day after the last one (default: tomorrow)")
    daily.add_argument("--workers", type=int, default=1, help="partitions and shards cleaned in parallel processes")
    daily.add_argument("--scheduler-url", default=None,
                       help="URL of a luigid central scheduler (default: a local scheduler)")
    daily.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    daily.add_argument("--verbose", action="store_true", help="show Luigi's own log and tracebacks")

    evaluate = commands.add_parser("eval", help="precision/recall/F1 on HTML pages beside trafilatura and readability-lxml")
    evaluate.add_argument("gold_dir", metavar="GOLD_DIR",
                          help="folder of <key>.json gold files with a body (several joined with ':')")
    evaluate.add_argument("inputs", nargs="+", metavar="INPUT", help="HTML files or folders, each one set")
    evaluate.add_argument("--json", action="store_true", help="the figures as JSON, not a table")
    evaluate.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    evaluate.add_argument("--details", action="store_true", help="per-page figures too")

    bench = commands.add_parser("bench", help="pages per CPU-second beside bare trafilatura, and per step")
    bench.add_argument("inputs", nargs="+", metavar="INPUT", help="HTML files (or text dumps) or folders")
    bench.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    bench.add_argument("--rounds", type=int, default=3, help="rounds over the pages; each side keeps its fastest")
    bench.add_argument("--text", action="store_true", help="time the text path on .txt dumps (ours alone)")

    bench_run = commands.add_parser("bench-run",
                                    help="whole runs: pages per second by workers, peak memory by input size")
    bench_run.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders, as for `run`")
    bench_run.add_argument("--workers-list", default="1,2", help="worker counts to time (default: 1,2)")
    bench_run.add_argument("--scale", default="1,4", help="input sizes as copies of the inputs (default: 1,4)")
    bench_run.add_argument("--shard-size", type=int, default=0, help="inputs per shard (default: from configuration)")
    bench_run.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    bench_run.add_argument("--keep", default=None, help="keep the scaled inputs and outputs in this folder")
    bench_run.add_argument("--repeat", type=int, default=1, help="runs per measurement, the fastest kept (default: 1)")
    bench_run.add_argument("--synthetic", type=int, default=0, metavar="N",
                           help="time IndexBatch and FinaliseShard alone on N x each --scale synthetic records "
                                "(no INPUT needed, nothing cleaned)")

    report = commands.add_parser("report", help="rebuild OUTPUT_DIR/report.html from a finished run")
    report.add_argument("output_dir", metavar="OUTPUT_DIR", help="a run's output folder (with manifest.json)")
    report.add_argument("--sample", type=int, default=DEFAULT_SAMPLE,
                        help=f"documents shown in full (default: {DEFAULT_SAMPLE})")

    train = commands.add_parser("train-region", help="retrain the text-dump article model from labelled pages")
    train.add_argument("text_dirs", nargs="+", metavar="TEXT_DIR",
                       help="folders of whole-page text dumps <key>.txt[.gz], one per renderer")
    train.add_argument("--gold", required=True, metavar="GOLD_DIR[:GOLD_DIR]",
                       help="gold <key>.json with the article body (several folders joined with ':')")
    train.add_argument("--out", required=True, help="where to write the model (a JSON file)")
    train.add_argument("--folds", type=int, default=5,
                       help="site-grouped folds for the threshold and the report (default: 5)")
    train.add_argument("--config", default=None, help="TOML file merged over the packaged configuration")
    return parser


def command_eval(args: argparse.Namespace) -> int:
    from pipeline.measure.evaluation import evaluate, format_evaluation

    result = evaluate(args.gold_dir, args.inputs, load_config(args.config), details=args.details)
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json or args.details else format_evaluation(result))
    return 0


def command_bench(args: argparse.Namespace) -> int:
    from pipeline.measure.benchmark import HTML, TEXT, bench_documents, format_bench

    config = load_config(args.config)
    if args.rounds < 1:
        raise ConfigError("--rounds must be at least 1")
    try:
        report = bench_documents(args.inputs, config, kind=TEXT if args.text else HTML, rounds=args.rounds)
    except (FileNotFoundError, ValueError) as exc:  # a missing input, or no pages of that kind
        print(f"newsclean: {exc}", file=sys.stderr)
        return 2
    print(format_bench(report))
    print(json.dumps(report, indent=1))
    return 0


def command_bench_run(args: argparse.Namespace) -> int:
    from pipeline.measure.benchmark import benchmark_runs, format_report

    load_config(args.config)
    workers = [int(n) for n in args.workers_list.split(",") if n.strip()]
    scales = [int(n) for n in args.scale.split(",") if n.strip()]
    if not workers or not scales or min(workers + scales + [args.repeat]) < 1:
        raise ConfigError("--workers-list and --scale take positive whole numbers, e.g. 1,2")
    if args.synthetic:
        from pipeline.measure.benchmark import benchmark_synthetic_index, format_synthetic

        report = benchmark_synthetic_index(args.synthetic, scales, config_path=_absolute(args.config), keep=args.keep)
        print(format_synthetic(report))
        print(json.dumps(report, indent=1))
        return 0
    if not args.inputs:
        raise ConfigError("bench-run needs an INPUT (or --synthetic N)")
    report = benchmark_runs(args.inputs, workers=workers, scales=scales, shard_size=args.shard_size,
                            config_path=_absolute(args.config), keep=args.keep, repeat=args.repeat)
    print(format_report(report))
    print(json.dumps(report, indent=1))
    return 0


def command_train_region(args: argparse.Namespace) -> int:
    from pipeline.measure.training import train_region_model

    if args.folds < 2:
        raise ConfigError("--folds must be at least 2: the region threshold is chosen on held-out folds")
    gold_dirs = [part for part in args.gold.split(":") if part]
    print(json.dumps(train_region_model(args.text_dirs, gold_dirs, load_config(args.config),
                                        out_path=args.out, folds=args.folds), indent=1))
    return 0


def command_report(args: argparse.Namespace) -> int:
    from pipeline.batch.publish import publish_file
    from pipeline.inputs.limits import Limits
    from pipeline.report import REPORT_NAME, published_files, read_manifest, write_report

    if not Path(args.output_dir, "manifest.json").is_file():
        print(f"newsclean: no manifest.json in {args.output_dir}: not a finished run", file=sys.stderr)
        return 2
    if args.sample < 0:
        raise ConfigError("--sample must be 0 or more")
    manifest = read_manifest(Path(args.output_dir))
    # the run's own configuration, when it is still there, reads the sampled inputs as the run did
    config_path = manifest.get("config", {}).get("path")
    limits = Limits.from_config(load_config(config_path if config_path and Path(config_path).is_file() else None))
    record_paths, reject_paths = published_files(Path(args.output_dir), manifest)
    publish_file(args.output_dir, REPORT_NAME,
                 lambda out: write_report(out, manifest, record_paths, reject_paths, limits, args.sample))
    print(f"newsclean: report -> {Path(args.output_dir, REPORT_NAME)}")
    return 0


def show_progress(progress, stop: threading.Event, terminal: bool, every: float) -> None:
    """Until ``stop`` is set: a tqdm bar on a terminal, else one log line every ``every`` seconds."""
    from pipeline.batch.progress import log_line

    started = time.monotonic()
    if not terminal:
        while not stop.wait(every):
            print(log_line(progress.snapshot(), time.monotonic() - started), file=sys.stderr, flush=True)
        # the last line, once the run has stopped: its final counts and time
        print(log_line(progress.snapshot(), time.monotonic() - started), file=sys.stderr, flush=True)
        return
    from tqdm import tqdm

    with tqdm(total=progress.snapshot().inputs, unit="input", file=sys.stderr, dynamic_ncols=True) as bar:
        while True:
            done = stop.wait(0.5)
            now = progress.snapshot()
            rate = now.documents / max(time.monotonic() - started, 1e-9)
            if now.shards_cleaned == now.shards:  # the rest is the batch index and finalising
                bar.set_description_str(f"finalised {now.shards_finalised}/{now.shards} shards", refresh=False)
            bar.set_postfix_str(f"{now.documents} documents ({rate:.1f}/s), {now.rejects} rejects", refresh=False)
            bar.update(now.inputs_done - bar.n)
            bar.refresh()
            if done:
                return


# Worker settings for the CLI (a luigi.cfg of the user's own wins): ask for work often, and
# with a central scheduler stay until the shared run is done, helping with what remains,
# but leave after 10 minutes without any task (a task that failed elsewhere never frees
# the ones after it, and another process may be holding one long shard).
_WORKER_DEFAULTS = {"wait_interval": "0.2", "wait_jitter": "0.3"}
_SHARED_WORKER_DEFAULTS = {"keep_alive": "true", "max_keep_alive_idle_duration": "10 m"}


def _configure_luigi(shared: bool) -> None:
    from luigi.configuration import get_config

    config = get_config()
    if not config.has_section("worker"):
        config.add_section("worker")
    for key, value in {**_WORKER_DEFAULTS, **(_SHARED_WORKER_DEFAULTS if shared else {})}.items():
        if not config.has_option("worker", key):
            config.set("worker", key, value)


def _build(tasks: list, args: argparse.Namespace) -> bool:
    """Run ``tasks`` with Luigi (local or central scheduler); print its summary; True on success.

    With a central scheduler, a process that failed nothing but was left without work
    (the rest held by other processes sharing the run) has succeeded too: those
    processes finish the run, and OUTPUT/_SUCCESS tells when.
    """
    import luigi
    from luigi.execution_summary import LuigiStatusCode

    _configure_luigi(shared=bool(args.scheduler_url))
    # without --verbose a failure is told in one line (below), not by Luigi's log
    options = {"workers": args.workers, "detailed_summary": True,
               "log_level": "INFO" if args.verbose else "CRITICAL"}
    if args.scheduler_url:
        options["scheduler_url"] = args.scheduler_url
    else:
        options["local_scheduler"] = True
    result = luigi.build(tasks, **options)
    if args.scheduler_url and result.status == LuigiStatusCode.NOT_RUN:
        if args.verbose:
            print(result.summary_text, file=sys.stderr)
        print("newsclean: other processes sharing this run hold its remaining tasks; "
              "the run is done when OUTPUT/_SUCCESS appears", file=sys.stderr)
        return True
    ok = result.status in (LuigiStatusCode.SUCCESS, LuigiStatusCode.SUCCESS_WITH_RETRY)
    # Luigi's summary only when asked for; a failure is told in one line that points to --verbose
    if args.verbose:
        print(result.summary_text, file=sys.stderr)
    if not ok:
        print(f"newsclean: {failure_line(result)}", file=sys.stderr)
    return ok


def failure_line(result) -> str:
    """One line saying why a Luigi build failed: the first failed task's own explanation."""
    from luigi.execution_summary import _summary_dict

    failed = sorted(_summary_dict(result.worker)["failed"], key=lambda task: task.task_id)
    if not failed:
        return "the run failed; run it again with --verbose for Luigi's log"
    explanation = result.worker._scheduler.fetch_error(failed[0].task_id).get("error") or ""
    try:
        explanation = json.loads(explanation)  # Luigi's worker sends it JSON-encoded
    except ValueError:
        pass
    explanation = explanation if isinstance(explanation, str) else ""
    lines = [line.strip() for line in explanation.splitlines() if line.strip()]
    # a RunError explains itself in one line; anything else ends its traceback with the error
    line = lines[0] if len(lines) == 1 else f"{failed[0].task_family} failed: {lines[-1] if lines else 'no reason given'}"
    more = f" (and {len(failed) - 1} more failed tasks; --verbose shows them)" if len(failed) > 1 else ""
    return line + more


INTERRUPTED = "interrupted; run the same command again to resume"


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM end the run at once, exit 128 + signal number, one line said.

    Luigi's worker processes are killed with it (Luigi leaves them running otherwise).
    Nothing is lost: every output appears whole by rename, so the same command resumes
    exactly as after a crash. A worker process that receives the signal itself (Ctrl-C
    reaches the whole process group) ends silently.
    """
    main_pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() == main_pid:
            for child in multiprocessing.active_children():
                child.kill()
            sys.stderr.write(f"newsclean: {INTERRUPTED}\n")
            sys.stderr.flush()
        os._exit(128 + signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def unwritable_output(output: str) -> str | None:
    """Why newsclean cannot write in the folder ``output`` (a file there, no permission), or None.

    An output in object storage is tried with a small object written and removed (a
    missing bucket, no credentials or no permission stop the run before any work).
    """
    from pipeline.batch.store import Store, output_location
    from pipeline.inputs.storage import is_remote

    if is_remote(output):
        try:
            store = Store(output_location(output))
            probe = store.key(f".newsclean-write-check.{os.getpid()}")
            store.fs.pipe_file(probe, b"")
            store.fs.rm_file(probe)
        except Exception as exc:  # noqa: BLE001  (whatever the storage library raises, said in one line)
            return f"cannot write in --output {output}: {exc}"
        return None
    path = Path(output)
    if path.exists() and not path.is_dir():
        return f"--output {output} is a file, not a folder: give a folder (it is created if missing)"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".newsclean-write-check.{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        return f"cannot write in --output {output}: {exc.strerror or exc}"
    return None


def _absolute(path: str | None) -> str | None:
    # task ids hold these paths: every process sharing a run must spell them alike
    return os.path.abspath(path) if path else path


def _input_location(location: str) -> str:
    """An input as task ids hold it: a storage URL as given, a path (or file:// URL) absolute."""
    from pipeline.inputs.storage import is_remote, local_path

    return location if is_remote(location) else _absolute(local_path(location))


def _input_exists(location: str) -> bool:
    from pipeline.inputs.storage import filesystem, is_remote, local_path

    if not is_remote(location):
        return Path(local_path(location)).exists()
    try:
        fs, path = filesystem(location)
        return fs.exists(path)
    except (OSError, ValueError, ImportError) as exc:  # no such bucket, no credentials, no fsspec backend
        print(f"newsclean: cannot reach {location}: {exc}", file=sys.stderr)
        return False


def _warm_up(args: argparse.Namespace, reference_date: str | None, files=None) -> None:
    """Load the cleaning models before Luigi forks one process per task (only then worth it):
    those of the kinds of document ``files`` can hold (by their names), or of every kind."""
    if args.workers > 1:
        from pipeline.batch.clean import HTML, TEXT, input_kinds, warm_up
        from pipeline.cleaner import Cleaner

        cleaner = Cleaner.from_config(load_config(args.config, overrides_of(args)),
                                      date.fromisoformat(reference_date) if reference_date else None)
        warm_up(cleaner, (HTML, TEXT) if files is None else input_kinds(files))


def command_daily(args: argparse.Namespace) -> int:
    from pipeline.tasks import DailyClean, daily_plan

    load_config(args.config)
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    root = Path(args.input_root)
    if not root.is_dir():
        print(f"newsclean: input root {'is not a folder' if root.exists() else 'not found'}: {args.input_root}",
              file=sys.stderr)
        return 2
    stop = date.fromisoformat(args.stop) if args.stop else date.today() + timedelta(days=1)
    start = date.fromisoformat(args.start)
    if start >= stop:
        raise ConfigError("--start must be before --stop")
    if not args.verbose:
        logging.getLogger("luigi-interface").setLevel(logging.CRITICAL)
    plan = daily_plan(root, start, stop)
    tasks = [DailyClean(date=day, input_root=_absolute(args.input_root), output_root=_absolute(args.output),
                        config_path=_absolute(args.config)) for day in plan.present]
    done_before = {task.date for task in tasks if task.complete()}
    ok = True
    with stopping_on_signals():
        if len(done_before) < len(tasks):
            _warm_up(args, None)
            ok = _build(tasks, args)
    print(f"newsclean: {daily_summary(plan, tasks, done_before)} -> {args.output}")
    return 0 if ok else 1


def daily_summary(plan, tasks: list, done_before: set) -> str:
    """One line for a daily call: days asked, cleaned, already done, failed, and the days without a folder."""
    cleaned = [task for task in tasks if task.date not in done_before and task.complete()]
    failed = len(tasks) - len(done_before) - len(cleaned)
    counts = [0, 0]
    for task in cleaned:
        manifest = json.loads(Path(task.output_root, task.date.isoformat(), "manifest.json").read_text(encoding="utf-8"))
        counts[0] += manifest["records"]
        counts[1] += manifest["rejects"]
    days = len(plan.present) + len(plan.missing)
    line = (f"daily {plan.start.isoformat()} to {plan.last.isoformat()} ({days} days): {len(cleaned)} cleaned "
            f"({counts[0]} records, {counts[1]} rejects), {len(done_before)} already done")
    if failed:
        line += f", {failed} failed (--verbose shows why)"
    if plan.missing:
        line += f", {len(plan.missing)} skipped without an input folder ({day_ranges(plan.missing)})"
    return line


def day_ranges(days: list[date]) -> str:
    """Days as runs: "2026-01-05, 2026-01-10..2026-01-12"."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(run[0].isoformat() if len(run) == 1 else f"{run[0].isoformat()}..{run[-1].isoformat()}"
                     for run in runs)


def command_run(args: argparse.Namespace) -> int:
    from pipeline.batch.folder import RunError, unsafe_output
    from pipeline.batch.lock import output_lock
    from pipeline.batch.store import Store, output_location
    from pipeline.inputs.stdin import STDIN, drop_other_spools
    from pipeline.tasks import CleanRun

    overrides = overrides_of(args)
    load_config(args.config, overrides)  # fail loudly before any work starts
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    if args.inputs.count(STDIN) > 1:
        print(f"newsclean: standard input ('{STDIN}') can be given once", file=sys.stderr)
        return 2
    if not args.progress_every > 0:
        raise ConfigError("--progress-every must be more than 0 seconds")
    for path in args.inputs:
        if path != STDIN and not _input_exists(path):
            print(f"newsclean: input not found: {path}", file=sys.stderr)
            return 2
    output, state_dir = output_location(args.output), args.state_dir and output_location(args.state_dir)
    problem = unwritable_output(args.output) or unsafe_output(
        str(Store(output).local), state_dir and str(Store(state_dir).local))
    if problem:
        print(f"newsclean: {problem}", file=sys.stderr)
        return 2
    spool = _spooled_stdin(args) if STDIN in args.inputs else None
    inputs = [str(spool) if path == STDIN else path for path in args.inputs]
    if not args.verbose:
        logging.getLogger("luigi-interface").setLevel(logging.CRITICAL)
    with stopping_on_signals():
        task = CleanRun(inputs=[_input_location(p) for p in inputs], output_dir=output,
                        config_path=_absolute(args.config), reference_date=args.reference_date,
                        state_dir=state_dir, shard_size=args.shard_size,
                        overrides=json.dumps(overrides, sort_keys=True) if overrides else None)
        try:
            with output_lock(task.store, task.plan):
                code = _run(args, task)
                if spool is not None and code == 0 and task.complete():
                    drop_other_spools(spool.parent.parent, spool)
                return code
        except RunError as exc:
            print(f"newsclean: {exc}", file=sys.stderr)
            return 1


def _spooled_stdin(args: argparse.Namespace) -> Path:
    """Standard input copied under OUTPUT/_work/stdin (see ``pipeline.inputs.stdin``)."""
    from pipeline.batch.folder import WORK_DIR
    from pipeline.batch.store import Store, output_location
    from pipeline.inputs.stdin import spool_stdin

    return spool_stdin(sys.stdin.buffer, Path(Store(output_location(args.output)).local, WORK_DIR, "stdin"))


def _run(args: argparse.Namespace, task) -> int:
    """Build the run ``task`` (its output folder locked) and say how it went."""
    if not task.complete():
        _warm_up(args, args.reference_date, task.files)
    from pipeline.batch.progress import RunProgress

    stop = threading.Event()
    bar = None
    if not args.no_progress:
        progress = RunProgress(task.store.local, task.plan, task.shards)
        bar = threading.Thread(target=show_progress, daemon=True,
                               args=(progress, stop, sys.stderr.isatty(), args.progress_every))
        bar.start()
    try:
        ok = _build([task], args)
    finally:
        stop.set()
        if bar:
            bar.join()
    # with a central scheduler, another process may have finished the run this one shared
    if not (ok or task.complete()):
        return 1
    if not task.complete():  # left to the other processes sharing the run
        return 0
    manifest = json.loads(task.store.read_text("manifest.json"))
    print(f"newsclean: {manifest['inputs']['documents']} documents in, {manifest['records']} records, "
          f"{manifest['rejects']} rejects -> {args.output}")
    return 0


COMMANDS = {"run": command_run, "daily": command_daily, "eval": command_eval, "bench": command_bench,
            "bench-run": command_bench_run, "train-region": command_train_region,
            "report": command_report}


def main(argv: list[str] | None = None) -> int:
    """Run one command; every way it can end is an exit status and at most one line on stderr.

    2: a usage or configuration problem found before any work; 1: the run failed (a disk,
    a permission, an unexpected error); 130 and 143: interrupted. ``--verbose`` adds the
    traceback above the line.
    """
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"newsclean: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before or after the run's own signal handling (loading, importing)
        print(f"newsclean: {INTERRUPTED}", file=sys.stderr)
        return 130
    except OSError as exc:
        _traceback_if_verbose(args)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"newsclean: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001  (one line instead of a traceback; --verbose shows it)
        _traceback_if_verbose(args)
        print(f"newsclean: {type(exc).__name__}: {exc} (run again with --verbose for the traceback)",
              file=sys.stderr)
        return 1


def _traceback_if_verbose(args: argparse.Namespace) -> None:
    if getattr(args, "verbose", False):
        traceback.print_exc(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
