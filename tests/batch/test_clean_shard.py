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
    monkeypatch.setattr(pipeline.batch.clean, "_warmed", set())  # a fresh worker process
    config = load_config()
    cleaner, limits = Cleaner.from_config(config), Limits.from_config(config)
    folder = input_files(tmp_path, 2)
    (folder / "page.html").write_text("<html><body><p>A page after the texts.</p></body></html>", encoding="utf-8")
    files = discover_inputs([folder])
    clean_shard(files[:1], cleaner, limits, io.StringIO())
    clean_shard(files[1:], cleaner, limits, io.StringIO())
    # texts first: the page's models load only before the first page, still outside any budget
    assert calls == [("warm-up.txt", False), ("doc000.txt", True), ("doc001.txt", True),
                     ("warm-up.html", False), ("page.html", True)]


def test_input_kinds_are_told_by_file_names_and_an_archive_may_hold_either(tmp_path):
    import pipeline.batch.clean
    from pipeline.inputs.discovery import InputFile

    def kinds(*names):
        return pipeline.batch.clean.input_kinds([InputFile(path=tmp_path / n, root=tmp_path, source=n) for n in names])

    assert kinds("a.txt", "b.TXT.gz") == {"text"}
    assert kinds("a.txt", "b.html") == {"html", "text"}
    assert kinds("a.htm") == {"html"}
    assert kinds("a.warc.gz") == kinds("a.jsonl") == kinds("a.dump") == {"html", "text"}
    assert kinds() == set()


def test_warm_up_leaves_what_it_loaded_out_of_later_garbage_collections(monkeypatch):
    import gc

    import pipeline.batch.clean
    from pipeline.cleaner import Cleaner

    monkeypatch.setattr(pipeline.batch.clean, "_warmed", set())
    gc.unfreeze()
    pipeline.batch.clean.warm_up(Cleaner.from_config(load_config()), ["text"])
    try:
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        assert pipeline.batch.clean._warmed == {"text"}
    finally:
        gc.unfreeze()


def test_htmldate_warms_up_only_when_it_is_a_date_source(tmp_path, monkeypatch):
    import gc

    import pipeline.batch.clean
    from pipeline.cleaner import Cleaner

    called = []
    monkeypatch.setattr(pipeline.batch.clean, "warm_up_htmldate", lambda: called.append("htmldate"))
    for sources, expected in ((["meta", "url"], []), (["meta", "htmldate"], ["htmldate"])):
        monkeypatch.setattr(pipeline.batch.clean, "_warmed", set())
        path = tmp_path / f"{len(expected)}.toml"
        path.write_text(f"[metadata.html]\ndate_sources = {sources!r}\n".replace("'", '"'), encoding="utf-8")
        called.clear()
        pipeline.batch.clean.warm_up(Cleaner.from_config(load_config(path)), ["html"])
        gc.unfreeze()
        assert called == expected
