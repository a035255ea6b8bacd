"""Batch mechanics the Luigi tasks call: shard planning and each stage as a plain function.

Stages: ``clean_shard`` (inputs to cleaned documents and rejects), ``build_batch_index``
(per-site repeated paragraphs and duplicate clusters over the whole batch),
``finalise_shard`` (apply the index to a shard), ``summarise_run`` (the manifest).
Each reads and writes open text handles, so tests drive them without a scheduler.
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

from pipeline.clean import Cleaner
from pipeline.config import Config
from pipeline.dedup import DedupRules, find_duplicates, minhash_signature, text_hash
from pipeline.document import Document, Reject, Removal
from pipeline.inputs import InputFile, Limits, read_input
from pipeline.site_stats import (SiteRepeatedRules, SiteStats, paragraph_fingerprints,
                                 remove_site_repeated, site_key)
from pipeline.writing import dumps, read_jsonl

RECORD, REJECT, STATS = "record", "reject", "stats"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Shard:
    """A group of input files cleaned by one task; ``id`` changes only when its members do."""

    id: str
    members: tuple[InputFile, ...]


def _member_key(f: InputFile) -> str:
    return f"{f.root.as_posix()}\0{f.source}\0{f.size()}"


def plan_shards(files: Sequence[InputFile], shard_size: int) -> list[Shard]:
    """Group ``files`` (already sorted) into shards of about ``shard_size`` members.

    A shard closes after a member whose hash falls on a boundary (content-defined
    chunking), or at twice the size: adding or removing a file changes only the shard it
    falls in, so a rerun with new inputs redoes that shard alone.
    """
    shards: list[Shard] = []
    current: list[InputFile] = []

    def close() -> None:
        digest = hashlib.sha256("\n".join(_member_key(f) for f in current).encode("utf-8"))
        shards.append(Shard(id=digest.hexdigest()[:16], members=tuple(current)))
        current.clear()

    for f in files:
        current.append(f)
        boundary = int(hashlib.sha256(f.source.encode("utf-8")).hexdigest()[:8], 16) % max(shard_size, 1) == 0
        if boundary or len(current) >= 2 * shard_size:
            close()
    if current:
        close()
    return shards


def plan_digest(shards: Sequence[Shard], config: Config, reference_date: date | None) -> str:
    """Identity of a whole run: its shards, its configuration and its reference date."""
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(shard.id.encode() + b"\n")
    digest.update(config.digest.encode() + b"\n" + str(reference_date).encode())
    return digest.hexdigest()[:16]


def clean_shard(members: Iterable[InputFile], cleaner: Cleaner, limits: Limits, out: IO[str],
                progress: Callable[[int], None] | None = None) -> Counter:
    """Clean every document of ``members`` into ``out`` as tagged JSON lines; return counts."""
    counts: Counter = Counter()
    started = time.perf_counter()
    for n, f in enumerate(members, 1):
        for item in read_input(f, limits):
            counts["documents"] += 1
            result = item if isinstance(item, Reject) else cleaner.clean(item)
            if isinstance(result, Reject):
                out.write(dumps({"kind": REJECT, **result.as_dict()}) + "\n")
                counts[REJECT] += 1
            else:
                out.write(dumps({"kind": RECORD, **result.as_record(), "paragraphs": result.paragraphs}) + "\n")
                counts[RECORD] += 1
        if progress:
            progress(n)
    out.write(dumps({"kind": STATS, "documents": counts["documents"],
                     "seconds": round(time.perf_counter() - started, 3)}) + "\n")
    return counts


def _records(handles: Iterable[IO[str]]) -> Iterator[dict]:
    for handle in handles:
        for row in read_jsonl(handle):
            if row["kind"] == RECORD:
                yield row


def _site_of(row: dict) -> str:
    return site_key(url=row.get("url"), site_name=row.get("site_name"), source=row["source"])


def count_site_paragraphs(shard_handles: Iterable[IO[str]]) -> SiteStats:
    """Per-site document counts of each paragraph fingerprint over a batch."""
    stats = SiteStats()
    for row in _records(shard_handles):
        stats.add_document(_site_of(row), paragraph_fingerprints(row["paragraphs"]))
    return stats


def build_batch_index(open_shards: Callable[[], Iterable[IO[str]]], earlier: SiteStats,
                      config: Config) -> tuple[dict, SiteStats]:
    """Repeated paragraphs per site and duplicate clusters over the batch.

    ``open_shards`` yields the clean shards' handles in plan order, and is called twice:
    once to count paragraphs, once to hash the texts that remain after site chrome is
    gone. Returns the index and this batch's own statistics (to persist for later runs).
    """
    site_rules = SiteRepeatedRules.from_config(config)
    dedup_rules = DedupRules.from_config(config)
    batch = count_site_paragraphs(open_shards())
    combined = SiteStats.from_json(earlier.to_json())
    combined.merge(batch)
    repeated: dict[str, list[str]] = {}
    items = []
    for row in _records(open_shards()):
        site = _site_of(row)
        if site not in repeated:
            repeated[site] = sorted(combined.repeated(site, site_rules))
        kept, _ = remove_site_repeated(row["paragraphs"], frozenset(repeated[site]), site_rules)
        text = "\n\n".join(kept)
        items.append((row["id"], text_hash(text), minhash_signature(text, dedup_rules)))
    duplicates = find_duplicates(items, dedup_rules)
    index = {"repeated": {site: fps for site, fps in sorted(repeated.items()) if fps},
             "duplicates": dict(sorted(duplicates.items()))}
    return index, batch


def finalise_shard(shard: IO[str], index: dict, config: Config, records: IO[str],
                   rejects: IO[str]) -> Counter:
    """Apply the batch index to one clean shard: drop site chrome, mark or drop duplicates."""
    site_rules = SiteRepeatedRules.from_config(config)
    drop_duplicates = DedupRules.from_config(config).drop_duplicates
    counts: Counter = Counter()
    for row in read_jsonl(shard):
        kind = row.pop("kind")
        if kind == STATS:
            counts["documents"] += row["documents"]
            counts["clean_seconds_x1000"] += int(row["seconds"] * 1000)
            continue
        if kind == REJECT:
            rejects.write(dumps(row) + "\n")
            counts["rejects"] += 1
            counts["reject:" + row["reason"]] += 1
            continue
        paragraphs = row.pop("paragraphs")
        repeated = frozenset(index["repeated"].get(_site_of(row), ()))
        if repeated:
            paragraphs, removed = remove_site_repeated(paragraphs, repeated, site_rules)
            row["text"] = "\n\n".join(paragraphs)
            row["removed"] = row["removed"] + [r.as_dict() for r in removed]
        original = index["duplicates"].get(row["id"])
        row["duplicate_of"] = original
        if original and drop_duplicates:
            reject = Reject(row["source"], DUPLICATE, f"duplicate of record {original}")
            rejects.write(dumps(reject.as_dict()) + "\n")
            counts["rejects"] += 1
            counts["reject:" + DUPLICATE] += 1
            continue
        if not row["text"].strip():
            reject = Reject(row["source"], "no_article_text", "nothing was left once site chrome was removed")
            rejects.write(dumps(reject.as_dict()) + "\n")
            counts["rejects"] += 1
            counts["reject:no_article_text"] += 1
            continue
        records.write(dumps(row) + "\n")
        counts["records"] += 1
        counts["duplicates"] += original is not None
        for removal in row["removed"]:
            counts["removed:" + removal["category"]] += 1
    return counts
