"""The command line's surface: help on every option, --version, and one line and an exit code for each error."""
import argparse
import errno
import os
from pathlib import Path

import pytest

from pipeline import __version__, cli


def _options(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {opt}", help_) for opt, help_ in _options(sub))
        elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield "/".join(action.option_strings) or action.dest, action.help


def test_every_option_of_every_command_has_plain_help():
    parser = cli.build_parser()
    options = dict(_options(parser))
    assert "daily --workers" in options and "run --output" in options and "report --sample" in options
    assert sorted(name for name, text in options.items() if not text) == []
    texts = [parser.format_help()] + [text for text in options.values()]
    assert [text for text in texts if "``" in text or ":mod:" in text] == []


def test_version_prints_the_version(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert (stop.value.code, capsys.readouterr().out) == (0, f"newsclean {__version__}\n")


def _run(capsys, *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = cli.main(list(args))
    return code, capsys.readouterr().err.splitlines()


def test_an_output_that_is_a_file_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Some words.\n", encoding="utf-8")
    (tmp_path / "out").write_text("mine\n", encoding="utf-8")
    assert _run(capsys, "run", str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--no-progress") == \
        (2, [f"newsclean: --output {tmp_path / 'out'} is a file, not a folder: give a folder (it is created if missing)"])
    assert (tmp_path / "out").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("code, text", [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")])
def test_a_folder_newsclean_cannot_write_in_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, code, text):
    # the tests may run as root, whom chmod does not stop: the file system's refusal is simulated
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Some words.\n", encoding="utf-8")

    def refuse(self, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "touch", refuse)
    assert _run(capsys, "run", str(tmp_path / "in"), "--output", str(tmp_path / "ro"), "--no-progress") == \
        (2, [f"newsclean: cannot write in --output {tmp_path / 'ro'}: {text}"])
    assert not (tmp_path / "ro" / "_work").exists()


def test_a_disk_error_is_one_line_and_exit_1_and_verbose_adds_the_traceback(tmp_path, capsys, monkeypatch):
    def broken(args):
        raise OSError(errno.EIO, os.strerror(errno.EIO), "/data/manifest.json")

    monkeypatch.setitem(cli.COMMANDS, "report", broken)
    assert _run(capsys, "report", str(tmp_path)) == (1, ["newsclean: Input/output error: /data/manifest.json"])
    monkeypatch.setitem(cli.COMMANDS, "daily", broken)
    code, err = _run(capsys, "daily", str(tmp_path), "--start", "2026-11-01", "--verbose")
    assert (code, err[0], err[-1]) == (1, "Traceback (most recent call last):",
                                       "newsclean: Input/output error: /data/manifest.json")


def test_an_unexpected_error_is_one_line_and_ctrl_c_outside_the_run_is_exit_130(tmp_path, capsys, monkeypatch):
    def bug(args):
        raise ValueError("a bug")

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "report", bug)
    assert _run(capsys, "report", str(tmp_path)) == \
        (1, ["newsclean: ValueError: a bug (run again with --verbose for the traceback)"])
    monkeypatch.setitem(cli.COMMANDS, "report", interrupted)
    assert _run(capsys, "report", str(tmp_path)) == \
        (130, ["newsclean: interrupted; run the same command again to resume"])
