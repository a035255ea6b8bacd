"""Clean-up after a run: work of earlier plans and files left by killed writers, never outside the output."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from pipeline.batch.folder import WORK_DIR, entries, is_real_folder, remove

# Left behind by a process killed while writing (LocalTarget's and our own staging names).
_TMP_PATTERNS = ("*-luigi-tmp-*", "*.tmp")


def stale_key(name: str, plan: str, shard_ids: set[str]) -> bool:
    """Whether the stored work object ``name`` (``_work/...``, relative to the output) is stale for ``plan``.

    The rules of ``drop_stale_work`` for an output in object storage: work of earlier plans
    and clean shards no plan uses any more (the temporary keys of uploads are dropped by age).
    """
    parts = name.split("/")
    if len(parts) < 3 or parts[0] != WORK_DIR:
        return False
    folder, entry = parts[1], parts[2]
    if folder == "final":
        return entry != plan
    if folder in ("index", "plans"):
        return entry.split(".")[0] != plan
    if folder == "clean":
        return len(parts) == 3 and entry.endswith(".jsonl") and entry.split(".")[0] not in shard_ids
    return False


def drop_stale_work(output_dir: str, plan: str, shard_ids: set[str]) -> None:
    """Forget work of earlier plans, clean shards no plan uses any more, and files left by killed writers.

    Only entries inside the work folder go: a link found there is removed itself, never
    followed, and a work folder that is a link is left alone.
    """
    work = Path(output_dir, WORK_DIR)
    if not is_real_folder(work):
        return
    for path in entries(work / "final"):
        if path.name != plan:
            remove(path)
    for folder, keep in (("index", {plan}), ("plans", {plan}), ("clean", shard_ids)):
        for path in entries(work / folder):
            if path.name.endswith((".json", ".jsonl")) and path.name.split(".")[0] not in keep:
                remove(path)
    for path in entries(work / "index"):  # an earlier plan's index slices and scratch
        if is_real_folder(path) and path.name.split(".")[0] != plan:
            remove(path)
    for folder, _, names in os.walk(work):  # os.walk enters no linked folder
        for name in sorted(names):
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in _TMP_PATTERNS):
                Path(folder, name).unlink(missing_ok=True)
