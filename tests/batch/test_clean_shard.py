"""Cleaning a shard: each worker process warms up once, outside any budget."""
import io
import signal

from batch_helpers import input_files
from pipeline.batch.clean import clean_shard
from pipeline.config import load_config
from pipeline.inputs.discovery import discover_inputs


def test_each_process_warms_up_once_outside_any_budget_before_its_first_document(tmp_path, monkeypatch):
    import pipeline.batch.clean
    import pipeline.cleaner
    from pipeline.cleaner import Cleaner
    from pipeline.inputs.limits import Limits

    calls = []
    run_steps = pipeline.cleaner.run_steps

    def recording(raw, *args):
        calls.append((raw.source, signal.getitimer(signal.ITIMER_PROF)[0] > 0))  # (source, under a budget)
        return run_steps(raw, *args)

    monkeypatch.setattr(pipeline.cleaner, "run_steps", recording)
    monkeypatch.setattr(pipeline.batch.clean, "_warmed", False)  # a fresh worker process
    config = load_config()
    cleaner, limits = Cleaner.from_config(config), Limits.from_config(config)
    files = discover_inputs([input_files(tmp_path, 2)])
    clean_shard(files[:1], cleaner, limits, io.StringIO())
    clean_shard(files[1:], cleaner, limits, io.StringIO())
    assert calls == [("warm-up.html", False), ("warm-up.txt", False), ("doc000.txt", True), ("doc001.txt", True)]
