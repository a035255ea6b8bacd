"""Serialising records, rejects and the manifest with stable bytes, and reading record files back.

Record files come in three formats (``[run] record_format``): ``jsonl``, one JSON object a
line; ``jsonl.gz``, the same gzipped; ``parquet``, one Parquet file per shard with the
Arrow schema derived from ``pipeline/record.schema.json``. Each writes the same bytes for
the same records on any run: gzip without a time or file name in its header, Parquet
without any metadata that varies.
"""
from __future__ import annotations

import gzip
import json
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

# record_format -> the suffix of its files (records-<shard>.<suffix>)
RECORD_SUFFIXES = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "parquet": ".parquet"}
RECORD_FILE = re.compile(r"records-[0-9a-zA-Z_-]+(\.jsonl|\.jsonl\.gz|\.parquet)")
# rows per Parquet row group: bounds what a writer holds in memory
PARQUET_ROWS = 1000
# the gzip level of `gzip` on the command line: most of level 9's size for a fraction of its time
GZIP_LEVEL = 6


def dumps(obj: Any) -> str:
    """One JSON line; keys keep the order the producer gave, UTF-8 kept as is."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def read_jsonl(handle: IO[str]) -> Iterable[dict]:
    """Rows of a JSONL handle, blank lines skipped."""
    for line in handle:
        if line.strip():
            yield json.loads(line)


def record_format_of(name: str) -> str:
    """The record format a file name says (``records-x.jsonl.gz`` -> ``jsonl.gz``)."""
    for fmt, suffix in sorted(RECORD_SUFFIXES.items(), key=lambda item: -len(item[1])):
        if name.endswith(suffix):
            return fmt
    raise ValueError(f"{name}: not a record file (.jsonl, .jsonl.gz or .parquet)")


@contextmanager
def record_writer(handle: IO[bytes], record_format: str) -> Iterator[Callable[[dict], None]]:
    """A function writing one record (a dict in field order) to the binary ``handle`` in ``record_format``."""
    if record_format == "parquet":
        with _parquet_writer(handle) as write:
            yield write
        return
    if record_format == "jsonl.gz":
        # filename="" and mtime=0: no name and no time in the header, so the bytes are the run's alone
        with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=GZIP_LEVEL, mtime=0) as packed:
            yield lambda record: packed.write((dumps(record) + "\n").encode("utf-8"))
        return
    if record_format != "jsonl":
        raise ValueError(f"unknown record format {record_format!r}")
    yield lambda record: handle.write((dumps(record) + "\n").encode("utf-8"))


@contextmanager
def _parquet_writer(handle: IO[bytes]) -> Iterator[Callable[[dict], None]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.batch.records import json_text_fields, record_arrow_schema

    schema = record_arrow_schema()
    as_text = json_text_fields()
    rows: list[dict] = []
    with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        def flush() -> None:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema), row_group_size=PARQUET_ROWS)
            rows.clear()

        def write(record: dict) -> None:
            rows.append({**record, **{name: dumps(record[name]) for name in as_text}})
            if len(rows) >= PARQUET_ROWS:
                flush()

        yield write
        if rows:
            flush()


def read_records(path: Path) -> Iterator[dict]:
    """The records of one record file of any format, as dicts in field order; nothing for a missing file."""
    path = Path(path)
    if not path.exists():
        return
    record_format = record_format_of(path.name)
    if record_format == "parquet":
        import pyarrow.parquet as pq

        from pipeline.batch.records import json_text_fields

        as_text = json_text_fields()
        for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_ROWS):
            for row in batch.to_pylist():
                yield {**row, **{name: json.loads(row[name]) for name in as_text}}
        return
    opener = gzip.open if record_format == "jsonl.gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from read_jsonl(handle)


def read_run(output_dir: str | Path) -> Iterator[dict]:
    """Every record of a finished run, file by file in the manifest's order, whatever its format.

    For ``datasets.Dataset.from_generator(read_run, gen_kwargs={"output_dir": ...},
    features=record_features())``: every value exactly as written.
    """
    manifest = json.loads(Path(output_dir, "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["record_files"]:
        yield from read_records(Path(output_dir, name))


def open_exclusive(path: Path, binary: bool = False) -> IO:
    """A new file at ``path`` for writing, never through a link planted there.

    Whatever is at ``path`` (a leftover, a symbolic link) is unlinked first, which removes
    a link and never its target; ``O_EXCL | O_NOFOLLOW`` then refuse anything put there
    in between.
    """
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    return os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
