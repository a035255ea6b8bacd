"""How far a run has got, read from its work folder, so shards done by any process count.

The reader only reads: the clean shards being written (Luigi's ``*-luigi-tmp-*`` files,
read incrementally from where the last look stopped), the finished ones (once each), and
the finalised counts (exact, and what the manifest will sum). Nothing it does changes
what a run writes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pipeline.batch.folder import WORK_DIR
from pipeline.batch.plan import Shard

# A clean shard's rows start with their tag (records.py: msgspec writes the tag first).
_RECORD, _REJECT = b'{"kind": "record"', b'{"kind": "reject"'
_SOURCE = b'"source": "'


@dataclass(frozen=True)
class Snapshot:
    """Counts at one moment: inputs done of all, documents cleaned, rejects so far, shards."""

    inputs_done: int
    inputs: int
    documents: int
    rejects: int
    shards_cleaned: int
    shards_finalised: int
    shards: int


@dataclass
class _ShardState:
    documents: int = 0
    rejects: int = 0
    inputs_done: int = 0
    offset: int = 0
    tmp: Path | None = None


class RunProgress:
    """Snapshots of one plan's progress in ``output``; call ``snapshot()`` as often as wanted."""

    def __init__(self, output: Path, plan: str, shards: Sequence[Shard]):
        self.work = Path(output, WORK_DIR)
        self.plan = plan
        self.shards = list(shards)
        self._position = {s.id: {m.source: i for i, m in enumerate(s.members)} for s in self.shards}
        self._finished: dict[str, tuple[str, _ShardState]] = {}  # shard id -> (stage, final state)
        self._open: dict[str, _ShardState] = {}

    def snapshot(self) -> Snapshot:
        documents = rejects = inputs_done = cleaned = finalised = 0
        for shard in self.shards:
            stage, state = self._state(shard)
            documents, rejects, inputs_done = documents + state.documents, rejects + state.rejects, \
                inputs_done + state.inputs_done
            cleaned += stage in ("cleaned", "finalised")
            finalised += stage == "finalised"
        return Snapshot(inputs_done, sum(len(s.members) for s in self.shards), documents, rejects,
                        cleaned, finalised, len(self.shards))

    def _state(self, shard: Shard) -> tuple[str, _ShardState]:
        known = self._finished.get(shard.id)
        if known and known[0] == "finalised":
            return known
        counts = self.work / "final" / self.plan / f"{shard.id}.counts.json"
        if counts.exists():
            try:
                found = json.loads(counts.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = None
            if isinstance(found, dict):
                state = _ShardState(documents=found.get("documents", 0), rejects=found.get("rejects", 0),
                                    inputs_done=len(shard.members))
                self._finished[shard.id] = ("finalised", state)
                self._open.pop(shard.id, None)
                return self._finished[shard.id]
        if known:
            return known
        clean = self.work / "clean" / f"{shard.id}.jsonl"
        if clean.exists():
            state = _ShardState()
            self._read(shard, clean, state)
            state.inputs_done = len(shard.members)
            self._finished[shard.id] = ("cleaned", state)
            self._open.pop(shard.id, None)
            return self._finished[shard.id]
        state = self._open.setdefault(shard.id, _ShardState())
        tmp = state.tmp if state.tmp and state.tmp.exists() else None
        if tmp is None:
            tmp = next(iter(sorted(clean.parent.glob(f"{clean.name}-luigi-tmp-*"))), None)
            if tmp != state.tmp:
                state = self._open[shard.id] = _ShardState(tmp=tmp)
        if tmp is not None:
            self._read(shard, tmp, state)
        return "cleaning" if tmp is not None else "waiting", state

    def _read(self, shard: Shard, path: Path, state: _ShardState) -> None:
        """Count the whole rows of ``path`` after ``state.offset``; the last one tells the input reached."""
        try:
            with path.open("rb") as handle:
                handle.seek(state.offset)
                data = handle.read()
        except OSError:  # renamed into place or removed since it was listed
            return
        whole = data[:data.rfind(b"\n") + 1]
        state.offset += len(whole)
        for line in whole.splitlines():
            if line.startswith(_RECORD):
                state.documents += 1
            elif line.startswith(_REJECT):
                state.documents += 1
                state.rejects += 1
            else:
                continue
            position = self._input_position(shard, line)
            if position is not None:
                state.inputs_done = max(state.inputs_done, position)  # the input of the last row may go on

    def _input_position(self, shard: Shard, line: bytes) -> int | None:
        start = line.find(_SOURCE)
        if start < 0:
            return None
        try:
            source = json.loads(line[start + len(_SOURCE) - 1:line.index(b'"', start + len(_SOURCE)) + 1])
        except ValueError:  # a source with an escaped quote: skip the position, the counts stand
            return None
        positions = self._position[shard.id]
        if source not in positions and "#" in source:
            source = source.rpartition("#")[0]  # the n-th capture of an archive or JSONL file
        return positions.get(source)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def log_line(snapshot: Snapshot, elapsed: float) -> str:
    """The one-line progress log written when stderr is not a terminal."""
    rate = snapshot.documents / elapsed if elapsed > 0 else 0.0
    left = (_clock(elapsed * (snapshot.inputs - snapshot.inputs_done) / snapshot.inputs_done)
            if snapshot.inputs_done else "?")
    return (f"newsclean: {snapshot.inputs_done}/{snapshot.inputs} inputs, {snapshot.documents} documents, "
            f"{snapshot.rejects} rejects, {rate:.1f} documents/s, elapsed {_clock(elapsed)}, left {left}, "
            f"shards {snapshot.shards_cleaned}/{snapshot.shards} cleaned, {snapshot.shards_finalised} finalised")
