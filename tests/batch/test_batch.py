"""Batch mechanics seen from the command line: progress, worker settings, scaling inputs."""
from pathlib import Path

from pipeline import cli
from pipeline.measure.benchmark import scale_inputs


def test_cli_worker_settings_leave_a_users_luigi_cfg_alone(monkeypatch):
    from luigi.configuration import get_config

    config = get_config()
    monkeypatch.setattr(config, "_sections", {}, raising=False)  # start from no [worker] table
    config.add_section("worker")
    config.set("worker", "wait_interval", "7")
    cli._configure_luigi(shared=True)
    assert (config.get("worker", "wait_interval"), config.get("worker", "keep_alive"),
            config.get("worker", "wait_jitter")) == ("7", "true", "0.3")


def test_scale_inputs_copies_under_new_names_keeping_extensions(tmp_path):
    source = tmp_path / "dev" / "html"
    (source / "site").mkdir(parents=True)
    (source / "site" / "a.html.gz").write_bytes(b"a")
    (source / "b.txt").write_bytes(b"b")
    scaled = scale_inputs([str(source)], 3, tmp_path / "x3")
    root = Path(scaled[0])
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == \
        ["b.txt", "b~2.txt", "b~3.txt", "site/a.html.gz", "site/a~2.html.gz", "site/a~3.html.gz"]
