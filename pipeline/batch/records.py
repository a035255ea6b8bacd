"""Typed rows of the batch work files, and the published record they end as.

A clean shard holds one ``ShardRow`` a line, tagged by ``kind``: a ``RecordRow`` (the
record plus what the batch index needs of it), a ``RejectRow``, and one ``StatsRow`` at
the end. The later stages decode each line straight into its type with msgspec and
write the published ``Record`` with the same bytes as before (``writing.dumps``).
"""
from __future__ import annotations

from typing import IO, Any, Iterator, Union

import msgspec

from pipeline.document import Reject

RECORD, REJECT, STATS = "record", "reject", "stats"


class RemovalRow(msgspec.Struct):
    """A removal as written in a record: what, why (category) and which rule."""

    category: str
    text: str
    rule: str


class Record(msgspec.Struct, forbid_unknown_fields=True):
    """A published record, its fields in the output's key order (``Document.as_record``).

    Unknown fields are refused: a field added to the Document must be added here too, or
    the batch stages would drop it silently.
    """

    id: str
    source: str
    url: str | None
    title: str | None
    description: str | None
    authors: list[str]
    date_published: str | None
    date_precision: str | None
    date_zone_known: bool | None
    date_raw: str | None
    site_name: str | None
    language: str | None
    language_score: float | None
    text: str
    removed: list[RemovalRow]
    duplicate_of: str | None
    notes: list[str]
    # what the input said of itself (document.Origin); defaults read shards written before them
    source_id: str | None = None
    warc_record_id: str | None = None
    warc_date: str | None = None
    warc_target_uri: str | None = None
    meta: dict[str, Any] = {}


class RecordRow(Record, tag=RECORD, tag_field="kind", kw_only=True):
    """A record in a clean shard, with the paragraphs and hashes the batch index reads.

    The precomputed values are None in a shard written before they existed; the index
    then computes them from the paragraphs.
    """

    paragraphs: list[str]
    fingerprints: list[str] | None = None
    text_hash: str | None = None
    minhash: str | None = None

    @classmethod
    def from_fields(cls, record: dict, **precomputed) -> "RecordRow":
        """The row of a record dict (``Document.as_record``) and its precomputed values."""
        return msgspec.convert({**record, **precomputed, "kind": RECORD}, type=cls)

    def published(self) -> Record:
        return Record(**{name: getattr(self, name) for name in Record.__struct_fields__})


class RejectRow(msgspec.Struct, tag=REJECT, tag_field="kind"):
    """A reject in a clean shard."""

    source: str
    reason: str
    message: str

    def reject(self) -> Reject:
        return Reject(self.source, self.reason, self.message)


class StatsRow(msgspec.Struct, tag=STATS, tag_field="kind"):
    """The last line of a clean shard: what its reader saw and how long cleaning took."""

    documents: int
    skipped: dict[str, int]
    seconds: float


ShardRow = Union[RecordRow, RejectRow, StatsRow]
_DECODER = msgspec.json.Decoder(ShardRow)


def shard_row(fields: dict) -> ShardRow:
    """The typed row of a dict with a ``kind`` (checked: a wrong field type raises ValidationError)."""
    return msgspec.convert(fields, type=ShardRow)


def read_shard(handle: IO[str]) -> Iterator[ShardRow]:
    """Typed rows of a clean shard, blank lines skipped."""
    for line in handle:
        if line.strip():
            yield _DECODER.decode(line)


def as_json(row: msgspec.Struct) -> dict:
    """A row or record as the plain dict ``writing.dumps`` writes, keys in field order."""
    return msgspec.to_builtins(row)
