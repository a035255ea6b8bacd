"""The record schema written down (pipeline/record.schema.json) against what the code writes,
and the output of a real multi-shard run loaded by datasets, pandas and pyarrow in every format."""
import gzip
import json
from pathlib import Path

import luigi
import msgspec
import pytest

from pipeline import cli, record_arrow_schema, record_features, record_schema
from pipeline.batch.records import Record, RemovalRow
from pipeline.batch.writing import read_records
from pipeline.document import Document

FORMATS = ["jsonl", "jsonl.gz", "parquet"]
SUFFIX = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "parquet": ".parquet"}


def _types(spec: dict, defs: dict) -> object:
    """A property's JSON types as a comparable value, whichever way the schema spells them."""
    if "$ref" in spec:
        spec = defs[spec["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in spec:
        return frozenset(t for s in spec["anyOf"] for t in _types(s, defs))
    kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    if kinds == ["array"]:
        return frozenset({("array", _types(spec["items"], defs))})
    if kinds == ["object"] and "properties" not in spec:
        return frozenset({("object", None)})  # free-form (meta)
    if kinds == ["object"]:
        return frozenset({("object", tuple((k, _types(v, defs)) for k, v in spec["properties"].items()),
                           tuple(spec["required"]))})
    return frozenset(kinds)


def test_the_shipped_schema_lists_the_fields_of_the_record_and_the_document_in_order_with_their_types():
    schema = record_schema()
    generated = msgspec.json.schema(Record)
    defs = generated["$defs"]
    ours = schema["properties"]
    theirs = defs["Record"]["properties"]
    assert list(ours) == list(Record.__struct_fields__) == list(Document(id="x", source="s").as_record())
    assert schema["required"] == list(ours)  # every field always present in a published record
    # the Record struct gives the input's own fields defaults only to read shards written before them
    assert [f for f in ours if f not in defs["Record"]["required"]] == [
        "source_id", "warc_record_id", "warc_date", "warc_target_uri", "meta"]
    assert schema["additionalProperties"] is False
    assert {name: _types(spec, {}) for name, spec in ours.items()} == \
        {name: _types(spec, defs) for name, spec in theirs.items()}
    assert list(ours["removed"]["items"]["properties"]) == list(RemovalRow.__struct_fields__)


def test_arrow_schema_and_features_follow_the_json_schema():
    arrow = record_arrow_schema()
    assert arrow.names == list(record_schema()["properties"])
    assert [f.name for f in arrow if not f.nullable] == ["id", "source", "authors", "text", "removed", "notes", "meta"]
    assert str(arrow.field("removed").type) == \
        "list<item: struct<category: string not null, text: string not null, rule: string not null> not null>"
    features = record_features()
    assert {name: repr(f) for name, f in features.items() if name in ("date_published", "language_score",
                                                                     "date_zone_known", "authors")} == {
        "date_published": "Value('string')", "language_score": "Value('float64')",
        "date_zone_known": "Value('bool')", "authors": "List(Value('string'))"}


# --- a real run: several shards, two workers ------------------------------------------------

_BODY = ("{town} council met on {day} to weigh the cost of its plan number {n}, which officials said would "
         "run {pct} percent over the estimate given in the spring. Residents of {town} asked for a vote.")


def _page(n: int, date: str | None) -> str:
    town = ["Aldham", "Brixby", "Corwen", "Dunmore"][n % 4]
    paragraphs = "".join(f"<p>{_BODY.format(town=town, day=f'day {k}', n=n, pct=10 + n + k)} Part {k}.</p>"
                         for k in range(4))
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    return (f"<html><head><title>Plan {n} in {town}</title>{meta}</head><body><article><h1>Plan {n} in {town}</h1>"
            f"{paragraphs}</article></body></html>")


_DATES = ["2025-03-05T17:23:00-06:00", "2025-03-06", "2025-03-07T09:00:00", None, "2025-03-08T10:11:12Z"]


@pytest.fixture(scope="module")
def run_inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs") / "in"
    folder.mkdir()
    for n in range(14):
        (folder / f"page{n:02d}.html").write_text(_page(n, _DATES[n % len(_DATES)]), encoding="utf-8")
    # copies sorting last: their shards carry duplicate_of strings, the first shards only nulls
    for n in (0, 1):
        (folder / f"zcopy{n}.html").write_text(_page(n, _DATES[n]), encoding="utf-8")
    (folder / "note.txt").write_bytes(("Lossy story\n\n" + _BODY.format(town="Elston", day="day 3", n=99, pct=5)
                                       + "\n\nCaf\xe9 owners agreed.\n").encode("latin-1"))
    return folder


@pytest.fixture(scope="module", params=FORMATS)
def run_output(request, run_inputs, tmp_path_factory) -> tuple[str, Path]:
    record_format = request.param
    root = tmp_path_factory.mktemp("run")
    config = root / "format.toml"
    config.write_text(f'[run]\nrecord_format = "{record_format}"\n', encoding="utf-8")
    luigi.task_register.Register.clear_instance_cache()
    code = cli.main(["run", str(run_inputs), "--output", str(root / "out"), "--workers", "2", "--shard-size", "3",
                     "--config", str(config), "--no-progress"])
    assert code == 0
    return record_format, root / "out"


def _files(output: Path) -> list[Path]:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    return [output / name for name in manifest["record_files"]]


def _records(output: Path) -> list[dict]:
    return [record for path in _files(output) for record in read_records(path)]


def test_the_manifest_lists_one_file_per_shard_in_the_runs_format(run_output):
    record_format, output = run_output
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["record_format"] == record_format
    assert len(manifest["record_files"]) == manifest["shards"] > 2
    assert all(name.startswith("records-") and name.endswith(SUFFIX[record_format])
               for name in manifest["record_files"])
    assert sorted(p.name for p in output.glob("records-*")) == sorted(manifest["record_files"])
    assert len(_records(output)) == manifest["records"] == 17


def test_every_record_of_the_run_validates_against_the_shipped_schema(run_output):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(record_schema())
    records = _records(run_output[1])
    for record in records:
        assert list(validator.iter_errors(record)) == [], record["source"]
    # the run holds what made loading fail: all-null columns in one file, strings in another
    by_file = [[r["duplicate_of"] for r in read_records(path)] for path in _files(run_output[1])]
    assert any(all(d is None for d in dups) for dups in by_file)
    assert any(any(d is not None for d in dups) for dups in by_file)
    assert sorted(r["source"] for r in records if r["duplicate_of"]) == ["zcopy0.html", "zcopy1.html"]
    assert [r["notes"] for r in records if r["source"] == "note.txt"] != [[]]


def test_datasets_loads_the_files_in_any_order_with_the_shipped_features(run_output, tmp_path):
    datasets = pytest.importorskip("datasets")
    record_format, output = run_output
    files = list(reversed(_files(output)))  # not the manifest's order
    builder = "parquet" if record_format == "parquet" else "json"
    loaded = datasets.load_dataset(builder, data_files=[str(p) for p in files], features=record_features(),
                                   split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.features == record_features()
    assert loaded.features["date_published"] == datasets.Value("string")
    # the Features hold a free-form object (meta) as its JSON text, as Parquet does
    expected = [{**record, "meta": json.dumps(record["meta"])} for path in files for record in read_records(path)]
    assert {r["date_published"] for r in expected} == set(_DATES[:4]) | {"2025-03-08T10:11:12+00:00"}
    if builder == "parquet":
        assert loaded.to_list() == expected
        return
    # datasets' JSON loader lets pyarrow read ISO-looking strings as timestamps before the
    # Features apply (offsets turned into UTC): every other value comes through exactly
    dates = {"date_published", "date_raw"}
    assert [{k: v for k, v in r.items() if k not in dates} for r in loaded.to_list()] == \
        [{k: v for k, v in r.items() if k not in dates} for r in expected]


def test_datasets_from_generator_over_read_run_keeps_every_value(run_output, tmp_path):
    datasets = pytest.importorskip("datasets")
    from pipeline import read_run

    output = run_output[1]
    loaded = datasets.Dataset.from_generator(read_run, gen_kwargs={"output_dir": str(output)},
                                             features=record_features(), cache_dir=str(tmp_path / "cache"))
    assert loaded.features["date_published"] == datasets.Value("string")
    # the Features hold a free-form object (meta) as its JSON text
    assert loaded.to_list() == [{**r, "meta": json.dumps(r["meta"])} for r in _records(output)]
    assert "2025-03-05T17:23:00-06:00" in loaded["date_published"]


def test_pandas_reads_every_file_and_parses_every_date(run_output):
    pd = pytest.importorskip("pandas")
    record_format, output = run_output
    if record_format == "parquet":
        df = pd.concat([pd.read_parquet(path) for path in _files(output)], ignore_index=True)
    else:
        df = pd.concat([pd.read_json(path, lines=True, compression="infer") for path in _files(output)],
                       ignore_index=True)
    assert len(df) == 17
    parsed = pd.to_datetime(df.date_published, format="ISO8601", utc=True)
    assert parsed.notna().sum() == df.date_published.notna().sum() == 13
    first = df[df.date_published == "2025-03-05T17:23:00-06:00"]
    assert str(pd.to_datetime(first.date_published, format="ISO8601", utc=True).iloc[0]) == "2025-03-05 23:23:00+00:00"


def test_pyarrow_reads_the_parquet_files_with_the_shipped_schema(run_output):
    record_format, output = run_output
    if record_format != "parquet":
        pytest.skip("Parquet only")
    import pyarrow.dataset as ds

    table = ds.dataset([str(p) for p in _files(output)], format="parquet").to_table()
    assert table.schema.remove_metadata() == record_arrow_schema()
    assert table.num_rows == 17
    assert table.column("removed").type == record_arrow_schema().field("removed").type


def test_record_files_have_the_same_bytes_on_a_second_run(run_output, run_inputs, tmp_path):
    record_format, output = run_output
    config = tmp_path / "format.toml"
    config.write_text(f'[run]\nrecord_format = "{record_format}"\n', encoding="utf-8")
    luigi.task_register.Register.clear_instance_cache()
    assert cli.main(["run", str(run_inputs), "--output", str(tmp_path / "again"), "--shard-size", "3",
                     "--config", str(config), "--no-progress"]) == 0
    assert {p.name: p.read_bytes() for p in _files(output)} == \
        {p.name: p.read_bytes() for p in _files(tmp_path / "again")}
    if record_format == "jsonl.gz":
        header = _files(output)[0].read_bytes()[:10]
        assert (header[3] & 0x08, header[4:8]) == (0, b"\0\0\0\0")  # no file name, no time
        assert gzip.decompress(_files(output)[0].read_bytes()).decode("utf-8").count("\n") == \
            len(list(read_records(_files(output)[0])))
