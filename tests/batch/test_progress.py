"""Progress read from the work folder: inputs, documents and rejects so far, and the log line."""
import json
import re
from pathlib import Path

import luigi

from pipeline import cli
from pipeline.batch.plan import Shard
from pipeline.batch.progress import RunProgress, Snapshot, log_line
from pipeline.inputs.discovery import InputFile

LINE = re.compile(r"newsclean: (\d+)/(\d+) inputs, (\d+) documents, (\d+) rejects, \d+\.\d documents/s, "
                  r"elapsed \d+:\d\d:\d\d, left (\d+:\d\d:\d\d|\?), shards (\d+)/(\d+) cleaned, (\d+) finalised")


def test_log_line_says_inputs_documents_rejects_rate_elapsed_and_time_left():
    line = log_line(Snapshot(inputs_done=30, inputs=120, documents=45, rejects=2, shards_cleaned=1,
                             shards_finalised=0, shards=4), elapsed=90.0)
    assert line == ("newsclean: 30/120 inputs, 45 documents, 2 rejects, 0.5 documents/s, elapsed 0:01:30, "
                    "left 0:04:30, shards 1/4 cleaned, 0 finalised")
    assert log_line(Snapshot(0, 5, 0, 0, 0, 0, 1), elapsed=0.0).endswith("left ?, shards 0/1 cleaned, 0 finalised")


def _rows(*sources_kinds) -> str:
    return "".join(json.dumps({"kind": kind, "source": source}, separators=(", ", ": ")) + "\n"
                   for source, kind in sources_kinds)


def test_a_shard_being_written_counts_its_whole_rows_and_the_inputs_before_the_last_one(tmp_path):
    members = tuple(InputFile(Path(tmp_path, n), Path(tmp_path), n) for n in ("a.html", "b.warc.gz", "c.txt"))
    shards = [Shard("s1", members), Shard("s2", members[:1])]
    clean = tmp_path / "_work" / "clean"
    clean.mkdir(parents=True)
    tmp = clean / "s1.jsonl-luigi-tmp-0000000001"
    tmp.write_text(_rows(("a.html", "record"), ("b.warc.gz#2", "reject")) + '{"kind": "record", "sou', encoding="utf-8")
    progress = RunProgress(tmp_path, "p1", shards)
    assert progress.snapshot() == Snapshot(1, 4, 2, 1, 0, 0, 2)
    with tmp.open("a", encoding="utf-8") as handle:  # the half row completed, and the next input begun
        handle.write('rce": "b.warc.gz#3"}\n' + _rows(("c.txt", "record")))
    assert progress.snapshot() == Snapshot(2, 4, 4, 1, 0, 0, 2)
    tmp.rename(clean / "s1.jsonl")
    final = tmp_path / "_work" / "final" / "p1"
    final.mkdir(parents=True)
    (final / "s2.counts.json").write_text(json.dumps({"documents": 1, "rejects": 1, "records": 0}), encoding="utf-8")
    assert progress.snapshot() == Snapshot(4, 4, 5, 2, 2, 1, 2)


def test_a_run_logs_progress_lines_and_the_last_one_has_the_manifests_counts(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(7):
        paragraphs = [f"The {town} council met on day {n + k} to vote on plan {n}, which would cost {k + 3} million "
                      f"pounds over {k + 2} years, officials said. Residents of {town} asked for a delay."
                      for k, town in enumerate(["Aldham", "Brixby", "Corwen", "Dunmore"])]
        (inputs / f"s{n}.txt").write_text(f"Plan {n} goes to a vote\n\n" + "\n\n".join(paragraphs) + "\n",
                                          encoding="utf-8")
    (inputs / "empty.txt").write_text("", encoding="utf-8")
    luigi.task_register.Register.clear_instance_cache()
    capsys.readouterr()
    assert cli.main(["run", str(inputs), "--output", str(tmp_path / "out"), "--shard-size", "3",
                     "--progress-every", "0.05"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(LINE.fullmatch(line) for line in lines), lines
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    done, total, documents, rejects, _, cleaned, shards, finalised = LINE.fullmatch(lines[-1]).groups()
    assert (int(done), int(total), int(documents), int(rejects)) == \
        (8, 8, manifest["inputs"]["documents"], manifest["rejects"]) == (8, 8, 8, 1)
    assert int(cleaned) == int(shards) == int(finalised) == manifest["shards"]
