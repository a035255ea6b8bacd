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
import sys
import time
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

import luigi
import luigi.format

from pipeline.batch.clean import clean_shard
from pipeline.batch.finalise import finalise_shard
from pipeline.batch.folder import STATE_DIR, WORK_DIR, RunError, UnsafeOutputError, unsafe_output
from pipeline.batch.index import build_batch_index, earlier_stats
from pipeline.batch.manifest import RunFacts
from pipeline.batch.plan import Shard, member_pairs, members_of, plan_digest, plan_shards, read_plan, shard_weight, write_plan
from pipeline.batch.publish import FinalShard, finish_run, published_plan
from pipeline.batch.writing import RECORD_SUFFIXES, record_writer
from pipeline.cleaner import Cleaner
from pipeline.config import Config, ConfigError, load_config
from pipeline.inputs.discovery import InputFile, discover_inputs
from pipeline.inputs.limits import Limits


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


class CleanShard(_RunTask):
    """Extract and clean every document of one shard into a tagged JSONL work file."""

    shard_id = luigi.Parameter()
    members = luigi.ListParameter(significant=False, description="[root, source] pairs of the shard's inputs")

    @property
    def priority(self) -> int:
        # heavy shards first (kB of input), so that light ones fill the gaps at the end
        return shard_weight(Shard(self.shard_id, members_of(self.members))) // 1024

    def output(self):
        return luigi.LocalTarget(self.work_path("clean", f"{self.shard_id}.jsonl"))

    def run(self):
        members = members_of(self.members)
        cleaner = Cleaner.from_config(self.config, self.ref_date)

        def progress(done: int) -> None:
            self.set_progress_percentage(round(100 * done / max(len(members), 1)))
            self.set_status_message(f"{done}/{len(members)} inputs")

        with self.output().open("w") as out:
            clean_shard(members, cleaner, Limits.from_config(self.config), out, progress)


def _clean_shard(task: _RunTask, shard: Shard) -> CleanShard:
    return CleanShard(shard_id=shard.id, members=member_pairs(shard.members), **task.run_params())


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

    def run(self):
        def open_shards():
            for target in self.input():
                with target.open("r") as handle:
                    yield handle

        earlier = earlier_stats(self.state, Path(self.output()["stats"].path), self.config)
        index, batch = build_batch_index(open_shards, earlier, self.config)
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
        record_format = self.config.settings.run.record_format
        records = luigi.LocalTarget(f"{base}.records{RECORD_SUFFIXES[record_format]}", format=luigi.format.Nop)
        return {"records": records,
                **{name: luigi.LocalTarget(f"{base}.{name}.json{'l' if name != 'counts' else ''}")
                   for name in ("rejects", "counts")}}

    def run(self):
        with self.input()["index"]["index"].open("r") as handle:
            index = json.load(handle)
        out = self.output()
        with self.input()["shard"].open("r") as shard, out["records"].open("w") as handle, \
                record_writer(handle, self.config.settings.run.record_format) as write_record, \
                out["rejects"].open("w") as rejects:
            counts = finalise_shard(shard, index, self.config, write_record, rejects)
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
        return published_plan(self.output_dir) == self.plan

    def facts(self) -> RunFacts:
        return RunFacts(plan=self.plan, paths=list(self.inputs), files=len(self.files), shards=len(self.shards),
                        config=self.config, config_path=self.config_path, reference_date=self.reference_date,
                        own_folders=self.own_folders())

    def run(self):
        started = time.time()
        finals = [FinalShard(shard.id, targets["records"].path, targets["rejects"].path, targets["counts"].path)
                  for shard, targets in zip(self.shards, self.input())]
        finish_run(self.output_dir, self.facts(), finals, started)


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
