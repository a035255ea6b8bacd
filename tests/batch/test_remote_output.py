"""Outputs in object storage: a run writes to s3:// what it writes to a folder, resumes after kill -9,
and several processes (each with its own spool, as on several machines) share it through luigid.

The S3 endpoint is real HTTP: moto's standalone server on a free loopback port (tests/conftest.py).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from conftest import luigid_server
from pipeline.inputs.discovery import skipped_inputs
from test_batch_runs import PUBLISHED, _done, finish, newsclean, pages_and_stories

pytest.importorskip("s3fs", reason="s3fs is needed to reach S3 (pip install -e '.[test]')")

SHARD_SIZE = "3"
BUCKET = "news"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    return pages_and_stories(tmp_path_factory.mktemp("crawl") / "in", 12)


def _fs():
    import s3fs

    return s3fs.S3FileSystem(use_listings_cache=False)


@pytest.fixture
def bucket(aws_env, crawl) -> str:
    """s3://news/crawl holds the crawl; each test writes under an output prefix of its own."""
    fs = _fs()
    if not fs.exists(BUCKET):
        fs.mkdir(BUCKET)
        for path in sorted(crawl.iterdir()):
            fs.pipe(f"{BUCKET}/crawl/{path.name}", path.read_bytes())
    return f"s3://{BUCKET}/crawl/"


def _env(aws_env: dict, machine: Path) -> dict:
    # a temporary folder of its own: the spool of a process on another machine
    machine.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **aws_env, "TMPDIR": str(machine)}


def _run_args(inputs: str, output: str, *more: str) -> list[str]:
    return ["run", inputs, "--output", output, "--shard-size", SHARD_SIZE, "--reference-date", "2026-03-01", *more]


@pytest.fixture
def local_run(bucket, aws_env, tmp_path_factory) -> Path:
    """The same inputs (in the bucket) cleaned into a local folder, once for the module."""
    output = tmp_path_factory.getbasetemp() / "remote-local-run"
    if not (output / "_SUCCESS").exists():
        finish(newsclean(*_run_args(bucket, str(output), "--workers", "1"), env=_env(aws_env, output.with_suffix(".tmp"))))
    return output


def _stored(prefix: str) -> dict[str, bytes]:
    """The published objects under ``prefix`` (a key without s3://), by name; no work or state."""
    fs = _fs()
    return {key[len(prefix) + 1:]: fs.cat(key) for key in fs.find(prefix)
            if "/" not in key[len(prefix) + 1:] and key[len(prefix) + 1:] not in ("manifest.json", "report.html")}


def _published(output: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(output.iterdir())
            if p.is_file() and p.name not in ("manifest.json", "report.html")}


def test_a_run_into_a_bucket_publishes_the_bytes_of_a_run_into_a_folder(bucket, aws_env, local_run, tmp_path):
    finish(newsclean(*_run_args(bucket, f"s3://{BUCKET}/clean/", "--workers", "1"), env=_env(aws_env, tmp_path / "m")))
    stored = _stored(f"{BUCKET}/clean")
    assert sorted(stored) == sorted(_published(local_run)) and len([n for n in stored if n.startswith("records-")]) == 5
    assert stored == _published(local_run)  # records, rejects.jsonl and _SUCCESS (the plan) byte for byte
    fs = _fs()
    manifest = json.loads(fs.cat(f"{BUCKET}/clean/manifest.json"))
    assert manifest["record_files"] == json.loads((local_run / "manifest.json").read_text())["record_files"]
    # per-site statistics beside the output, in the same storage; no lock and no temporary key left
    assert fs.exists(f"{BUCKET}/clean/_state/site-stats-{manifest['plan']}.json")
    assert not fs.exists(f"{BUCKET}/clean/_work/lock") and not fs.exists(f"{BUCKET}/clean/_work/tmp")
    # done is done: the same command again does nothing and says so
    again = newsclean(*_run_args(bucket, f"s3://{BUCKET}/clean/", "--workers", "1"), env=_env(aws_env, tmp_path / "m2"))
    assert finish(again) == ""
    assert _stored(f"{BUCKET}/clean") == stored
    # a run's output under its own input prefix is never read back
    skipped = {s.source: s.reason for s in skipped_inputs([f"s3://{BUCKET}/"], {f"s3://{BUCKET}/clean": "run_output"})}
    assert skipped["clean/_SUCCESS"] == skipped["clean/manifest.json"] == "run_output"
    assert not [name for name in skipped if name.startswith("crawl/")]


def test_kill_9_while_writing_to_the_bucket_then_the_same_command_resumes(bucket, aws_env, local_run, tmp_path):
    run = _run_args(bucket, f"s3://{BUCKET}/killed", "--workers", "2")
    env = _env(aws_env, tmp_path / "m")
    process = newsclean(*run, env=env, start_new_session=True)
    fs, clean = _fs(), f"{BUCKET}/killed/_work/clean"
    deadline = time.monotonic() + 120
    while len(fs.find(clean)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the whole process tree, as a crash would
    process.communicate(timeout=30)
    top = [key.rsplit("/", 1)[1] for key in fs.ls(f"{BUCKET}/killed", detail=False)]
    assert "_SUCCESS" not in top and not [n for n in top if n.startswith("records-")]
    assert fs.exists(f"{BUCKET}/killed/_work/lock")  # a killed run's lock stays; the same plan goes on
    finish(newsclean(*run, env=env), timeout=300)
    assert _stored(f"{BUCKET}/killed") == _published(local_run)
    assert all(PUBLISHED.fullmatch(key.rsplit("/", 1)[1]) for key in fs.ls(f"{BUCKET}/killed", detail=False))


def test_another_plan_is_refused_while_the_bucket_output_is_locked(bucket, aws_env, tmp_path):
    from pipeline.batch.lock import OutputLockedError, stored_lock
    from pipeline.batch.store import Store

    store = Store(f"s3://{BUCKET}/locked")
    lock = f"{BUCKET}/locked/_work/lock"
    fs = _fs()
    # stale after 6 s, rewritten every 0.2 s: a refresh late by seconds on a busy machine still counts
    with stored_lock(store, "p1", stale_seconds=6, refresh_seconds=0.2):
        holder = json.loads(fs.cat(lock))
        assert (holder["plan"], holder["pid"]) == ("p1", os.getpid())
        with stored_lock(store, "p1", stale_seconds=6, refresh_seconds=0.2):  # the same plan goes on beside it
            pass
        time.sleep(7)  # past stale_seconds: the holder's refreshes keep it alive
        with pytest.raises(OutputLockedError, match=rf"s3://{BUCKET}/locked is in use by another run \(pid "
                                                     rf"{os.getpid()} on host .*stale after 6 s"):
            with stored_lock(store, "p2", stale_seconds=6):
                pass
    assert not fs.exists(lock)  # released by its last writer
    # a holder that died: its lock is stale once not rewritten for stale_seconds, and taken over
    fs.pipe(lock, json.dumps({"pid": 1, "host": "gone", "plan": "p0"}).encode())
    with pytest.raises(OutputLockedError, match="pid 1 on host gone"):
        with stored_lock(store, "p2", stale_seconds=1.5):
            pass
    time.sleep(2)
    with stored_lock(store, "p2", stale_seconds=1.5):
        assert json.loads(fs.cat(lock))["plan"] == "p2"
    # through the CLI: one line, exit 1
    fs.pipe(lock, json.dumps({"pid": 7, "host": "elsewhere", "plan": "another"}).encode())
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", *_run_args(bucket, f"s3://{BUCKET}/locked"),
                             "--no-progress"], capture_output=True, text=True, env=_env(aws_env, tmp_path / "m"),
                            timeout=120)
    assert (result.returncode, result.stderr) == (1, f"newsclean: s3://{BUCKET}/locked is in use by another run "
                                                     "(pid 7 on host elsewhere); wait for it to end (a killed run's "
                                                     "lock is stale after 120 s) or give another --output\n")


def test_concurrent_plans_keep_their_statistics_whole_in_one_state_prefix(bucket, aws_env, crawl, tmp_path):
    fs = _fs()
    for n, name in enumerate(sorted(crawl.iterdir())[:6]):
        fs.pipe(f"{BUCKET}/crawl-{n % 2}/{name.name}", name.read_bytes())
    state = f"s3://{BUCKET}/state"
    runs = [newsclean(*_run_args(f"s3://{BUCKET}/crawl-{n}/", f"s3://{BUCKET}/day-{n}", "--state-dir", state),
                      env=_env(aws_env, tmp_path / f"m{n}")) for n in (0, 1)]
    for process in runs:
        finish(process, timeout=300)
    plans = sorted(json.loads(fs.cat(f"{BUCKET}/day-{n}/manifest.json"))["plan"] for n in (0, 1))
    stored = sorted(key.rsplit("/", 1)[1] for key in fs.find(f"{BUCKET}/state"))
    assert stored == [f"site-stats-{plan}.json" for plan in plans]
    for name in stored:
        assert isinstance(json.loads(fs.cat(f"{BUCKET}/state/{name}")), dict)  # each whole


# --- several processes, each with its own spool, on one luigid ---------------------------------------

@pytest.fixture
def luigid(tmp_path):
    """luigid on a free loopback port; a killed worker is dropped after 3 s without a ping (looked at on every
    request for work, not once a minute) and its tasks are retried 1 s later."""
    with luigid_server(tmp_path, "worker_disconnect_delay = 3\nretry_delay = 1\nprune_on_get_work = true\n") as url:
        yield url


def _running(luigid: str, family: str) -> list[dict]:
    query = urllib.request.quote(json.dumps({"status": "RUNNING"}))
    tasks = json.loads(urllib.request.urlopen(f"{luigid}/api/task_list?data={query}", timeout=10).read())["response"]
    return [t for t in tasks.values() if t["name"] == family]


def test_two_machines_share_a_run_in_the_bucket_through_luigid(bucket, aws_env, local_run, luigid, tmp_path):
    run = _run_args(bucket, f"s3://{BUCKET}/shared", "--workers", "1", "--scheduler-url", luigid, "--verbose")
    first = newsclean(*run, env=_env(aws_env, tmp_path / "machine-a"))
    time.sleep(0.5)
    second = newsclean(*run, env=_env(aws_env, tmp_path / "machine-b"))
    logs = [finish(first, timeout=300), finish(second, timeout=300)]
    cleaned = Counter(done for log in logs for done in _done(log, "CleanShard"))
    assert len(cleaned) == 5 and set(cleaned.values()) == {1}  # each shard once, by one process
    assert all(_done(log, "CleanShard") for log in logs)  # both took part
    assert _stored(f"{BUCKET}/shared") == _published(local_run)


def test_a_killed_machines_shard_is_taken_over_within_the_scheduler_delays(bucket, aws_env, local_run, luigid,
                                                                           tmp_path):
    run = _run_args(bucket, f"s3://{BUCKET}/takeover", "--workers", "1", "--scheduler-url", luigid, "--verbose")
    doomed = newsclean(*run, env=_env(aws_env, tmp_path / "machine-a"), start_new_session=True)
    deadline = time.monotonic() + 120
    while not _running(luigid, "CleanShard"):
        assert doomed.poll() is None and time.monotonic() < deadline, "no shard started"
        time.sleep(0.02)
    os.killpg(doomed.pid, signal.SIGKILL)  # machine A dies holding a shard
    killed_at = time.monotonic()
    doomed.communicate(timeout=30)
    held = _running(luigid, "CleanShard")
    assert len(held) == 1
    shard = held[0]["params"]["shard_id"]
    survivor = newsclean(*run, env=_env(aws_env, tmp_path / "machine-b"))
    fs, deadline = _fs(), time.monotonic() + 120
    while not fs.exists(f"{BUCKET}/takeover/_work/clean/{shard}.jsonl"):
        assert survivor.poll() is None and time.monotonic() < deadline, "the shard was not taken over"
        time.sleep(0.1)
    taken_over = time.monotonic() - killed_at
    log = finish(survivor, timeout=300)
    assert shard in " ".join(_done(log, "CleanShard"))  # cleaned by the survivor
    assert _stored(f"{BUCKET}/takeover") == _published(local_run)
    # no sooner than worker_disconnect_delay 3 s + retry_delay 1 s; then the survivor's models load and it cleans
    assert 4 <= taken_over < 60, taken_over
    print(f"the killed worker's shard was cleaned by the survivor {taken_over:.1f} s after the kill")
