"""The batch index: paragraphs each site repeats, and duplicate clusters, over all clean shards.

It is written as one slice per shard (the repeated paragraphs of the sites that shard's
records belong to, and the duplicates among its records), so each FinaliseShard reads
its own slice and not the whole index. Memory stays bounded however large the batch:
sites are counted a partition at a time (sites spread over partitions by a hash of their
name, each partition's fingerprints spilled to a scratch file first), and the records
of the batch live in SQLite on disk for duplicate finding (``DuplicateIndex``), which finds
the clusters once every record is in.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

import msgspec

from pipeline.batch.records import Record, RecordRow, read_shard
from pipeline.config import Config
from pipeline.dedup.minhash import DuplicateIndex, minhash_signature, text_hash
from pipeline.dedup.site_repeated import (STATS_FORMAT, SiteRepeatedRules, SiteStats, document_fingerprints,
                                          remove_site_repeated, site_key)

# what ``open_shards`` yields: each clean shard's id and its handle, in plan order
OpenShards = Callable[[], Iterable[tuple[str, IO[str]]]]
_SPILL = msgspec.json.Encoder()
_UNSPILL = msgspec.json.Decoder(tuple[str, str, list[str]])
_SHARD_SITES = msgspec.json.Decoder(tuple[str, list[str]])


def _records(handle: IO[str]) -> Iterator[RecordRow]:
    for row in read_shard(handle):
        if isinstance(row, RecordRow):
            yield row


def site_of(row: Record) -> str:
    """The site a record is counted under."""
    return site_key(url=row.url, site_name=row.site_name, source=row.source)


def _fingerprints(row: RecordRow) -> list[str]:
    if row.fingerprints is not None:
        return row.fingerprints
    return document_fingerprints(row.paragraphs + [r.text for r in row.removed])


def count_site_paragraphs(shard_handles: Iterable[IO[str]], rules: SiteRepeatedRules) -> SiteStats:
    """Per-site document counts of each paragraph (and line) fingerprint over some shards, in memory.

    Bounded as ``rules`` say, and keyed by record id so a document counted by an earlier
    run of the same input is not counted twice.
    """
    stats = SiteStats.for_rules(rules)
    for handle in shard_handles:
        for row in _records(handle):
            stats.add_document(site_of(row), _fingerprints(row), document_id=row.id)
    return stats


def earlier_stats(state: Path, own: Path, config: Config) -> SiteStats:
    """Statistics persisted in ``state`` by earlier runs (other plans than ``own``), merged in name order."""
    bound = config.rules.site_repeated.max_fingerprints_per_site
    stats = SiteStats(max_fingerprints_per_site=bound)
    for path in sorted(state.glob("site-stats-*.json")):
        if str(path) != str(own):
            stats.merge(SiteStats.from_json(json.loads(path.read_text(encoding="utf-8")), bound))
    return stats


def partition_of(site: str, partitions: int) -> int:
    """The partition a site is counted in (a stable hash of its name)."""
    digest = hashlib.blake2b(site.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions


def _spill_fingerprints(open_shards: OpenShards, scratch: Path, partitions: int) -> list[Path]:
    """Each record's site, id and fingerprints, in plan order, into the scratch file of its site's partition."""
    paths = [scratch / f"sites-{n}.jsonl" for n in range(partitions)]
    outs = [open(path, "wb") for path in paths]
    try:
        for _, handle in open_shards():
            for row in _records(handle):
                site = site_of(row)
                if site:  # a record without a site is counted nowhere
                    outs[partition_of(site, partitions)].write(_SPILL.encode((site, row.id, _fingerprints(row))) + b"\n")
    finally:
        for out in outs:
            out.close()
    return paths


def count_repeated(open_shards: OpenShards, earlier: SiteStats, rules: SiteRepeatedRules, scratch: Path,
                   partitions: int, stats_out: IO[str]) -> dict[str, frozenset[str]]:
    """The fingerprints each site of the batch repeats (earlier runs counted in), one partition of sites at a time.

    The batch's own statistics go to ``stats_out`` as ``SiteStats.to_json`` data, a
    partition at a time. A site's documents are counted in plan order, as if the whole
    batch were counted at once: a partition holds every document of its sites.
    """
    repeated: dict[str, frozenset[str]] = {}
    stats_out.write(json.dumps({"format": STATS_FORMAT})[:-1] + ', "sites": {')
    first = True
    for path in _spill_fingerprints(open_shards, scratch, partitions):
        batch = SiteStats.for_rules(rules)
        with open(path, "rb") as spilled:
            for line in spilled:
                site, record_id, fingerprints = _UNSPILL.decode(line)
                batch.add_document(site, fingerprints, document_id=record_id)
        path.unlink()
        for site, data in batch.to_json()["sites"].items():
            stats_out.write(("" if first else ", ") + json.dumps(site) + ": " + json.dumps(data, sort_keys=True))
            first = False
        combined = earlier.subset(batch.sites())
        combined.merge(batch)
        for site in batch.sites():
            fingerprints = combined.repeated(site, rules)
            if fingerprints:
                repeated[site] = fingerprints
    stats_out.write("}}\n")
    return repeated


def build_batch_index(open_shards: OpenShards, earlier: SiteStats, config: Config, scratch: Path,
                      write_slice: Callable[[str, dict], None], stats_out: IO[str], partitions: int = 1) -> dict:
    """Repeated paragraphs per site and duplicate clusters over the batch, written a slice per shard.

    ``open_shards`` is called twice: once to count paragraphs, once to hash the texts
    that remain after site chrome is gone. ``write_slice(shard_id, slice)`` receives each
    shard's ``{"repeated": {site: fingerprints}, "duplicates": {id: original}}`` in plan
    order; ``stats_out`` the batch's own statistics (to persist for later runs).
    ``scratch`` is an empty folder for the spilled fingerprints and the duplicate index.
    Returns what was found: records, duplicates, partitions.
    """
    site_rules = config.rules.site_repeated
    dedup_rules = config.rules.dedup
    repeated = count_repeated(open_shards, earlier, site_rules, scratch, partitions, stats_out)
    shard_sites = scratch / "shard_sites.jsonl"  # each shard's id and sites, in plan order, until the slices are written
    with DuplicateIndex(dedup_rules, str(scratch / "duplicates.sqlite")) as index:
        with open(shard_sites, "wb") as sites_out:
            for number, (shard_id, handle) in enumerate(open_shards()):
                sites: set[str] = set()
                for row in _records(handle):
                    site = site_of(row)
                    sites.add(site)
                    index.add(row.id, *_hashes(row, repeated.get(site, frozenset()), site_rules, dedup_rules),
                              shard=number)
                sites_out.write(_SPILL.encode((shard_id, sorted(sites))) + b"\n")
        found = index.resolve()
        duplicates = index.duplicates()
        pending = next(duplicates, None)
        with open(shard_sites, "rb") as sites_in:
            for number, line in enumerate(sites_in):
                shard_id, sites = _SHARD_SITES.decode(line)
                mine: dict[str, str] = {}
                while pending is not None and pending[0] == number:
                    mine[pending[1]] = pending[2]
                    pending = next(duplicates, None)
                write_slice(shard_id, {"repeated": {site: sorted(repeated[site]) for site in sites if site in repeated},
                                       "duplicates": dict(sorted(mine.items()))})
    shard_sites.unlink()
    return {"records": found["records"], "duplicates": found["duplicates"], "partitions": partitions}


def _hashes(row: RecordRow, repeated: frozenset[str], site_rules, dedup_rules) -> tuple[str, str]:
    """Text hash and MinHash of the record's text once site chrome is gone (the shard's own when none goes)."""
    kept, removed = remove_site_repeated(row.paragraphs, repeated, site_rules)
    if not removed and row.minhash is not None:
        return row.text_hash, row.minhash  # the text the shard hashed
    text = "\n\n".join(kept)
    return text_hash(text), minhash_signature(text, dedup_rules)


# scratch files open at once while spilling; beyond it partitions grow instead
MAX_PARTITIONS = 512


def index_partitions(clean_bytes: int, partition_bytes: int) -> int:
    """Partitions of sites for clean shards of ``clean_bytes`` in all: one per ``partition_bytes`` of them."""
    return min(MAX_PARTITIONS, max(1, -(-clean_bytes // partition_bytes)))


def fresh_scratch(path: Path) -> Path:
    """An empty scratch folder at ``path`` (what a killed IndexBatch left there goes)."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
