"""The first batch stage: every input of one shard read and cleaned into a tagged JSONL work file."""
from __future__ import annotations

import gc
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
from pipeline.inputs.formats import input_format
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input
from pipeline.inputs.warc import Range
from pipeline.metadata.dates import HTMLDATE, parse_date, warm_up_htmldate

# Seconds between two progress reports of a shard: each is a scheduler call, over HTTP with luigid.
PROGRESS_EVERY = 1.0


HTML, TEXT = "html", "text"
# the kinds of document this process has warmed up for
_warmed: set[str] = set()

_SENTENCES = [f"Paragraph {n} of a short article about the council and its budget vote." for n in range(3)]
_WARM_UP_DOCUMENTS = {
    HTML: ("<html><head><title>Budget vote</title>"
           '<meta property="article:published_time" content="2025-03-05T10:00:00Z"></head><body>'
           '<header><span class="byline">By Jane Doe</span> <span class="date">Published 2 days ago</span></header>'
           "<article><h1>Budget vote</h1>" + "".join(f"<p>{s}</p>" for s in _SENTENCES) + "</article></body></html>"),
    TEXT: "Budget vote\n\nBy Jane Doe\nMarch 5, 2025, 10:00 a.m.\n\n" + "\n\n".join(_SENTENCES),
}


def warm_up(cleaner: Cleaner, kinds: Iterable[str] = (HTML, TEXT)) -> None:
    """Clean one small document of each of ``kinds`` so the lazily loaded models it needs are in memory.

    Once per process and kind, outside any time budget: no document pays for the lazy
    loading (the first one of a shard would otherwise, and could be cut by its budget),
    and a process that meets no page never loads what only pages need (htmldate's date
    parser reads every locale: about 1 s). Worker processes forked from a warmed caller
    are warm: the language profiles, stop lists, extraction settings and date parser
    tables are shared by every shard instead of being loaded again in each one.

    What loads here lives as long as the process, so the garbage collector is kept from
    scanning it: paused while it loads (it would walk the growing tables again and again)
    and told afterwards to leave it out of every later collection (``gc.freeze``).
    """
    todo = [kind for kind in kinds if kind not in _warmed]
    if not todo:
        return
    unbudgeted = replace(cleaner, time_budget=0)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for kind in todo:
            unbudgeted.clean(RawInput(source=f"warm-up.{'html' if kind == HTML else 'txt'}",
                                      content=_WARM_UP_DOCUMENTS[kind], kind=kind))
            if not _warmed:
                # a text that is no date in any language makes the date parser load every
                # fallback language; pages and texts both parse dates
                parse_date("Budget vote 12", config=cleaner.config)
            if kind == HTML and HTMLDATE in cleaner.config.rules.metadata.html.date_sources:
                warm_up_htmldate()
            _warmed.add(kind)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()


def input_kinds(files: Iterable[InputFile]) -> set[str]:
    """The kinds of document ``files`` can hold, by their names: an HTML file holds a page,
    a text file a text, and a WARC, a JSONL file or a file of no known format either."""
    kinds: set[str] = set()
    for f in files:
        fmt = input_format(f.path.name)[0]
        kinds.update([fmt] if fmt in (HTML, TEXT) else [HTML, TEXT])
    return kinds


def clean_shard(members: Iterable[InputFile], cleaner: Cleaner, limits: Limits, out: IO[str],
                progress: Callable[[int], None] | None = None, part: Range | None = None) -> Counter:
    """Clean every document of ``members`` into ``out`` as tagged JSON lines; return counts.

    Each record line also carries what the batch index needs of it (paragraph
    fingerprints, text hash, MinHash signature), computed here, where shards run in
    parallel, rather than in the one task that sees the whole batch. ``part`` is the
    range of its one member a range shard reads.
    """
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
            if isinstance(item, Reject):
                result = item
            else:
                warm_up(cleaner, (item.kind,))  # before the first document of its kind
                result = cleaner.clean(item)
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
