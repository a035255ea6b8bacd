"""Publishing a finished run: the whole new output staged before anything of the old one goes."""
from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Sequence

from pipeline.batch.folder import WORK_DIR, RunError
from pipeline.batch.manifest import RunFacts, build_manifest
from pipeline.batch.stale import drop_stale_work, stale_key
from pipeline.batch.store import Store
from pipeline.batch.writing import RECORD_FILE, RECORD_SUFFIXES, open_exclusive
from pipeline.inputs.limits import Limits
from pipeline.report import REPORT_NAME, write_report


class PublishError(RunError):
    """The new output could not be staged; the previous output is untouched."""


def _staging_path(output_dir: str, name: str) -> Path:
    folder = Path(output_dir, WORK_DIR, "publish")
    if folder.is_symlink():
        folder.unlink()  # a link planted here would take the staging files elsewhere; its target is left alone
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.{os.getpid()}.tmp"


def _stage(output_dir: str, name: str, write: Callable[[IO], None], binary: bool = False) -> Path:
    """NAME's new content written to a staging file of its own under _work/publish; its path."""
    staging = _staging_path(output_dir, name)
    try:
        with open_exclusive(staging, binary) as handle:
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
        return _stage(output_dir, name, lambda out: _concatenate([source], out), binary=True)
    return staging


def _concatenate(paths: list[str], out: IO) -> None:
    binary = "b" in getattr(out, "mode", "")
    for path in paths:
        with open(path, "rb") if binary else open(path, encoding="utf-8") as part:
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
    for stale in sorted(Path(output_dir).glob("records-*")):
        if RECORD_FILE.fullmatch(stale.name) and stale.name not in records:
            stale.unlink()
    os.replace(success, Path(output_dir, "_SUCCESS"))


@dataclass(frozen=True)
class FinalShard:
    """The finalised work files of one shard."""

    shard_id: str
    records: str
    rejects: str
    counts: str


def finish_run(output_dir: str, run: RunFacts, finals: Sequence[FinalShard], started: float) -> None:
    """Gather the finalised shards into the manifest, forget stale work, and publish the run."""
    counts: Counter = Counter()
    for final in finals:
        with open(final.counts, encoding="utf-8") as handle:
            counts.update(json.load(handle))
    suffix = RECORD_SUFFIXES[run.config.settings.run.record_format]
    records = {f"records-{final.shard_id}{suffix}": final.records for final in finals}
    manifest = build_manifest(run, counts, list(records), started)
    drop_stale_work(output_dir, run.plan, {final.shard_id for final in finals})
    rejects = [final.rejects for final in finals]
    limits = Limits.from_config(run.config)
    publish_run(output_dir, run.plan, records, rejects, manifest,
                report=lambda out: write_report(out, manifest, records.values(), rejects, limits))


def published_plan(output_dir: str | Store) -> str | None:
    """The plan the output holds whole (``_SUCCESS`` and a readable manifest), or None."""
    store = output_dir if isinstance(output_dir, Store) else Store(output_dir)
    if not all(store.exists(store.local / name) for name in ("rejects.jsonl", "_SUCCESS")):
        return None
    try:
        manifest = json.loads(store.read_text("manifest.json") or "null")
    except ValueError:
        return None
    return manifest.get("plan") if isinstance(manifest, dict) else None


def publish_stored(store: Store, plan: str, shard_ids: set[str], names: Sequence[str]) -> None:
    """The run just published in the spool put in storage as ``publish_run`` puts it in a folder.

    Every file of ``names`` (``_SUCCESS`` among them) is uploaded to a temporary key of its
    own before anything stored changes; then ``_SUCCESS`` goes, each file is moved to its
    name, records files of other plans and the work of earlier plans go, and ``_SUCCESS``
    comes back last. A run killed in between publishes again when started again.
    """
    staged = {name: store.stage(store.local / name) for name in names}
    success = staged.pop("_SUCCESS")
    store.remove("_SUCCESS")
    for name, tmp in staged.items():
        store.fs.mv(tmp, store.key(name))
    for name in store.keys(""):
        if "/" not in name and RECORD_FILE.fullmatch(name) and name not in staged:
            store.remove(name)
    for name in store.keys(WORK_DIR):
        if stale_key(name, plan, shard_ids):
            store.remove(name)
    store.drop_stale_uploads()
    store.fs.mv(success, store.key("_SUCCESS"))
