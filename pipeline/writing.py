"""Serialising records, rejects and the manifest: one JSON object per line, stable bytes."""
from __future__ import annotations

import json
from typing import Any, IO, Iterable


def dumps(obj: Any) -> str:
    """One JSON line; keys keep the order the producer gave, UTF-8 kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def write_jsonl(handle: IO[str], rows: Iterable[dict]) -> int:
    """Write ``rows`` one per line to an open text handle; return how many were written."""
    count = 0
    for row in rows:
        handle.write(dumps(row))
        handle.write("\n")
        count += 1
    return count


def read_jsonl(handle: IO[str]) -> Iterable[dict]:
    """Rows of a JSONL handle, blank lines skipped."""
    for line in handle:
        if line.strip():
            yield json.loads(line)
