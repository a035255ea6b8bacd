"""Serialising records, rejects and the manifest: one JSON object per line, stable bytes."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any, Iterable


def dumps(obj: Any) -> str:
    """One JSON line; keys keep the order the producer gave, UTF-8 kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def read_jsonl(handle: IO[str]) -> Iterable[dict]:
    """Rows of a JSONL handle, blank lines skipped."""
    for line in handle:
        if line.strip():
            yield json.loads(line)


def open_exclusive(path: Path) -> IO[str]:
    """A new file at ``path`` for writing, never through a link planted there.

    Whatever is at ``path`` (a leftover, a symbolic link) is unlinked first, which removes
    a link and never its target; ``O_EXCL | O_NOFOLLOW`` then refuse anything put there
    in between.
    """
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    return os.fdopen(fd, "w", encoding="utf-8")
