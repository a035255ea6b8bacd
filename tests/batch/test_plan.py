"""Plans: shards planned, persisted under their digest, read back; shard weights."""
import json

import pytest

from batch_helpers import input_files
from pipeline.batch.plan import PLAN_FORMAT, plan_shards, read_plan, shard_weight, write_plan
from pipeline.inputs.discovery import discover_inputs


def test_plan_round_trips_and_is_written_once(tmp_path):
    shards = plan_shards(discover_inputs([input_files(tmp_path, 30)]), 4)
    path = tmp_path / "plans" / "p1.json"
    write_plan(path, "p1", shards)
    assert read_plan(path) == shards
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == PLAN_FORMAT
    stamp = path.stat().st_mtime_ns
    write_plan(path, "p1", shards[:1])  # a plan file never changes once written
    assert path.stat().st_mtime_ns == stamp and read_plan(path) == shards
    assert [p.name for p in path.parent.iterdir()] == ["p1.json"]


def test_read_plan_refuses_otherinput_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something.else"}), encoding="utf-8")
    with pytest.raises(ValueError, match="newsclean.plan.v1"):
        read_plan(path)


def test_shard_weight_is_bytes_of_its_members(tmp_path):
    shards = plan_shards(discover_inputs([input_files(tmp_path, 5)]), 100)
    assert len(shards) == 1 and shard_weight(shards[0]) == 1 + 2 + 3 + 4 + 5
