"""One input file to its documents: the format chosen, every failure a reject, never an exception."""
from __future__ import annotations

from typing import Callable, Iterator

from pipeline.document import RawInput, Reject
from pipeline.inputs.discovery import InputFile, Skipped
from pipeline.inputs.formats import input_format, read_single
from pipeline.inputs.jsonl import read_jsonl
from pipeline.inputs.limits import Limits
from pipeline.inputs.rejects import EMPTY, UNREADABLE, Rejected, describe
from pipeline.inputs.warc import Range, read_gzip_warc_range, read_warc


def read_input(f: InputFile, limits: Limits, on_skip: Callable[[Skipped], None] | None = None,
               on_seen: Callable[[], None] | None = None, part: Range | None = None) -> Iterator[RawInput | Reject]:
    """Yield the documents of ``f`` one at a time, or a reject for each part that is unusable.

    An input is a file; in an archive, each capture (response or resource record of an
    http(s) URL); in JSONL, each non-blank line.  Archives and JSONL yield one item per
    input, with source ``"<file>#<n>"`` (n counts all records, so gaps are the archive
    records that are not captures, each passed to ``on_skip``).  ``on_seen`` is called
    once per document the file owes: for an archive, by its reader as it reads each
    capture's header, so that an item without a capture behind it shows in the counts.
    ``part`` reads one range of a gzipped WARC or a JSONL file (``batch.plan.file_ranges``).
    """
    seen = on_seen or (lambda: None)
    fmt, compressed = input_format(f.path.name)
    try:
        size = f.size()
        if size == 0:
            raise Rejected(EMPTY, "the file is empty (0 bytes)")
        if part is not None and fmt == "warc":
            yield from read_gzip_warc_range(f, part, limits, on_skip, on_seen)
        elif fmt in ("warc", "arc"):
            yield from read_warc(f, limits, arc=fmt == "arc", on_skip=on_skip, on_seen=seen)
        elif fmt == "jsonl":
            for item in read_jsonl(f, compressed, limits, part):
                seen()
                yield item
        else:
            document = read_single(f, fmt, compressed, size, limits)
            seen()
            yield document
    except Rejected as rejected:
        seen()
        yield Reject(f.source, rejected.reason, rejected.message)
    except OSError as exc:
        seen()
        yield Reject(f.source, UNREADABLE, f"the file could not be read: {exc.strerror or exc}")
    except Exception as exc:  # last resort: one odd file must not stop the run
        seen()
        yield Reject(f.source, UNREADABLE, f"reading failed unexpectedly ({describe(exc)}); please report it")
