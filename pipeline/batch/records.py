"""Typed rows of the batch work files, and the published record they end as.

A clean shard holds one ``ShardRow`` a line, tagged by ``kind``: a ``RecordRow`` (the
record plus what the batch index needs of it), a ``RejectRow``, and one ``StatsRow`` at
the end. The later stages decode each line straight into its type with msgspec and
write the published ``Record`` with the same bytes as before (``writing.dumps``).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import IO, TYPE_CHECKING, Any, Iterator, Union

import msgspec

from pipeline.document import Reject

if TYPE_CHECKING:
    import datasets
    import pyarrow

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


# --- the record schema, written down ---------------------------------------------------------

SCHEMA_NAME = "record.schema.json"


@lru_cache(maxsize=1)
def record_schema() -> dict:
    """The JSON Schema of a published record, as shipped in the package (``pipeline/record.schema.json``)."""
    return json.loads(files("pipeline").joinpath(SCHEMA_NAME).read_text(encoding="utf-8"))


def _arrow_type(spec: dict) -> "pyarrow.DataType":
    import pyarrow as pa

    kinds = [spec["type"]] if isinstance(spec["type"], str) else spec["type"]
    kind = next(k for k in kinds if k != "null")
    if kind == "array":
        return pa.list_(pa.field("item", _arrow_type(spec["items"]), nullable=False))
    if kind == "object" and "properties" not in spec:
        return pa.string()  # a free-form object (meta): JSON text in Parquet, see json_text_fields
    if kind == "object":
        return pa.struct([pa.field(name, _arrow_type(sub), nullable=name not in spec["required"] or
                                   "null" in sub["type"]) for name, sub in spec["properties"].items()])
    return {"string": pa.string(), "boolean": pa.bool_(), "number": pa.float64(), "integer": pa.int64()}[kind]


@lru_cache(maxsize=1)
def json_text_fields() -> tuple[str, ...]:
    """Fields whose value is a free-form object: Parquet holds each as its JSON text."""
    return tuple(name for name, spec in record_schema()["properties"].items()
                 if spec["type"] == "object" and "properties" not in spec)


@lru_cache(maxsize=1)
def record_arrow_schema() -> "pyarrow.Schema":
    """The Arrow schema of a record, derived from the JSON Schema (Parquet files are written with it).

    A field is nullable exactly when the JSON Schema allows null; lists are never null.
    """
    import pyarrow as pa

    schema = record_schema()
    return pa.schema([pa.field(name, _arrow_type(spec), nullable="null" in spec["type"])
                      for name, spec in schema["properties"].items()])


def record_features() -> "datasets.Features":
    """``datasets.Features`` of a record, for ``load_dataset("json" | "parquet", ..., features=...)``.

    With it every file of a run loads alike whatever its first rows hold (a shard whose
    ``duplicate_of`` is all null), and ``date_published`` stays a string. Needs the
    ``datasets`` package (``pip install 'newsclean[datasets]'``); newsclean itself does not.
    """
    import datasets

    return datasets.Features.from_arrow_schema(record_arrow_schema())
