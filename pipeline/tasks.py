"""Luigi tasks: thin wrappers that open targets and call one function of ``pipeline.batch``.

DAG of one run (``CleanRun``)::

    CleanShard x N  ->  IndexBatch  ->  FinaliseShard x N  ->  CleanRun (manifest, _SUCCESS)

Run it from the CLI (``newsclean run``) or with Luigi itself::

    luigi --module pipeline.tasks CleanRun --inputs '["seeds"]' --output-dir output --local-scheduler

``CleanRun`` writes the plan (which inputs make which shard) to ``_work/plans/<plan>.json``
when it is scheduled; the other tasks name the plan by digest and read it from there, so
scheduler parameters stay small however many inputs a run has. Everything published in the
output folder appears whole: it is written under ``_work`` and renamed into place, and
``_SUCCESS`` comes last.
"""
from __future__ import annotations

import fcntl
import fnmatch
import json
import os
import shutil
import socket
import stat
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO, Callable, Iterator

import luigi

from pipeline import __version__
from pipeline.batch import (Shard, build_batch_index, clean_shard, finalise_shard, plan_digest,
                            plan_shards, read_plan, shard_weight, write_plan)
from pipeline.cleaner import Cleaner
from pipeline.config import Config, ConfigError, load_config, models_digest
from pipeline.inputs import InputFile, Limits, discover_inputs, skipped_inputs
from pipeline.report import REPORT_NAME, write_report
from pipeline.site_stats import SiteStats
from pipeline.writing import open_exclusive

WORK_DIR = "_work"
STATE_DIR = "_state"
# Left behind by a process killed while writing (LocalTarget's and our own staging names).
_TMP_PATTERNS = ("*-luigi-tmp-*", "*.tmp")
# The folders under _work that tasks write into; a link among them would take writes elsewhere.
_WORK_FOLDERS = ("clean", "index", "plans", "final", "publish")
LOCK_NAME = "lock"


class RunError(Exception):
    """A run stopped for a reason its one-line message explains (the CLI prints it as it is)."""


class UnsafeOutputError(RunError):
    """Writing in the output folder would follow a link out of it."""


class PublishError(RunError):
    """The new output could not be staged; the previous output is untouched."""


class OutputLockedError(RunError):
    """Another run, of another plan, holds the output folder."""


class _RunTask(luigi.Task):
    output_dir = luigi.Parameter(description="folder the run writes its records, rejects and manifest to")
    config_path = luigi.OptionalParameter(default=None, description="TOML file merged over the packaged configuration")
    reference_date = luigi.OptionalParameter(
        default=None, description="YYYY-MM-DD that relative dates ('3 days ago') are resolved against")
    state_dir = luigi.OptionalParameter(
        default=None, significant=False,
        description="folder of per-site statistics kept across runs (default OUTPUT/_state)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built from `luigi --module pipeline.tasks ...`, a run with a bad configuration
        # stops here, before the scheduler sees any task, as `newsclean run` does.
        try:
            self.config
        except ConfigError as exc:
            print(f"newsclean: configuration error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def ref_date(self) -> date | None:
        return date.fromisoformat(self.reference_date) if self.reference_date else None

    def run_params(self) -> dict:
        return {"output_dir": self.output_dir, "config_path": self.config_path,
                "reference_date": self.reference_date, "state_dir": self.state_dir}

    def work_path(self, *parts: str) -> Path:
        return Path(self.output_dir, WORK_DIR, *parts)

    def plan_shards(self, plan: str) -> tuple[Shard, ...]:
        return _read_plan_cached(str(self.work_path("plans", f"{plan}.json")))

    def on_failure(self, exception: BaseException) -> str:
        # the explanation the scheduler keeps: one line for a failure the run itself names
        if isinstance(exception, RunError):
            return str(exception)
        return super().on_failure(exception)


@lru_cache(maxsize=16)
def _read_plan_cached(path: str) -> tuple[Shard, ...]:
    # a plan file never changes: its name is the digest of what it holds
    return tuple(read_plan(Path(path)))


def _members_param(members: tuple[InputFile, ...]) -> list[list[str]]:
    return [[str(f.root), f.source] for f in members]


def _members(param) -> tuple[InputFile, ...]:
    # InputFile.at maps a source escaped from a non-UTF-8 file name back to the real file
    return tuple(InputFile.at(Path(root), source) for root, source in param)


class CleanShard(_RunTask):
    """Extract and clean every document of one shard into a tagged JSONL work file."""

    shard_id = luigi.Parameter()
    members = luigi.ListParameter(significant=False, description="[root, source] pairs of the shard's inputs")

    @property
    def priority(self) -> int:
        # heavy shards first (kB of input), so that light ones fill the gaps at the end
        return shard_weight(Shard(self.shard_id, _members(self.members))) // 1024

    def output(self):
        return luigi.LocalTarget(self.work_path("clean", f"{self.shard_id}.jsonl"))

    def run(self):
        members = _members(self.members)
        cleaner = Cleaner.from_config(self.config, self.ref_date)

        def progress(done: int) -> None:
            self.set_progress_percentage(round(100 * done / max(len(members), 1)))
            self.set_status_message(f"{done}/{len(members)} inputs")

        with self.output().open("w") as out:
            clean_shard(members, cleaner, Limits.from_config(self.config), out, progress)


def _clean_shard(task: _RunTask, shard: Shard) -> CleanShard:
    return CleanShard(shard_id=shard.id, members=_members_param(shard.members), **task.run_params())


class IndexBatch(_RunTask):
    """Count repeated paragraphs per site and find duplicate clusters over all shards."""

    plan = luigi.Parameter(description="digest of the run's plan (_work/plans/<plan>.json)")

    def requires(self):
        return [_clean_shard(self, shard) for shard in self.plan_shards(self.plan)]

    @property
    def state(self) -> Path:
        return Path(self.state_dir) if self.state_dir else Path(self.output_dir, STATE_DIR)

    def output(self):
        return {"index": luigi.LocalTarget(self.work_path("index", f"{self.plan}.json")),
                "stats": luigi.LocalTarget(self.state / f"site-stats-{self.plan}.json")}

    def earlier_stats(self) -> SiteStats:
        """Statistics persisted by earlier runs (other plans), merged in name order."""
        bound = self.config.rules.site_repeated.max_fingerprints_per_site
        stats = SiteStats(max_fingerprints_per_site=bound)
        own = self.output()["stats"].path
        for path in sorted(self.state.glob("site-stats-*.json")):
            if str(path) != own:
                stats.merge(SiteStats.from_json(json.loads(path.read_text(encoding="utf-8")), bound))
        return stats

    def run(self):
        def open_shards():
            for target in self.input():
                with target.open("r") as handle:
                    yield handle

        index, batch = build_batch_index(open_shards, self.earlier_stats(), self.config)
        with self.output()["stats"].open("w") as out:
            json.dump(batch.to_json(), out, sort_keys=True)
        with self.output()["index"].open("w") as out:
            json.dump(index, out, sort_keys=True)


class FinaliseShard(_RunTask):
    """Apply the batch index to one shard: site chrome out, duplicates marked."""

    plan = luigi.Parameter()
    shard_id = luigi.Parameter()

    def requires(self):
        shard = next(s for s in self.plan_shards(self.plan) if s.id == self.shard_id)
        return {"shard": _clean_shard(self, shard), "index": IndexBatch(plan=self.plan, **self.run_params())}

    def output(self):
        base = self.work_path("final", self.plan, self.shard_id)
        return {name: luigi.LocalTarget(f"{base}.{name}.json{'l' if name != 'counts' else ''}")
                for name in ("records", "rejects", "counts")}

    def run(self):
        with self.input()["index"]["index"].open("r") as handle:
            index = json.load(handle)
        out = self.output()
        with self.input()["shard"].open("r") as shard, out["records"].open("w") as records, \
                out["rejects"].open("w") as rejects:
            counts = finalise_shard(shard, index, self.config, records, rejects)
        with out["counts"].open("w") as handle:
            json.dump(dict(sorted(counts.items())), handle)


class CleanRun(_RunTask):
    """A whole run: publish the shards' records, gather rejects, write the manifest and _SUCCESS."""

    inputs = luigi.ListParameter(description="files or folders to clean (folders are walked)")
    shard_size = luigi.IntParameter(default=0, description="inputs per shard (0: the configuration's run.shard_size)")

    @cached_property
    def files(self) -> list[InputFile]:
        return discover_inputs([Path(p) for p in self.inputs], exclude=self.own_folders())

    def own_folders(self) -> dict[Path, str]:
        """Folders the run writes, kept out of its inputs (an output inside an input folder is not read back)."""
        state = Path(self.state_dir) if self.state_dir else Path(self.output_dir, STATE_DIR)
        return {Path(self.output_dir): "run_output", self.work_path(): "run_output", state: "run_state"}

    @cached_property
    def shards(self) -> list[Shard]:
        size = self.shard_size or self.config.settings.run.shard_size
        return plan_shards(self.files, size)

    @cached_property
    def plan(self) -> str:
        return plan_digest(self.shards, self.config, self.ref_date)

    def requires(self):
        problem = unsafe_output(self.output_dir, self.state_dir)
        if problem:
            raise UnsafeOutputError(problem)
        # scheduling a run persists its plan, which the tasks below read by digest
        write_plan(self.work_path("plans", f"{self.plan}.json"), self.plan, self.shards)
        return [FinaliseShard(plan=self.plan, shard_id=s.id, **self.run_params()) for s in self.shards]

    def output(self):
        return {name: luigi.LocalTarget(Path(self.output_dir, name))
                for name in ("rejects.jsonl", "manifest.json", "_SUCCESS")}

    def complete(self):
        # Done only when the manifest speaks of this very plan: new or changed inputs,
        # or another configuration, make an earlier run's _SUCCESS stale.
        out = self.output()
        if not all(t.exists() for t in out.values()):
            return False
        try:
            manifest = json.loads(Path(out["manifest.json"].path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return manifest.get("plan") == self.plan

    def run(self):
        started = time.time()
        finals = self.input()
        counts: Counter = Counter()
        for shard_outputs in finals:
            with shard_outputs["counts"].open("r") as handle:
                counts.update(json.load(handle))
        records = {f"records-{shard.id}.jsonl": targets["records"].path for shard, targets in zip(self.shards, finals)}
        manifest = build_manifest(self, counts, list(records), started)
        drop_stale_work(self.output_dir, self.plan, {s.id for s in self.shards})
        rejects = [targets["rejects"].path for targets in finals]
        limits = Limits.from_config(self.config)
        publish_run(self.output_dir, self.plan, records, rejects, manifest,
                    report=lambda out: write_report(out, manifest, records.values(), rejects, limits))


def unsafe_output(output_dir: str, state_dir: str | None = None) -> str | None:
    """Why a run in ``output_dir`` would write or delete outside it (a link among its own folders), or None.

    ``_work`` (or ``_state``) as a link to another disk would take every work file and
    clean-up there; the run refuses it instead of following it.
    """
    work = Path(output_dir, WORK_DIR)
    folders = [work, *(work / name for name in _WORK_FOLDERS)]
    final = work / "final"
    if _is_real_folder(final):
        folders.extend(sorted(final.iterdir()))
    if state_dir is None:
        folders.append(Path(output_dir, STATE_DIR))
    for folder in folders:
        if folder.is_symlink():
            return (f"{folder} is a symbolic link (to {os.readlink(folder)}); newsclean writes and deletes only "
                    "inside the output folder: make it a real folder"
                    + (", or give --state-dir" if folder.name == STATE_DIR else ""))
    return None


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # lstat: a link to a folder is not one
    except OSError:
        return False


@contextmanager
def output_lock(output_dir: str, plan: str) -> Iterator[None]:
    """Hold OUTPUT/_work/lock while a run works in ``output_dir``.

    A run of another plan finds it held and stops with OutputLockedError naming the
    holder; a process of the same plan (sharing the run through luigid) goes on beside
    it. The kernel drops the lock when its holder dies, so a killed run leaves none.
    """
    work = Path(output_dir, WORK_DIR)
    work.mkdir(parents=True, exist_ok=True)
    fd = os.open(work / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            if holder.get("plan") != plan:
                raise OutputLockedError(
                    f"{output_dir} is in use by another run (pid {holder.get('pid', '?')} on host "
                    f"{holder.get('host', '?')}); wait for it to end or give another --output") from None
        else:
            os.ftruncate(fd, 0)
            holder = {"pid": os.getpid(), "host": socket.gethostname(), "plan": plan}
            os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)


def _lock_holder(fd: int) -> dict:
    """What the lock's holder wrote of itself (just after taking it: wait a moment for it)."""
    for _ in range(20):
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"null")
        except ValueError:
            holder = None
        if isinstance(holder, dict):
            return holder
        time.sleep(0.05)
    return {}


def _staging_path(output_dir: str, name: str) -> Path:
    folder = Path(output_dir, WORK_DIR, "publish")
    if folder.is_symlink():
        folder.unlink()  # a link planted here would take the staging files elsewhere; its target is left alone
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.{os.getpid()}.tmp"


def _stage(output_dir: str, name: str, write: Callable[[IO[str]], None]) -> Path:
    """NAME's new content written to a staging file of its own under _work/publish; its path."""
    staging = _staging_path(output_dir, name)
    try:
        with open_exclusive(staging) as handle:
            write(handle)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return staging


def _stage_link(output_dir: str, name: str, source: str) -> Path:
    """A staging hard link to ``source`` (no copy: a finalised work file is never rewritten in place)."""
    staging = _staging_path(output_dir, name)
    staging.unlink(missing_ok=True)
    try:
        os.link(source, staging)
    except OSError:  # a file system without hard links
        return _stage(output_dir, name, lambda out: _concatenate([source], out))
    return staging


def _concatenate(paths: list[str], out: IO[str]) -> None:
    for path in paths:
        with open(path, encoding="utf-8") as part:
            shutil.copyfileobj(part, out)


def publish_file(output_dir: str, name: str, write: Callable[[IO[str]], None]) -> None:
    """OUTPUT_DIR/NAME replaced whole through the staging folder (``newsclean report`` rebuilding the page)."""
    os.replace(_stage(output_dir, name, write), Path(output_dir, name))


def publish_run(output_dir: str, plan: str, records: dict[str, str], rejects: list[str], manifest: dict,
                report: Callable[[IO[str]], None] | None = None) -> None:
    """Put a finished run in place: every new file staged first, then renamed in, ``_SUCCESS`` last.

    ``records`` maps each records file name to its finalised work file; the lines of the
    ``rejects`` work files make rejects.jsonl. Nothing of the previous output is touched
    before all of the new one is staged, so a failure while staging (a full disk) leaves
    it whole and readable and raises PublishError; what follows is renames and unlinks.
    """
    staged: dict[str, Path] = {}
    try:
        for name, source in records.items():
            staged[name] = _stage_link(output_dir, name, source)
        staged["rejects.jsonl"] = _stage(output_dir, "rejects.jsonl", lambda out: _concatenate(rejects, out))
        staged["manifest.json"] = _stage(output_dir, "manifest.json", lambda out: out.write(
            json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"))
        if report:  # the report page, staged and renamed in with the manifest
            staged[REPORT_NAME] = _stage(output_dir, REPORT_NAME, report)
        success = _stage(output_dir, "_SUCCESS", lambda out: out.write(plan + "\n"))
    except OSError as exc:
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise PublishError(f"publishing the run in {output_dir} failed ({exc.strerror or exc}); "
                           "the previous output is unchanged") from exc
    # _SUCCESS goes first and comes back last: a reader that waits for it never sees
    # records of one plan beside a manifest of another
    Path(output_dir, "_SUCCESS").unlink(missing_ok=True)
    for name, path in staged.items():
        os.replace(path, Path(output_dir, name))
    for stale in sorted(Path(output_dir).glob("records-*.jsonl")):
        if stale.name not in records:
            stale.unlink()
    os.replace(success, Path(output_dir, "_SUCCESS"))


def drop_stale_work(output_dir: str, plan: str, shard_ids: set[str]) -> None:
    """Forget work of earlier plans, clean shards no plan uses any more, and files left by killed writers.

    Only entries inside the work folder go: a link found there is removed itself, never
    followed, and a work folder that is a link is left alone.
    """
    work = Path(output_dir, WORK_DIR)
    if not _is_real_folder(work):
        return
    for path in _entries(work / "final"):
        if path.name != plan:
            _remove(path)
    for folder, keep in (("index", {plan}), ("plans", {plan}), ("clean", shard_ids)):
        for path in _entries(work / folder):
            if path.name.endswith((".json", ".jsonl")) and path.name.split(".")[0] not in keep:
                _remove(path)
    for folder, _, names in os.walk(work):  # os.walk enters no linked folder
        for name in sorted(names):
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in _TMP_PATTERNS):
                Path(folder, name).unlink(missing_ok=True)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if _is_real_folder(folder) else []


def _remove(path: Path) -> None:
    """Remove a work file or folder; a link is unlinked, its target left alone."""
    if _is_real_folder(path):
        shutil.rmtree(path, ignore_errors=True)  # rmtree unlinks the links it meets inside
    else:
        path.unlink(missing_ok=True)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {"newsclean": __version__}
    for name in ("trafilatura", "luigi", "langdetect", "lxml", "dateparser", "warcio", "datasketch",
                 "charset-normalizer", "beautifulsoup4"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def build_manifest(run: CleanRun, counts: Counter, record_files: list[str], started: float) -> dict:
    """The run manifest: what went in, what came out, with which versions and configuration."""
    records, rejects = counts.get("records", 0), counts.get("rejects", 0)
    skipped_files = Counter(skip.reason for skip in skipped_inputs([Path(p) for p in run.inputs],
                                                                   exclude=run.own_folders()))
    return {
        "plan": run.plan,
        "inputs": {"files": len(run.files), "documents": counts.get("documents", 0), "paths": list(run.inputs)},
        "records": records,
        "rejects": rejects,
        # every document read ends as exactly one record or one reject
        "accounted": counts.get("documents", 0) == records + rejects,
        "duplicates": counts.get("duplicates", 0),
        "rejects_by_reason": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("reject:")},
        # neither documents nor rejects: files left out of the walk, archive records that are not captures
        "skipped": {"files": dict(sorted(skipped_files.items())),
                    "records": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("skipped:")}},
        "removed_by_category": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("removed:")},
        "record_files": record_files,
        "shards": len(run.shards),
        # the run's identity (plan_digest): package version (versions.newsclean), models, configuration
        "config": {"digest": run.config.digest, "path": run.config_path},
        "models": {"digest": models_digest()},
        "reference_date": run.reference_date,
        "versions": _versions(),
        "timings": {"cleaning_seconds": round(counts.get("clean_seconds_x1000", 0) / 1000, 3),
                    "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "manifest_seconds": round(time.time() - started, 3)},
    }


class DailyClean(luigi.Task):
    """One day's partition: INPUT_ROOT/YYYY-MM-DD cleaned into OUTPUT_ROOT/YYYY-MM-DD.

    Made for ``luigi.tools.range.RangeDaily``: a day already done is skipped, a day whose
    folder gained files is redone, and per-site statistics are shared by all days through
    OUTPUT_ROOT/_state. Relative dates resolve against the partition's own day.
    """

    date = luigi.DateParameter()
    input_root = luigi.Parameter()
    output_root = luigi.Parameter()
    config_path = luigi.OptionalParameter(default=None)

    def run_task(self) -> CleanRun:
        """The day's run; a day without an input folder makes an empty partition."""
        day = self.date.isoformat()
        day_inputs = Path(self.input_root, day)
        return CleanRun(inputs=[str(day_inputs)] if day_inputs.exists() else [],
                        output_dir=str(Path(self.output_root, day)), config_path=self.config_path,
                        reference_date=day, state_dir=str(Path(self.output_root, STATE_DIR)))

    def requires(self):
        return self.run_task()

    def output(self):
        return self.run_task().output()["_SUCCESS"]

    def complete(self):
        return self.run_task().complete()

    @classmethod
    def bulk_complete(cls, parameter_tuples):
        """The days already done for their current inputs.

        RangeDaily asks this; without it, it would take a day whose output folder
        exists for done, and never redo a day whose input folder gained files.
        """
        return [day for day in parameter_tuples if cls(date=day).complete()]
