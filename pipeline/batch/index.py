"""The batch index: paragraphs each site repeats, and duplicate clusters, over all clean shards."""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from pipeline.batch.records import Record, RecordRow, read_shard
from pipeline.config import Config
from pipeline.dedup.minhash import find_duplicates, minhash_signature, text_hash
from pipeline.dedup.site_repeated import SiteRepeatedRules, SiteStats, document_fingerprints, remove_site_repeated, site_key


def _records(handles: Iterable[IO[str]]) -> Iterator[RecordRow]:
    for handle in handles:
        for row in read_shard(handle):
            if isinstance(row, RecordRow):
                yield row


def site_of(row: Record) -> str:
    """The site a record is counted under."""
    return site_key(url=row.url, site_name=row.site_name, source=row.source)


def count_site_paragraphs(shard_handles: Iterable[IO[str]], rules: SiteRepeatedRules) -> SiteStats:
    """Per-site document counts of each paragraph (and line) fingerprint over a batch.

    Bounded as ``rules`` say, and keyed by record id so a document counted by an earlier
    run of the same input is not counted twice.
    """
    stats = SiteStats.for_rules(rules)
    for row in _records(shard_handles):
        fingerprints = row.fingerprints if row.fingerprints is not None else document_fingerprints(
            row.paragraphs + [r.text for r in row.removed])
        stats.add_document(site_of(row), fingerprints, document_id=row.id)
    return stats


def earlier_stats(state: Path, own: Path, config: Config) -> SiteStats:
    """Statistics persisted in ``state`` by earlier runs (other plans than ``own``), merged in name order."""
    bound = config.rules.site_repeated.max_fingerprints_per_site
    stats = SiteStats(max_fingerprints_per_site=bound)
    for path in sorted(state.glob("site-stats-*.json")):
        if str(path) != str(own):
            stats.merge(SiteStats.from_json(json.loads(path.read_text(encoding="utf-8")), bound))
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
            if row.id in seen:
                # the same file under the same name in two input folders: one id, indexed once
                continue
            seen.add(row.id)
            site = site_of(row)
            if site not in repeated:
                repeated[site] = combined.repeated(site, site_rules)
            kept, removed = remove_site_repeated(row.paragraphs, repeated[site], site_rules)
            if not removed and row.minhash is not None:
                yield row.id, row.text_hash, row.minhash  # the text the shard hashed
                continue
            text = "\n\n".join(kept)
            yield row.id, text_hash(text), minhash_signature(text, dedup_rules)

    duplicates = find_duplicates(items(), dedup_rules)
    index = {"repeated": {site: sorted(fps) for site, fps in sorted(repeated.items()) if fps},
             "duplicates": dict(sorted(duplicates.items()))}
    return index, batch
