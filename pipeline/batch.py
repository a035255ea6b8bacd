"""Batch mechanics the Luigi tasks call: shard planning and each stage as a plain function.

Stages: ``plan_shards`` and ``write_plan`` (which inputs go in which shard),
``clean_shard`` (inputs to cleaned documents and rejects), ``build_batch_index`` (per-site
repeated paragraphs and duplicate clusters over the whole batch), ``finalise_shard``
(apply the index to a shard). Each reads and writes open text handles, so tests drive
them without a scheduler.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

from pipeline.cleaner import Cleaner
from pipeline.config import Config, models_digest, package_version
from pipeline.dedup import find_duplicates, minhash_signature, text_hash
from pipeline.document import RawInput, Reject
from pipeline.inputs import InputFile, Limits, read_input
from pipeline.metadata.dates import parse_date, warm_up_htmldate
from pipeline.site_stats import (SiteRepeatedRules, SiteStats, document_fingerprints,
                                 remove_site_repeated, site_key)
from pipeline.writing import dumps, open_exclusive, read_jsonl

RECORD, REJECT, STATS = "record", "reject", "stats"
DUPLICATE = "duplicate"
# Per-document values a clean shard precomputes for the batch index (work files only).
_PRECOMPUTED = ("fingerprints", "text_hash", "minhash")
PLAN_FORMAT = "newsclean.plan.v1"
# Seconds between two progress reports of a shard: each is a scheduler call, over HTTP with luigid.
PROGRESS_EVERY = 1.0


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


def shard_weight(shard: Shard) -> int:
    """Bytes of the shard's inputs: the scheduler starts heavy shards first, so the last
    shards to finish are light ones and no worker idles while one long shard ends the run."""
    total = 0
    for f in shard.members:
        try:
            total += f.size()
        except OSError:
            pass  # a vanished file becomes a reject when the shard is read
    return total


def write_plan(path: Path, plan: str, shards: Sequence[Shard]) -> None:
    """Persist a run's shards under its digest, atomically; a plan already written is kept.

    Tasks name their plan by digest and read the members from here, so scheduler
    parameters stay small (one shard's members at most) however many inputs a run has.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": PLAN_FORMAT, "plan": plan,
            "shards": [{"id": s.id, "members": [[f.root.as_posix(), f.source] for f in s.members]}
                       for s in shards]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open_exclusive(tmp) as handle:  # never through a link planted under that name
        handle.write(json.dumps(data, ensure_ascii=False) + "\n")
    os.replace(tmp, path)  # concurrent writers of one plan write the same bytes


def read_plan(path: Path) -> list[Shard]:
    """The shards ``write_plan`` persisted; raise ValueError on anything else."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise ValueError(f"{path} is not a {PLAN_FORMAT} file")
    return [Shard(id=s["id"], members=tuple(InputFile.at(Path(root), source) for root, source in s["members"]))
            for s in data["shards"]]


_warmed = False


def warm_up(cleaner: Cleaner) -> None:
    """Clean one small HTML and one text document so lazily loaded models are in memory.

    Once per process, outside any time budget: no document pays for the lazy loading
    (the first one of a shard would otherwise, and could be cut by its budget). Worker
    processes forked from a warmed caller are warm: the language profiles, stop lists,
    extraction settings and date parser tables (3 to 5 s) are shared by every shard
    instead of being loaded again in each one.
    """
    global _warmed
    if _warmed:
        return
    unbudgeted = replace(cleaner, time_budget=0)
    sentences = [f"Paragraph {n} of a short article about the council and its budget vote." for n in range(3)]
    page = ("<html><head><title>Budget vote</title>"
            '<meta property="article:published_time" content="2025-03-05T10:00:00Z"></head><body>'
            '<header><span class="byline">By Jane Doe</span> <span class="date">Published 2 days ago</span></header>'
            "<article><h1>Budget vote</h1>" + "".join(f"<p>{s}</p>" for s in sentences) + "</article></body></html>")
    text = "Budget vote\n\nBy Jane Doe\nMarch 5, 2025, 10:00 a.m.\n\n" + "\n\n".join(sentences)
    unbudgeted.clean(RawInput(source="warm-up.html", content=page, kind="html"))
    unbudgeted.clean(RawInput(source="warm-up.txt", content=text, kind="text"))
    # a text that is no date in any language makes the date parser load every fallback language
    parse_date("Budget vote 12", config=cleaner.config)
    warm_up_htmldate()
    _warmed = True


def plan_digest(shards: Sequence[Shard], config: Config, reference_date: date | None) -> str:
    """Identity of a whole run: its shards, the code (package version, shipped models), its
    effective configuration and its reference date; a change to any of them redoes the work."""
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(shard.id.encode() + b"\n")
    digest.update(f"{package_version()}\n{models_digest()}\n".encode())
    digest.update(config.digest.encode() + b"\n" + str(reference_date).encode())
    return digest.hexdigest()[:16]


def clean_shard(members: Iterable[InputFile], cleaner: Cleaner, limits: Limits, out: IO[str],
                progress: Callable[[int], None] | None = None) -> Counter:
    """Clean every document of ``members`` into ``out`` as tagged JSON lines; return counts.

    Each record line also carries what the batch index needs of it (paragraph
    fingerprints, text hash, MinHash signature), computed here, where shards run in
    parallel, rather than in the one task that sees the whole batch.
    """
    warm_up(cleaner)
    dedup_rules = cleaner.config.rules.dedup
    counts: Counter = Counter()
    started = time.perf_counter()
    reported = 0.0
    members = list(members)
    skipped: Counter = Counter()
    for n, f in enumerate(members, 1):
        for item in read_input(f, limits, on_skip=lambda skip: skipped.update([skip.reason])):
            counts["documents"] += 1
            result = item if isinstance(item, Reject) else cleaner.clean(item)
            if isinstance(result, Reject):
                out.write(dumps({"kind": REJECT, **result.as_dict()}) + "\n")
                counts[REJECT] += 1
            else:
                text = result.text
                # what rules removed counts too: a footer a rule caught on two pages of a
                # site and missed on the third is still seen three times
                seen = result.paragraphs + [r.text for r in result.removed]
                out.write(dumps({"kind": RECORD, **result.as_record(), "paragraphs": result.paragraphs,
                                 "fingerprints": document_fingerprints(seen),
                                 "text_hash": text_hash(text), "minhash": minhash_signature(text, dedup_rules)}) + "\n")
                counts[RECORD] += 1
        if progress and (n == len(members) or time.perf_counter() - reported >= PROGRESS_EVERY):
            reported = time.perf_counter()
            progress(n)
    out.write(dumps({"kind": STATS, "documents": counts["documents"], "skipped": dict(sorted(skipped.items())),
                     "seconds": round(time.perf_counter() - started, 3)}) + "\n")
    return counts


def _records(handles: Iterable[IO[str]]) -> Iterator[dict]:
    for handle in handles:
        for row in read_jsonl(handle):
            if row["kind"] == RECORD:
                yield row


def _site_of(row: dict) -> str:
    return site_key(url=row.get("url"), site_name=row.get("site_name"), source=row["source"])


def count_site_paragraphs(shard_handles: Iterable[IO[str]], rules: SiteRepeatedRules) -> SiteStats:
    """Per-site document counts of each paragraph (and line) fingerprint over a batch.

    Bounded as ``rules`` say, and keyed by record id so a document counted by an earlier
    run of the same input is not counted twice.
    """
    stats = SiteStats.for_rules(rules)
    for row in _records(shard_handles):
        fingerprints = row["fingerprints"] if "fingerprints" in row else document_fingerprints(
            row["paragraphs"] + [r["text"] for r in row.get("removed", ())])
        stats.add_document(_site_of(row), fingerprints, document_id=row["id"])
    return stats


def build_batch_index(open_shards: Callable[[], Iterable[IO[str]]], earlier: SiteStats,
                      config: Config) -> tuple[dict, SiteStats]:
    """Repeated paragraphs per site and duplicate clusters over the batch.

    ``open_shards`` yields the clean shards' handles in plan order, and is called twice:
    once to count paragraphs, once to hash the texts that remain after site chrome is
    gone. Returns the index and this batch's own statistics (to persist for later runs).
    """
    site_rules = config.rules.site_repeated
    dedup_rules = config.rules.dedup
    batch = count_site_paragraphs(open_shards(), site_rules)
    combined = SiteStats.from_json(earlier.to_json(), site_rules.max_fingerprints_per_site)
    combined.merge(batch)
    repeated: dict[str, frozenset[str]] = {}

    seen: set[str] = set()

    def items() -> Iterator[tuple[str, str, str]]:
        # a generator: one document's text at a time, only its hashes kept by find_duplicates
        for row in _records(open_shards()):
            if row["id"] in seen:
                # the same file under the same name in two input folders: one id, indexed once
                continue
            seen.add(row["id"])
            site = _site_of(row)
            if site not in repeated:
                repeated[site] = combined.repeated(site, site_rules)
            kept, removed = remove_site_repeated(row["paragraphs"], repeated[site], site_rules)
            if not removed and "minhash" in row:
                yield row["id"], row["text_hash"], row["minhash"]  # the text the shard hashed
                continue
            text = "\n\n".join(kept)
            yield row["id"], text_hash(text), minhash_signature(text, dedup_rules)

    duplicates = find_duplicates(items(), dedup_rules)
    index = {"repeated": {site: sorted(fps) for site, fps in sorted(repeated.items()) if fps},
             "duplicates": dict(sorted(duplicates.items()))}
    return index, batch


def finalise_shard(shard: IO[str], index: dict, config: Config, records: IO[str],
                   rejects: IO[str]) -> Counter:
    """Apply the batch index to one clean shard: drop site chrome, mark or drop duplicates."""
    site_rules = config.rules.site_repeated
    drop_duplicates = config.rules.dedup.drop_duplicates
    counts: Counter = Counter()
    repeated_of: dict[str, frozenset[str]] = {}
    for row in read_jsonl(shard):
        kind = row.pop("kind")
        if kind == STATS:
            counts["documents"] += row["documents"]
            counts["clean_seconds_x1000"] += int(row["seconds"] * 1000)
            counts.update({"skipped:" + reason: n for reason, n in row.get("skipped", {}).items()})
            continue
        if kind == REJECT:
            rejects.write(dumps(row) + "\n")
            counts["rejects"] += 1
            counts["reject:" + row["reason"]] += 1
            continue
        paragraphs = row.pop("paragraphs")
        for key in _PRECOMPUTED:
            row.pop(key, None)
        site = _site_of(row)
        if site not in repeated_of:
            repeated_of[site] = frozenset(index["repeated"].get(site, ()))
        repeated = repeated_of[site]
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
