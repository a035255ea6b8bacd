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

import json
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

import luigi
import luigi.format

from pipeline.batch.clean import clean_shard
from pipeline.batch.finalise import finalise_shard
from pipeline.batch.folder import STATE_DIR, WORK_DIR, RunError, UnsafeOutputError, unsafe_output
from pipeline.batch.index import build_batch_index, earlier_stats, fresh_scratch, index_partitions
from pipeline.batch.manifest import RunFacts
from pipeline.batch.plan import Shard, file_ranges, member_pairs, members_of, plan_digest, plan_shards, read_plan, shard_weight, write_plan
from pipeline.batch.publish import FinalShard, finish_run, publish_stored, published_plan
from pipeline.batch.store import Store
from pipeline.batch.writing import RECORD_SUFFIXES, record_writer
from pipeline.cleaner import Cleaner
from pipeline.config import Config, ConfigError, load_config
from pipeline.inputs.discovery import InputFile, discover_inputs
from pipeline.inputs.limits import Limits
from pipeline.inputs.warc import Range
from pipeline.report import REPORT_NAME


class _RunTask(luigi.Task):
    output_dir = luigi.Parameter(description="folder the run writes its records, rejects and manifest to")
    config_path = luigi.OptionalParameter(default=None, description="TOML file merged over the packaged configuration")
    reference_date = luigi.OptionalParameter(
        default=None, description="YYYY-MM-DD that relative dates ('3 days ago') are resolved against")
    state_dir = luigi.OptionalParameter(
        default=None, significant=False,
        description="folder of per-site statistics kept across runs (default OUTPUT/_state)")
    overrides = luigi.OptionalParameter(
        default=None, description="JSON tables laid over the configuration (what command-line flags set)")

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
        return load_config(self.config_path, json.loads(self.overrides) if self.overrides else None)

    @cached_property
    def store(self) -> Store:
        """Where the output lives (a folder, or a URL in object storage mirrored by a local spool)."""
        return Store(self.output_dir)

    @cached_property
    def state_store(self) -> Store:
        return Store(self.state_dir) if self.state_dir else Store(self.store.url(STATE_DIR))

    @property
    def ref_date(self) -> date | None:
        return date.fromisoformat(self.reference_date) if self.reference_date else None

    def run_params(self) -> dict:
        return {"output_dir": self.output_dir, "config_path": self.config_path,
                "reference_date": self.reference_date, "state_dir": self.state_dir, "overrides": self.overrides}

    def work_path(self, *parts: str) -> Path:
        return Path(self.store.local, WORK_DIR, *parts)

    def plan_shards(self, plan: str) -> tuple[Shard, ...]:
        path = self.work_path("plans", f"{plan}.json")
        self.store.fetch(path, if_missing=True)
        return _read_plan_cached(str(path))

    def fetch_inputs(self) -> None:
        """The task's inputs copied from object storage into this machine's spool (nothing for a folder)."""
        for target in luigi.task.flatten(self.input()):
            self.store.fetch(target.path)

    def upload_outputs(self) -> None:
        """The task's outputs put in object storage, in order (nothing for a folder)."""
        self.store.upload([target.path for target in luigi.task.flatten(self.output())])

    def on_failure(self, exception: BaseException) -> str:
        # the explanation the scheduler keeps: one line for a failure the run itself names
        if isinstance(exception, RunError):
            return str(exception)
        return super().on_failure(exception)


@lru_cache(maxsize=16)
def _read_plan_cached(path: str) -> tuple[Shard, ...]:
    # a plan file never changes: its name is the digest of what it holds
    return tuple(read_plan(Path(path)))


class CleanShard(_RunTask):
    """Extract and clean every document of one shard into a tagged JSONL work file."""

    shard_id = luigi.Parameter()
    members = luigi.ListParameter(significant=False, description="[root, source] pairs of the shard's inputs")
    part = luigi.ListParameter(default=[], significant=False,
                               description="[start, end, first record] of the one range of its one input it reads")

    @property
    def range(self) -> Range | None:
        return Range(*self.part) if self.part else None

    @property
    def priority(self) -> int:
        # heavy shards first (kB of input), so that light ones fill the gaps at the end
        return shard_weight(Shard(self.shard_id, members_of(self.members), self.range)) // 1024

    def output(self):
        return self.store.target(self.work_path("clean", f"{self.shard_id}.jsonl"))

    def run(self):
        members = members_of(self.members)
        cleaner = Cleaner.from_config(self.config, self.ref_date)

        def progress(done: int) -> None:
            self.set_progress_percentage(round(100 * done / max(len(members), 1)))
            self.set_status_message(f"{done}/{len(members)} inputs")

        with self.output().open("w") as out:
            clean_shard(members, cleaner, Limits.from_config(self.config), out, progress, part=self.range)
        self.upload_outputs()


def _clean_shard(task: _RunTask, shard: Shard) -> CleanShard:
    return CleanShard(shard_id=shard.id, members=member_pairs(shard.members), part=list(shard.part or ()),
                      **task.run_params())


class IndexBatch(_RunTask):
    """Count repeated paragraphs per site and find duplicate clusters over all shards."""

    plan = luigi.Parameter(description="digest of the run's plan (_work/plans/<plan>.json)")

    def requires(self):
        return [_clean_shard(self, shard) for shard in self.plan_shards(self.plan)]

    @property
    def state(self) -> Path:
        return self.state_store.local

    def output(self):
        # the summary is written (and uploaded) last: it exists only once every slice and the statistics do
        return {"index": self.store.target(self.work_path("index", f"{self.plan}.json")),
                "stats": self.state_store.target(self.state / f"site-stats-{self.plan}.json")}

    def slice(self, shard_id: str) -> luigi.LocalTarget:
        """The part of the index FinaliseShard of ``shard_id`` reads."""
        return self.store.target(self.work_path("index", self.plan, f"{shard_id}.json"))

    def fetch_earlier_stats(self) -> None:
        """The statistics of other plans in object storage copied into the spool's state folder, as they are now."""
        if not self.state_store.remote:
            return
        own = f"site-stats-{self.plan}.json"
        stored = {name for name in self.state_store.keys("") if name.startswith("site-stats-") and name != own}
        for path in self.state.glob("site-stats-*.json"):
            if path.name not in stored and path.name != own:
                path.unlink()  # gone from storage: no longer counted
        for name in sorted(stored):
            self.state_store.fetch(self.state / name)

    def run(self):
        shards = self.plan_shards(self.plan)
        self.fetch_inputs()
        self.fetch_earlier_stats()

        def open_shards():
            for shard, target in zip(shards, self.input()):
                with target.open("r") as handle:
                    yield shard.id, handle

        def write_slice(shard_id: str, part: dict) -> None:
            with self.slice(shard_id).open("w") as out:
                json.dump(part, out, sort_keys=True)

        earlier = earlier_stats(self.state, Path(self.output()["stats"].path), self.config)
        scratch = fresh_scratch(self.work_path("index", f"{self.plan}.scratch"))
        clean_bytes = sum(Path(target.path).stat().st_size for target in self.input())
        partitions = index_partitions(clean_bytes, self.config.settings.run.index_partition_bytes)
        with self.output()["stats"].open("w") as stats_out:
            summary = build_batch_index(open_shards, earlier, self.config, scratch, write_slice, stats_out, partitions)
        shutil.rmtree(scratch, ignore_errors=True)
        with self.output()["index"].open("w") as out:
            json.dump(summary, out, sort_keys=True)
        self.state_store.upload([self.output()["stats"].path])
        self.store.upload([self.slice(shard.id).path for shard in shards] + [self.output()["index"].path])


class FinaliseShard(_RunTask):
    """Apply the batch index to one shard: site chrome out, duplicates marked."""

    plan = luigi.Parameter()
    shard_id = luigi.Parameter()

    def requires(self):
        shard = next(s for s in self.plan_shards(self.plan) if s.id == self.shard_id)
        return {"shard": _clean_shard(self, shard), "index": IndexBatch(plan=self.plan, **self.run_params())}

    def output(self):
        base = self.work_path("final", self.plan, self.shard_id)
        record_format = self.config.settings.run.record_format
        records = self.store.target(f"{base}.records{RECORD_SUFFIXES[record_format]}", format=luigi.format.Nop)
        return {"records": records,
                **{name: self.store.target(f"{base}.{name}.json{'l' if name != 'counts' else ''}")
                   for name in ("rejects", "counts")}}

    def run(self):
        self.store.fetch(self.input()["shard"].path)
        index_slice = IndexBatch(plan=self.plan, **self.run_params()).slice(self.shard_id)
        self.store.fetch(index_slice.path, if_missing=True)
        with index_slice.open("r") as handle:
            index = json.load(handle)  # this shard's slice of the batch index
        out = self.output()
        with self.input()["shard"].open("r") as shard, out["records"].open("w") as handle, \
                record_writer(handle, self.config.settings.run.record_format) as write_record, \
                out["rejects"].open("w") as rejects:
            counts = finalise_shard(shard, index, self.config, write_record, rejects)
        with out["counts"].open("w") as handle:
            json.dump(dict(sorted(counts.items())), handle)
        self.upload_outputs()


class CleanRun(_RunTask):
    """A whole run: publish the shards' records, gather rejects, write the manifest and _SUCCESS."""

    inputs = luigi.ListParameter(description="files or folders to clean (folders are walked)")
    shard_size = luigi.IntParameter(default=0, description="inputs per shard (0: the configuration's run.shard_size)")

    @cached_property
    def files(self) -> list[InputFile]:
        return discover_inputs(list(self.inputs), exclude=self.own_folders())

    def own_folders(self) -> dict[Path | str, str]:
        """Folders the run writes, kept out of its inputs (an output inside an input folder is not read back).

        An output in object storage adds its URLs, and its spool folders are its own too.
        """
        folders: dict[Path | str, str] = {self.store.local: "run_output", self.work_path(): "run_output",
                                          self.state_store.local: "run_state"}
        for store, reason in ((self.store, "run_output"), (self.state_store, "run_state")):
            if store.remote:
                folders[store.location] = reason
        return folders

    @cached_property
    def shards(self) -> list[Shard]:
        size = self.shard_size or self.config.settings.run.shard_size
        range_bytes, limits = self.config.settings.run.range_bytes, Limits.from_config(self.config)
        return plan_shards(self.files, size, lambda f: file_ranges(f, range_bytes, limits))

    @cached_property
    def plan(self) -> str:
        return plan_digest(self.shards, self.config, self.ref_date)

    def requires(self):
        problem = unsafe_output(self.output_dir, self.state_dir)
        if problem:
            raise UnsafeOutputError(problem)
        # scheduling a run persists its plan, which the tasks below read by digest
        plan_path = self.work_path("plans", f"{self.plan}.json")
        write_plan(plan_path, self.plan, self.shards)
        if self.store.remote and not self.store.exists(plan_path):
            self.store.upload([plan_path])
        return [FinaliseShard(plan=self.plan, shard_id=s.id, **self.run_params()) for s in self.shards]

    def output(self):
        return {name: self.store.target(Path(self.store.local, name))
                for name in ("rejects.jsonl", "manifest.json", "_SUCCESS")}

    def complete(self):
        # Done only when the manifest speaks of this very plan: new or changed inputs,
        # or another configuration, make an earlier run's _SUCCESS stale.
        return published_plan(self.store) == self.plan

    def facts(self) -> RunFacts:
        return RunFacts(plan=self.plan, paths=list(self.inputs), files=len(self.files), shards=len(self.shards),
                        config=self.config, config_path=self.config_path, reference_date=self.reference_date,
                        own_folders=self.own_folders())

    def run(self):
        started = time.time()
        finals = [FinalShard(shard.id, targets["records"].path, targets["rejects"].path, targets["counts"].path)
                  for shard, targets in zip(self.shards, self.input())]
        for final in finals:
            for path in (final.records, final.rejects, final.counts):
                self.store.fetch(path, if_missing=True)
        finish_run(str(self.store.local), self.facts(), finals, started)
        if self.store.remote:
            manifest = json.loads(Path(self.store.local, "manifest.json").read_text(encoding="utf-8"))
            publish_stored(self.store, self.plan, {shard.id for shard in self.shards},
                           [*manifest["record_files"], "rejects.jsonl", "manifest.json", REPORT_NAME, "_SUCCESS"])


@dataclass(frozen=True)
class DailyPlan:
    """The days of [start, stop) with an input folder, and those without one (skipped, reported)."""

    start: date
    last: date
    present: tuple[date, ...]
    missing: tuple[date, ...]


def daily_plan(input_root: Path, start: date, stop: date) -> DailyPlan:
    """Which days of [start, stop) have an INPUT_ROOT/YYYY-MM-DD folder; no cap on the number of days."""
    days = [start + timedelta(days=n) for n in range((stop - start).days)]
    found = {day for day in days if Path(input_root, day.isoformat()).is_dir()}
    return DailyPlan(start=start, last=days[-1], present=tuple(d for d in days if d in found),
                     missing=tuple(d for d in days if d not in found))


class DailyClean(luigi.Task):
    """One day's partition: INPUT_ROOT/YYYY-MM-DD cleaned into OUTPUT_ROOT/YYYY-MM-DD.

    ``newsclean daily`` builds one per day that has an input folder (``daily_plan``),
    however many days. A day already done is skipped, a day whose folder gained files is
    redone, and per-site statistics are shared by all days through OUTPUT_ROOT/_state.
    Relative dates resolve against the partition's own day. A day without an input folder
    has nothing to do: complete, and no partition is made for it (RangeDaily, given this
    task, passes over it too).
    """

    date = luigi.DateParameter()
    input_root = luigi.Parameter()
    output_root = luigi.Parameter()
    config_path = luigi.OptionalParameter(default=None)

    @property
    def day_inputs(self) -> Path:
        return Path(self.input_root, self.date.isoformat())

    def run_task(self) -> CleanRun:
        """The day's run."""
        day = self.date.isoformat()
        return CleanRun(inputs=[str(self.day_inputs)], output_dir=str(Path(self.output_root, day)),
                        config_path=self.config_path, reference_date=day,
                        state_dir=str(Path(self.output_root, STATE_DIR)))

    def requires(self):
        return self.run_task() if self.day_inputs.is_dir() else []

    def output(self):
        return luigi.LocalTarget(Path(self.output_root, self.date.isoformat(), "_SUCCESS"))

    def complete(self):
        return not self.day_inputs.is_dir() or self.run_task().complete()

    @classmethod
    def bulk_complete(cls, parameter_tuples):
        """The days already done for their current inputs.

        RangeDaily asks this; without it, it would take a day whose output folder
        exists for done, and never redo a day whose input folder gained files.
        """
        return [day for day in parameter_tuples if cls(date=day).complete()]
