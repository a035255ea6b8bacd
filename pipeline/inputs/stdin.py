"""Standard input as a run's input (``newsclean run -``): spooled to one file, its format sniffed.

A run's tasks read files (in worker processes, on other machines with luigid), so the
stream is copied once into the output's work folder under the digest of its bytes: the
same input again is the same file, and a rerun with nothing new does nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import zlib
from pathlib import Path
from typing import IO

from pipeline.inputs.decoding import GZIP_MAGIC
from pipeline.inputs.formats import looks_like_html
from pipeline.inputs.limits import CHUNK

STDIN = "-"
STDIN_NAME = "stdin"
_SNIFF_BYTES = 65536


def spool_stdin(stream: IO[bytes], folder: Path) -> Path:
    """Copy ``stream`` to ``folder/<digest>/stdin.<format>``; the file's path.

    JSONL when the first non-blank line is a JSON object, else one page: HTML when its
    first bytes hold a tag, else text. A gzipped stream keeps ``.gz`` and is sniffed
    through it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{STDIN_NAME}.{os.getpid()}.tmp"
    digest = hashlib.sha256()
    with open(tmp, "wb") as out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    with open(tmp, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    name = f"{STDIN_NAME}.{sniff_format(head)}"
    target = folder / digest.hexdigest()[:16] / name
    target.parent.mkdir(exist_ok=True)
    os.replace(tmp, target)  # a spool of the same bytes is the same file
    return target


def sniff_format(head: bytes) -> str:
    """The file extension for the first bytes of a stream: jsonl, html or txt, with .gz if gzipped."""
    if head[:2] == GZIP_MAGIC:
        try:
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            inner = b""
        return sniff_format(inner) + ".gz" if inner else "txt.gz"
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    line, newline, _ = body.partition(b"\n")
    if line.startswith(b"{"):
        if not newline and len(head) == _SNIFF_BYTES:
            return "jsonl"  # a first line longer than the window: the reader tells if it is no JSON
        try:
            if isinstance(json.loads(line.decode("utf-8", "replace")), dict):
                return "jsonl"
        except ValueError:
            pass  # a page that starts with "{"
    return "html" if looks_like_html(head) else "txt"


def drop_other_spools(folder: Path, kept: Path) -> None:
    """Remove the spools of earlier runs from ``folder``, all but ``kept``'s."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink() and entry != kept.parent:
            shutil.rmtree(entry)
