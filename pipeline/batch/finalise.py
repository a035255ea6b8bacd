"""The last per-shard stage: the batch index applied to one clean shard, and the counts of every shard gathered."""
from __future__ import annotations

from collections import Counter
from typing import IO, Callable

import msgspec

from pipeline.batch.index import site_of
from pipeline.batch.records import Record, RecordRow, RejectRow, RemovalRow, StatsRow, as_json, read_shard
from pipeline.batch.writing import dumps
from pipeline.config import Config
from pipeline.dedup.site_repeated import remove_site_repeated
from pipeline.document import Reject

DUPLICATE = "duplicate"
NO_ARTICLE_TEXT = "no_article_text"


def finalise_shard(shard: IO[str], index: dict, config: Config, records: IO[str] | Callable[[dict], None],
                   rejects: IO[str]) -> Counter:
    """Apply the batch index to one clean shard: drop site chrome, mark or drop duplicates.

    Each published record goes to ``records``: a function taking the record as a dict in
    field order (``writing.record_writer``, in the run's record format), or a text handle
    that gets JSON lines.
    """
    write_record = records if callable(records) else lambda record: records.write(dumps(record) + "\n")
    site_rules = config.rules.site_repeated
    drop_duplicates = config.rules.dedup.drop_duplicates
    counts: Counter = Counter()
    repeated_of: dict[str, frozenset[str]] = {}

    def reject(item: Reject) -> None:
        rejects.write(dumps(item.as_dict()) + "\n")
        counts["rejects"] += 1
        counts["reject:" + item.reason] += 1

    for row in read_shard(shard):
        if isinstance(row, StatsRow):
            counts["documents"] += row.documents
            counts["clean_seconds_x1000"] += int(row.seconds * 1000)
            counts.update({"skipped:" + reason: n for reason, n in row.skipped.items()})
            continue
        if isinstance(row, RejectRow):
            reject(row.reject())
            continue
        site = site_of(row)
        if site not in repeated_of:
            repeated_of[site] = frozenset(index["repeated"].get(site, ()))
        record = _without_site_chrome(row, repeated_of[site], site_rules)
        original = index["duplicates"].get(record.id)
        record.duplicate_of = original
        if original and drop_duplicates:
            reject(Reject(record.source, DUPLICATE, f"duplicate of record {original}"))
            continue
        if not record.text.strip():
            reject(Reject(record.source, NO_ARTICLE_TEXT, "nothing was left once site chrome was removed"))
            continue
        write_record(as_json(record))
        counts["records"] += 1
        counts["duplicates"] += original is not None
        for removal in record.removed:
            counts["removed:" + removal.category] += 1
    return counts


def _without_site_chrome(row: RecordRow, repeated: frozenset[str], site_rules) -> Record:
    """The published record of ``row``, the paragraphs its site repeats removed (and recorded)."""
    record = row.published()
    if repeated:
        paragraphs, removed = remove_site_repeated(row.paragraphs, repeated, site_rules)
        record = msgspec.structs.replace(
            record, text="\n\n".join(paragraphs),
            removed=record.removed + [RemovalRow(r.category, r.text, r.rule) for r in removed])
    return record

