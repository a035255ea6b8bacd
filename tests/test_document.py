"""Tests for pipeline.document: the date contract of a record (precision, zone) and that data
tools read a real run's date column as it is written."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.document import Document, date_precision, date_zone_known

FIXTURES = Path(__file__).parent / "fixtures"

CONTRACT = [
    # (date_published, date_precision, date_zone_known)
    (None, None, None),
    ("2025-03-05", "day", None),
    ("2025-03-05T17:48", "minute", False),
    ("2025-03-05T17:48+02:00", "minute", True),
    ("2025-03-05T17:48:00", "second", False),
    ("2025-03-05T17:48:00-05:00", "second", True),
    ("2025-03-05T17:48:00.250Z", "second", True),
]


@pytest.mark.parametrize("iso, precision, zone_known", CONTRACT)
def test_date_precision_and_zone_follow_date_published(iso, precision, zone_known):
    assert (date_precision(iso), date_zone_known(iso)) == (precision, zone_known)
    record = Document(id="x", source="a.html", date_published=iso).as_record()
    assert (record["date_precision"], record["date_zone_known"]) == (precision, zone_known)


@pytest.fixture(scope="module")
def dev_records(tmp_path_factory) -> list[dict]:
    """The records of a real run over the metadata fixtures (real dev pages)."""
    folder = tmp_path_factory.mktemp("in") / "pages"
    folder.mkdir()
    for page in sorted((FIXTURES / "meta").glob("*.html")):
        shutil.copyfile(page, folder / page.name)
    output = tmp_path_factory.mktemp("out") / "run"
    assert main(["run", str(folder), "--output", str(output), "--no-progress"]) == 0
    return [json.loads(line) for path in sorted(output.glob("records-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_pandas_reads_every_date_of_a_real_run(dev_records):
    import pandas as pd

    df = pd.DataFrame(dev_records)
    assert set(df.date_precision) >= {"day", "second"}  # the run mixes forms, as real output does
    parsed = pd.to_datetime(df.date_published, format="ISO8601", utc=True)
    assert parsed.notna().sum() == df.date_published.notna().sum() == len(df)


def test_datasets_keeps_the_date_a_string(dev_records):
    # read as the README says: records to Dataset.from_list (load_dataset("json") lets pyarrow
    # guess timestamps, turning offsets into UTC without saying so)
    import datasets

    loaded = datasets.Dataset.from_list(dev_records)
    assert (loaded.features["date_published"].dtype, loaded.features["date_precision"].dtype) == ("string", "string")
    assert loaded["date_published"] == [r["date_published"] for r in dev_records]
