"""The first batch stage: every input of one shard read and cleaned into a tagged JSONL work file."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import IO, Callable, Iterable

from pipeline.batch.records import RECORD, REJECT, RecordRow, RejectRow, StatsRow, as_json
from pipeline.batch.writing import dumps
from pipeline.cleaner import Cleaner
from pipeline.dedup.minhash import minhash_signature, text_hash
from pipeline.dedup.site_repeated import document_fingerprints
from pipeline.document import Document, RawInput, Reject
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input
from pipeline.inputs.warc import Range
from pipeline.metadata.dates import parse_date, warm_up_htmldate

# Seconds between two progress reports of a shard: each is a scheduler call, over HTTP with luigid.
PROGRESS_EVERY = 1.0


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


def clean_shard(members: Iterable[InputFile], cleaner: Cleaner, limits: Limits, out: IO[str],
                progress: Callable[[int], None] | None = None, part: Range | None = None) -> Counter:
    """Clean every document of ``members`` into ``out`` as tagged JSON lines; return counts.

    Each record line also carries what the batch index needs of it (paragraph
    fingerprints, text hash, MinHash signature), computed here, where shards run in
    parallel, rather than in the one task that sees the whole batch. ``part`` is the
    range of its one member a range shard reads.
    """
    warm_up(cleaner)
    dedup_rules = cleaner.config.rules.dedup
    counts: Counter = Counter()
    started = time.perf_counter()
    reported = 0.0
    members = list(members)
    skipped: Counter = Counter()
    seen = 0

    def on_seen() -> None:
        nonlocal seen
        seen += 1

    for n, f in enumerate(members, 1):
        for item in read_input(f, limits, on_skip=lambda skip: skipped.update([skip.reason]), on_seen=on_seen,
                               part=part):
            result = item if isinstance(item, Reject) else cleaner.clean(item)
            if isinstance(result, Reject):
                out.write(dumps(as_json(RejectRow(result.source, result.reason, result.message))) + "\n")
                counts[REJECT] += 1
            else:
                out.write(dumps(as_json(_record_row(result, dedup_rules))) + "\n")
                counts[RECORD] += 1
        if progress and (n == len(members) or time.perf_counter() - reported >= PROGRESS_EVERY):
            reported = time.perf_counter()
            progress(n)
    # the documents the readers owe, counted apart from the rows written (manifest: accounted)
    counts["documents"] = seen
    stats = StatsRow(documents=seen, skipped=dict(sorted(skipped.items())),
                     seconds=round(time.perf_counter() - started, 3))
    out.write(dumps(as_json(stats)) + "\n")
    return counts


def _record_row(document: Document, dedup_rules) -> RecordRow:
    """The shard row of a cleaned document, with what the batch index needs of it."""
    text = document.text
    # what rules removed counts too: a footer a rule caught on two pages of a
    # site and missed on the third is still seen three times
    seen = document.paragraphs + [r.text for r in document.removed]
    return RecordRow.from_fields(document.as_record(), paragraphs=document.paragraphs,
                                 fingerprints=document_fingerprints(seen), text_hash=text_hash(text),
                                 minhash=minhash_signature(text, dedup_rules))
