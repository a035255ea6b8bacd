"""The run manifest: what went in, what came out, with which versions and configuration."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from pipeline import __version__
from pipeline.config import Config, models_digest
from pipeline.inputs.discovery import skipped_inputs


@dataclass(frozen=True)
class RunFacts:
    """What a manifest says of the run itself: its plan, inputs and configuration."""

    plan: str
    paths: Sequence[str]
    files: int
    shards: int
    config: Config
    config_path: str | None
    reference_date: str | None
    own_folders: Mapping[Path | str, str]


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


def _by_prefix(counts: Counter, prefix: str) -> dict:
    return {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith(prefix)}


def build_manifest(run: RunFacts, counts: Counter, record_files: list[str], started: float) -> dict:
    """The manifest of ``run`` from the summed shard ``counts``."""
    records, rejects = counts.get("records", 0), counts.get("rejects", 0)
    skipped_files = Counter(skip.reason for skip in skipped_inputs(list(run.paths),
                                                                   exclude=run.own_folders))
    documents = counts.get("documents", 0)
    return {
        "plan": run.plan,
        "inputs": {"files": run.files, "documents": documents, "paths": list(run.paths)},
        "records": records,
        "rejects": rejects,
        # the documents the readers owe (captures by their headers, lines, files), counted
        # apart from the rows written, against what came out: each one record or one reject
        "accounted": documents == records + rejects,
        "duplicates": counts.get("duplicates", 0),
        "rejects_by_reason": _by_prefix(counts, "reject:"),
        # neither documents nor rejects: files left out of the walk, archive records that are not captures
        "skipped": {"files": dict(sorted(skipped_files.items())), "records": _by_prefix(counts, "skipped:")},
        "removed_by_category": _by_prefix(counts, "removed:"),
        "record_files": record_files,
        "record_format": run.config.settings.run.record_format,
        "shards": run.shards,
        # the run's identity (plan_digest): package version (versions.newsclean), models, configuration
        "config": {"digest": run.config.digest, "path": run.config_path},
        "models": {"digest": models_digest()},
        "reference_date": run.reference_date,
        "versions": _versions(),
        "timings": {"cleaning_seconds": round(counts.get("clean_seconds_x1000", 0) / 1000, 3),
                    "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "manifest_seconds": round(time.time() - started, 3)},
    }
