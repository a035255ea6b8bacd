"""Whole runs as a scheduler drives them: every input format, SIGKILL and resume, two
processes sharing a luigid, and daily partitions. Inputs are built in tmp_path."""
import errno
import gzip
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import luigi
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import luigid_server
from pipeline import cli
from pipeline.batch.lock import output_lock
from pipeline.tasks import CleanRun

PUBLISHED = re.compile(r"records-[0-9a-f]{16}\.jsonl|rejects\.jsonl|manifest\.json|report\.html|_SUCCESS|_work|_state")
_TOWNS = ["Aldham", "Brixby", "Corwen", "Dunmore", "Elston", "Farley", "Gorran", "Hexley", "Ilton", "Jarrow"]
_THINGS = ["bridge", "library", "bus route", "school roof", "water main", "market hall", "cycle lane", "clinic"]
_PEOPLE = ["Mayor Ruth Okafor", "councillor Tom Havel", "engineer Priya Nair", "resident Carl Boyd",
           "treasurer Lena Voss", "head teacher Sam Ortiz"]


def article(n: int) -> tuple[str, list[str]]:
    """A distinct, deterministic news story: its title and body paragraphs."""
    rng = random.Random(n)
    town = _TOWNS[n % len(_TOWNS)]
    paragraphs = []
    for k in range(5):
        thing, person = rng.choice(_THINGS), rng.choice(_PEOPLE)
        paragraphs.append(
            f"{person} told the {town} council on day {rng.randint(2, 28)} that the {thing} would cost "
            f"{rng.randint(10, 990)} thousand pounds, {rng.choice(['more', 'less'])} than the "
            f"{rng.choice(['spring', 'autumn', 'winter'])} estimate of {rng.randint(5, 95)} thousand. "
            f"Work on the {rng.choice(_THINGS)} near {rng.choice(_TOWNS)} street number {rng.randint(1, 400)} "
            f"is due to start in week {rng.randint(1, 52)}, story {n} part {k}.")
    return f"{town} council weighs the cost of plan {n}", paragraphs


def html_page(n: int, date_text: str = "2 days ago") -> str:
    title, paragraphs = article(n)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{title} | County Gazette</title>"
            f'<meta property="og:site_name" content="County Gazette"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/news">News</a></nav><header><span class="date">{date_text}</span>'
            f'</header><article><h1>{title}</h1>{body}</article>'
            f"<footer>Copyright County Gazette. All rights reserved.</footer></body></html>")


def text_page(n: int, date_text: str = "2 days ago") -> str:
    title, paragraphs = article(n)
    return f"{title}\n\nBy Jane Doe\n{date_text}\n\n" + "\n\n".join(paragraphs) + "\n"


def build(inputs, output: Path, **params) -> bool:
    # Luigi reuses task instances with equal parameters; a run must see the inputs as they are now
    luigi.task_register.Register.clear_instance_cache()
    task = CleanRun(inputs=[str(p) for p in inputs], output_dir=str(output), **params)
    return luigi.build([task], local_scheduler=True, workers=1, log_level="WARNING")


def records(output: Path) -> dict:
    return {rec["source"]: rec for path in sorted(output.glob("records-*.jsonl"))
            for rec in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def record_bytes(output: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(output.glob("records-*.jsonl"))}


def assert_nothing_partial(output: Path) -> None:
    names = sorted(p.name for p in output.iterdir())
    assert all(PUBLISHED.fullmatch(name) for name in names), names


def newsclean(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    assert process.returncode == 0, err[-3000:]
    return err


# --- every input format ----------------------------------------------------------------------

def _warc(path: Path, pages: list[tuple[str, str, str]]) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("d.warc.gz", {"software": "test"}))
        for url, warc_date, html in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=headers,
                warc_headers_dict={"WARC-Date": warc_date}))


def test_every_input_format_through_the_whole_dag(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(text_page(1), encoding="utf-8")
    (folder / "b.html").write_text(html_page(2), encoding="utf-8")
    (folder / "c.html.gz").write_bytes(gzip.compress(html_page(3).encode("utf-8")))
    _warc(folder / "d.warc.gz", [("https://gazette.example/news/4", "2026-03-10T08:00:00Z", html_page(4)),
                                 ("https://gazette.example/news/5", "2026-04-20T09:30:00Z", html_page(5))])
    lines = [{"url": "https://gazette.example/news/6", "html": html_page(6)}, {"text": text_page(7)}]
    (folder / "e.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    (folder / ".f.html.part").write_text(html_page(8), encoding="utf-8")  # a download in progress
    output = tmp_path / "out"
    assert build([folder], output, reference_date="2026-11-20")
    rows = records(output)
    expected = {"a.txt": 1, "b.html": 2, "c.html.gz": 3, "d.warc.gz#2": 4, "d.warc.gz#3": 5,
                "e.jsonl#1": 6, "e.jsonl#2": 7}
    assert sorted(rows) == sorted(expected)
    for source, n in expected.items():
        title, paragraphs = article(n)
        assert rows[source]["text"].split("\n\n") == paragraphs, source
        assert rows[source]["title"] == title, source
    # WARC: the record's URL and WARC-Date reach the record; "2 days ago" resolves against its own day
    assert (rows["d.warc.gz#2"]["url"], rows["d.warc.gz#2"]["date_published"]) == \
        ("https://gazette.example/news/4", "2026-03-08")
    assert (rows["d.warc.gz#3"]["url"], rows["d.warc.gz#3"]["date_published"]) == \
        ("https://gazette.example/news/5", "2026-04-18")
    # everything else resolves against the run's reference date
    assert {rows[s]["date_published"] for s in ("a.txt", "b.html", "c.html.gz", "e.jsonl#1", "e.jsonl#2")} == \
        {"2026-11-18"}
    assert rows["e.jsonl#1"]["url"] == "https://gazette.example/news/6"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["inputs"]["files"], manifest["inputs"]["documents"]) == (5, 7)
    assert (manifest["records"], manifest["rejects"], manifest["accounted"]) == (7, 0, True)
    assert manifest["skipped"] == {"files": {"hidden": 1}, "records": {"warc_warcinfo": 1}}
    assert_nothing_partial(output)


# --- SIGKILL and resume; two processes on one luigid ------------------------------------------

SHARD_SIZE = "3"


def pages_and_stories(folder: Path, count: int) -> Path:
    """``folder`` made with ``count`` distinct stories, HTML pages and text files by turns."""
    folder.mkdir()
    for n in range(count):
        if n % 2:
            (folder / f"page{n:02d}.html").write_text(html_page(n), encoding="utf-8")
        else:
            (folder / f"story{n:02d}.txt").write_text(text_page(n), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def many_inputs(tmp_path_factory) -> Path:
    return pages_and_stories(tmp_path_factory.mktemp("many") / "in", 36)


@pytest.fixture(scope="module")
def uninterrupted(many_inputs, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("uninterrupted")
    assert build([many_inputs], output, shard_size=int(SHARD_SIZE))
    return output


def started_until_cleaned(run: list[str], output: Path, shards: int) -> subprocess.Popen:
    """``newsclean`` started in a session of its own, returned once ``shards`` clean shards are written."""
    process = newsclean(*run, start_new_session=True)
    clean = output / "_work" / "clean"
    deadline = time.monotonic() + 60
    while len(list(clean.glob("*.jsonl"))) < shards if clean.exists() else True:
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.05)
    return process


def assert_resumes_to(run: list[str], output: Path, uninterrupted: Path) -> None:
    """The same command, run again, ends with the bytes of an uninterrupted run."""
    assert not (output / "_SUCCESS").exists()
    assert_nothing_partial(output)
    finish(newsclean(*run))
    assert record_bytes(output) == record_bytes(uninterrupted)
    assert (output / "rejects.jsonl").read_bytes() == (uninterrupted / "rejects.jsonl").read_bytes()
    assert_nothing_partial(output)
    assert not [p for p in (output / "_work").rglob("*") if "luigi-tmp" in p.name or p.suffix == ".tmp"]


@pytest.fixture
def busy_machine():
    """A process spinning on one CPU beside the test, as other jobs on a shared machine do."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield spinner
    finally:
        spinner.kill()
        spinner.wait(timeout=10)


@pytest.mark.parametrize("loaded", [False, True], ids=["quiet", "under_load"])
def test_sigkill_then_rerun_gives_the_same_records(many_inputs, uninterrupted, tmp_path, request, loaded):
    if loaded:
        request.getfixturevalue("busy_machine")
    output = tmp_path / "out"
    run = ["run", str(many_inputs), "--output", str(output), "--workers", "2", "--shard-size", SHARD_SIZE]
    process = started_until_cleaned(run, output, 2)
    os.killpg(process.pid, signal.SIGKILL)  # the whole process tree, as a crash or the OOM killer would
    process.communicate(timeout=30)
    assert_resumes_to(run, output, uninterrupted)


def _group_gone(pgid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum, workers, code", [(signal.SIGINT, "2", 130), (signal.SIGTERM, "1", 143)])
def test_a_signal_stops_the_run_at_once_and_the_rerun_resumes(many_inputs, uninterrupted, tmp_path,
                                                              signum, workers, code):
    output = tmp_path / "out"
    run = ["run", str(many_inputs), "--output", str(output), "--workers", workers, "--shard-size", SHARD_SIZE]
    process = started_until_cleaned(run, output, 1)
    process.send_signal(signum)  # to the main process only, as `kill PID` does
    started = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert (process.returncode, err) == (code, "newsclean: interrupted; run the same command again to resume\n")
    assert _group_gone(process.pid)  # no worker process is left running
    assert_resumes_to(run, output, uninterrupted)


@pytest.fixture
def luigid(tmp_path):
    with luigid_server(tmp_path) as url:
        yield url


def _done(log: str, family: str) -> list[str]:
    # Luigi's own log line when a worker finishes a task
    return re.findall(rf"\) done +{family}\((.*)\)$", log, re.M)


def test_two_processes_share_one_run_through_luigid(many_inputs, uninterrupted, luigid, tmp_path):
    output = tmp_path / "shared"
    run = ["run", str(many_inputs), "--output", str(output), "--workers", "1", "--shard-size", SHARD_SIZE,
           "--scheduler-url", luigid, "--verbose"]
    first = newsclean(*run)
    time.sleep(0.5)
    second = newsclean(*run)
    logs = [finish(first), finish(second)]
    shards = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["shards"]
    cleaned = Counter(re.search(r"shard_id=(\w+)", done).group(1)
                      for log in logs for done in _done(log, "CleanShard"))
    assert len(cleaned) == shards and set(cleaned.values()) == {1}  # each shard once, by one process
    for family in ("IndexBatch", "CleanRun"):
        assert sum(len(_done(log, family)) for log in logs) == 1
    assert sum(len(_done(log, "FinaliseShard")) for log in logs) == shards
    assert record_bytes(output) == record_bytes(uninterrupted)
    # per-shard progress reached the central scheduler
    query = urllib.request.quote(json.dumps({"status": "DONE"}))
    tasks = json.loads(urllib.request.urlopen(f"{luigid}/api/task_list?data={query}", timeout=10).read())["response"]
    progress = {t["params"]["shard_id"]: (t["progress_percentage"], t["status_message"])
                for t in tasks.values() if t["name"] == "CleanShard"}
    assert sorted(progress) == sorted(cleaned)
    assert {p for p, _ in progress.values()} == {100}
    assert all(re.fullmatch(r"(\d+)/\1 inputs", message) for _, message in progress.values())


# --- the output folder: links, a full disk, a lock, its own files as inputs ----------------------

def _cli(capsys, *args: str) -> tuple[int, list[str]]:
    """Exit code and stderr lines of one in-process ``newsclean`` command."""
    luigi.task_register.Register.clear_instance_cache()
    capsys.readouterr()
    code = cli.main([*args, "--no-progress"])
    return code, capsys.readouterr().err.splitlines()


def _small_inputs(folder: Path, numbers) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (folder / f"story{n:02d}.txt").write_text(text_page(n), encoding="utf-8")
    return folder


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_work_folder_linked_elsewhere_is_refused_and_nothing_there_is_touched(tmp_path, capsys):
    scratch = tmp_path / "s"
    (scratch / "deep").mkdir(parents=True)
    (scratch / "deep" / "important.tmp").write_text("k\n", encoding="utf-8")
    (scratch / "index").mkdir()
    (scratch / "index" / "other.json").write_text("{}", encoding="utf-8")
    output = tmp_path / "o"
    output.mkdir()
    (output / "_work").symlink_to(scratch)
    code, err = _cli(capsys, "run", str(_small_inputs(tmp_path / "in", [1])), "--output", str(output))
    assert code == 2
    assert err == [f"newsclean: {output}/_work is a symbolic link (to {scratch}); newsclean writes and deletes "
                   "only inside the output folder: make it a real folder"]
    assert _tree(scratch) == {"deep/important.tmp": b"k\n", "index/other.json": b"{}"}
    assert sorted(p.name for p in output.iterdir()) == ["_work"]


def test_a_full_disk_while_publishing_keeps_the_previous_output_and_exits_1(tmp_path, capsys, monkeypatch):
    output = tmp_path / "out"
    inputs = _small_inputs(tmp_path / "in", [1, 2])
    assert _cli(capsys, "run", str(inputs), "--output", str(output))[0] == 0
    previous = {name: data for name, data in _tree(output).items() if not name.startswith(("_work", "_state"))}
    _small_inputs(inputs, [3])  # a new plan, to be published over the old one

    def full(source, target, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfileobj", full)  # writing rejects.jsonl hits a full disk
    code, err = _cli(capsys, "run", str(inputs), "--output", str(output))
    assert code == 1
    assert err == [f"newsclean: publishing the run in {output} failed (No space left on device); "
                   "the previous output is unchanged"]
    assert {name: data for name, data in _tree(output).items() if not name.startswith(("_work", "_state"))} == \
        previous
    manifest = json.loads(previous["manifest.json"])
    assert all(name in previous for name in manifest["record_files"])  # still readable as the manifest says
    monkeypatch.undo()
    assert _cli(capsys, "run", str(inputs), "--output", str(output))[0] == 0  # space again: the run completes
    assert sorted(records(output)) == ["story01.txt", "story02.txt", "story03.txt"]


def test_a_second_run_of_another_plan_stops_at_once_naming_the_holder(tmp_path, capsys):
    output = tmp_path / "out"
    inputs = _small_inputs(tmp_path / "in", [1])
    with output_lock(str(output), "another-plan"):
        started = time.monotonic()
        code, err = _cli(capsys, "run", str(inputs), "--output", str(output))
        seconds = time.monotonic() - started
    assert code == 1
    assert err == [f"newsclean: {output} is in use by another run (pid {os.getpid()} on host "
                   f"{socket.gethostname()}); wait for it to end or give another --output"]
    assert seconds < 5  # before any cleaning
    assert not (output / "_work" / "clean").exists()
    assert _cli(capsys, "run", str(inputs), "--output", str(output))[0] == 0  # the lock is gone with its holder


def test_an_output_inside_an_input_folder_is_not_read_back(tmp_path, capsys):
    nest = _small_inputs(tmp_path / "nest", [1, 2])
    for _ in range(3):
        assert _cli(capsys, "run", str(nest), "--output", str(nest / "out"))[0] == 0
        manifest = json.loads((nest / "out" / "manifest.json").read_text(encoding="utf-8"))
        assert (manifest["inputs"]["documents"], manifest["records"]) == (2, 2)
        assert manifest["skipped"]["files"] == {"run_output": 1}


# --- daily partitions -------------------------------------------------------------------------

def _stamps(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))
            if p.is_file()}


def _daily(inputs: Path, output: Path, start: str = "2026-11-20", stop: str = "2026-11-23") -> None:
    luigi.task_register.Register.clear_instance_cache()
    assert cli.main(["daily", str(inputs), "--output", str(output), "--start", start, "--stop", stop]) == 0


def test_daily_partitions_redo_only_what_changed(tmp_path):
    inputs, output = tmp_path / "input", tmp_path / "output"
    for day, numbers in (("2026-11-20", (1, 2)), ("2026-11-21", (3, 4))):
        (inputs / day).mkdir(parents=True)
        for n in numbers:
            (inputs / day / f"story{n}.txt").write_text(text_page(n), encoding="utf-8")
    _daily(inputs, output)
    # relative dates resolve against each partition's own day
    assert {r["date_published"] for r in records(output / "2026-11-20").values()} == {"2026-11-18"}
    assert {r["date_published"] for r in records(output / "2026-11-21").values()} == {"2026-11-19"}
    assert not (output / "2026-11-22").exists()  # a day without input folder: skipped, no partition
    before = _stamps(output)

    _daily(inputs, output)  # nothing new: nothing runs, nothing is touched
    assert _stamps(output) == before

    (inputs / "2026-11-21" / "story5.txt").write_text(text_page(5), encoding="utf-8")
    _daily(inputs, output)
    after = _stamps(output)
    assert {k: v for k, v in after.items() if k.startswith("2026-11-20/")} == \
        {k: v for k, v in before.items() if k.startswith("2026-11-20/")}
    assert sorted(records(output / "2026-11-21")) == ["story3.txt", "story4.txt", "story5.txt"]

    (inputs / "2026-11-22").mkdir()
    (inputs / "2026-11-22" / "story6.txt").write_text(text_page(6), encoding="utf-8")
    _daily(inputs, output)
    latest = _stamps(output)
    for day in ("2026-11-20/", "2026-11-21/"):
        assert {k: v for k, v in latest.items() if k.startswith(day)} == \
            {k: v for k, v in after.items() if k.startswith(day)}
    assert {s: r["date_published"] for s, r in records(output / "2026-11-22").items()} == {"story6.txt": "2026-11-20"}


def test_daily_goes_past_fifty_days_skips_missing_folders_and_says_so(tmp_path, capsys):
    from datetime import date, timedelta

    inputs, output = tmp_path / "input", tmp_path / "output"
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(65)]
    missing = {days[4], days[30], days[31], days[32], days[64]}
    for n, day in enumerate(days):
        if day not in missing:
            (inputs / day.isoformat()).mkdir(parents=True)
            (inputs / day.isoformat() / f"story{n}.txt").write_text(text_page(n), encoding="utf-8")
    capsys.readouterr()
    _daily(inputs, output, "2026-01-01", "2026-03-07")
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary == ("newsclean: daily 2026-01-01 to 2026-03-06 (65 days): 60 cleaned (60 records, 0 rejects), "
                       "0 already done, 5 skipped without an input folder "
                       f"(2026-01-05, 2026-01-31..2026-02-02, 2026-03-06) -> {output}")
    partitions = sorted(p.name for p in output.iterdir() if p.name != "_state")
    assert partitions == sorted(d.isoformat() for d in days if d not in missing)
    assert all(len(records(output / name)) == 1 for name in partitions)
    # the relative "2 days ago" of the last day resolves against that day
    assert [r["date_published"] for r in records(output / "2026-03-05").values()] == ["2026-03-03"]

    (inputs / "2026-01-05").mkdir()
    (inputs / "2026-01-05" / "late.txt").write_text(text_page(99), encoding="utf-8")
    _daily(inputs, output, "2026-01-01", "2026-03-07")
    assert capsys.readouterr().out.splitlines()[-1] == (
        "newsclean: daily 2026-01-01 to 2026-03-06 (65 days): 1 cleaned (1 records, 0 rejects), "
        f"60 already done, 4 skipped without an input folder (2026-01-31..2026-02-02, 2026-03-06) -> {output}")


@pytest.mark.parametrize("make, said", [(lambda p: None, "not found"),
                                        (lambda p: p.write_text("x", encoding="utf-8"), "is not a folder")])
def test_daily_refuses_an_input_root_that_is_no_folder(tmp_path, capsys, make, said):
    root = tmp_path / "root"
    make(root)
    capsys.readouterr()
    code = cli.main(["daily", str(root), "--output", str(tmp_path / "out"), "--start", "2026-01-01"])
    assert (code, capsys.readouterr().err.splitlines()) == (2, [f"newsclean: input root {said}: {root}"])
    assert not (tmp_path / "out").exists()
