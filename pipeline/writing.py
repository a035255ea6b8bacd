"""Serialising records, rejects and the manifest: one JSON object per line, stable bytes."""
from __future__ import annotations

import json
from typing import IO, Any, Iterable


def dumps(obj: Any) -> str:
    """One JSON line; keys keep the order the producer gave, UTF-8 kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def read_jsonl(handle: IO[str]) -> Iterable[dict]:
    """Rows of a JSONL handle, blank lines skipped."""
    for line in handle:
        if line.strip():
            yield json.loads(line)
