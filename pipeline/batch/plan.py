"""Which inputs make which shard, the plan persisted under its digest, and the run's identity."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from pipeline.batch.writing import open_exclusive
from pipeline.config import Config, models_digest, package_version
from pipeline.inputs import storage
from pipeline.inputs.discovery import InputFile
from pipeline.inputs.formats import input_format
from pipeline.inputs.jsonl import jsonl_ranges
from pipeline.inputs.limits import Limits
from pipeline.inputs.warc import Range, gzip_warc_ranges

PLAN_FORMAT = "newsclean.plan.v1"


@dataclass(frozen=True)
class Shard:
    """A group of input files cleaned by one task; ``id`` changes only when its members do."""

    id: str
    members: tuple[InputFile, ...]
    part: Range | None = None  # one range of its one member, a large WARC or JSONL file


def _member_key(f: InputFile) -> str:
    return f"{f.root_name}\0{f.source}\0{f.size()}"


def file_ranges(f: InputFile, range_bytes: int, limits: Limits) -> list[Range] | None:
    """The ranges a gzipped WARC or an uncompressed JSONL file over ``range_bytes`` is cut into, or None."""
    fmt, compressed = input_format(f.path.name)
    try:
        if f.size() <= range_bytes:
            return None
    except OSError:
        return None  # a vanished file becomes a reject when its shard is read
    if fmt == "warc" and compressed:
        found = gzip_warc_ranges(f, range_bytes, limits)
    elif fmt == "jsonl" and not compressed:
        found = jsonl_ranges(f, range_bytes, limits)
    else:
        return None
    return found if found and len(found) > 1 else None


def plan_shards(files: Sequence[InputFile], shard_size: int,
                ranges: Callable[[InputFile], list[Range] | None] = lambda f: None) -> list[Shard]:
    """Group ``files`` (already sorted) into shards of about ``shard_size`` members.

    A shard closes after a member whose hash falls on a boundary (content-defined
    chunking), or at twice the size: adding or removing a file changes only the shard it
    falls in, so a rerun with new inputs redoes that shard alone. A file ``ranges`` cuts
    (a large WARC or JSONL file) makes one shard per range, in its place.
    """
    shards: list[Shard] = []
    current: list[InputFile] = []

    def close() -> None:
        digest = hashlib.sha256("\n".join(_member_key(f) for f in current).encode("utf-8"))
        shards.append(Shard(id=digest.hexdigest()[:16], members=tuple(current)))
        current.clear()

    for f in files:
        parts = ranges(f)
        if parts:
            if current:
                close()
            for part in parts:
                key = f"{_member_key(f)}\0{part.start}-{part.end}#{part.first}"
                shards.append(Shard(id=hashlib.sha256(key.encode("utf-8")).hexdigest()[:16], members=(f,), part=part))
            continue
        current.append(f)
        boundary = int(hashlib.sha256(f.source.encode("utf-8")).hexdigest()[:8], 16) % max(shard_size, 1) == 0
        if boundary or len(current) >= 2 * shard_size:
            close()
    if current:
        close()
    return shards


def shard_weight(shard: Shard) -> int:
    """Bytes of the shard's inputs: the scheduler starts heavy shards first, so the last
    shards to finish are light ones and no worker idles while one long shard ends the run."""
    if shard.part is not None:
        return shard.part.end - shard.part.start
    total = 0
    for f in shard.members:
        try:
            total += f.size()
        except OSError:
            pass  # a vanished file becomes a reject when the shard is read
    return total


def write_plan(path: Path, plan: str, shards: Sequence[Shard]) -> None:
    """Persist a run's shards under its digest, atomically; a plan already written is kept.

    Tasks name their plan by digest and read the members from here, so scheduler
    parameters stay small (one shard's members at most) however many inputs a run has.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": PLAN_FORMAT, "plan": plan,
            "shards": [{"id": s.id, "members": member_pairs(s.members), **({"part": list(s.part)} if s.part else {})}
                       for s in shards]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open_exclusive(tmp) as handle:  # never through a link planted under that name
        handle.write(json.dumps(data, ensure_ascii=False) + "\n")
    os.replace(tmp, path)  # concurrent writers of one plan write the same bytes


def read_plan(path: Path) -> list[Shard]:
    """The shards ``write_plan`` persisted; raise ValueError on anything else."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
        raise ValueError(f"{path} is not a {PLAN_FORMAT} file")
    return [Shard(id=s["id"], members=members_of(s["members"]), part=Range(*s["part"]) if "part" in s else None)
            for s in data["shards"]]


def member_pairs(members: Sequence[InputFile]) -> list[list[str]]:
    """``[root, source]`` of each member: how plans and task parameters name a shard's inputs."""
    return [[f.root_name, f.source] for f in members]


def members_of(pairs) -> tuple[InputFile, ...]:
    """The input files ``member_pairs`` named (``InputFile.at`` undoes a non-UTF-8 name's escapes)."""
    return tuple(InputFile.at(root if storage.is_remote(root) else Path(root), source) for root, source in pairs)


def plan_digest(shards: Sequence[Shard], config: Config, reference_date: date | None) -> str:
    """Identity of a whole run: its shards, the code (package version, shipped models), its
    effective configuration and its reference date; a change to any of them redoes the work."""
    digest = hashlib.sha256()
    for shard in shards:
        digest.update(shard.id.encode() + b"\n")
    digest.update(f"{package_version()}\n{models_digest()}\n".encode())
    digest.update(config.digest.encode() + b"\n" + str(reference_date).encode())
    return digest.hexdigest()[:16]
