"""What the input tests share: small limits, a page, and ways to write and read one input."""
from __future__ import annotations

from pathlib import Path

from pipeline.document import RawInput, Reject
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.limits import Limits
from pipeline.inputs.reading import read_input

LIMITS = Limits(max_input_bytes=100_000, max_decompressed_bytes=200_000, max_line_chars=5_000)
PAGE = "<html><head><title>T</title></head><body><p>Der Bürgermeister sprach.</p></body></html>"


def write(path: Path, data: bytes | str) -> InputFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return InputFile(path=path, root=path.parent, source=path.name)


def read(f: InputFile, limits: Limits = LIMITS) -> list[RawInput | Reject]:
    return list(read_input(f, limits))


def only_reject(f: InputFile, limits: Limits = LIMITS) -> tuple[str, str]:
    items = read(f, limits)
    assert len(items) == 1 and isinstance(items[0], Reject), items
    return items[0].source, items[0].reason


def only_doc(f: InputFile, limits: Limits = LIMITS) -> RawInput:
    items = read(f, limits)
    assert len(items) == 1 and isinstance(items[0], RawInput), items
    return items[0]
