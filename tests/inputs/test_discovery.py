"""Finding inputs: stable order, each file once, every left-out entry named with its reason."""
from __future__ import annotations

import os

import pytest

from reading_helpers import PAGE, only_doc, write
from pipeline.inputs.discovery import InputFile, Skipped, discover_inputs, skipped_inputs


def test_discover_walks_folders_in_stable_order_and_skips_what_is_not_input(tmp_path):
    root = tmp_path / "in"
    write(root / "sub" / "a b.html", PAGE)
    write(root / "Zürich ñ.txt", "Text")
    write(root / "b.txt", "Text")
    write(root / ".hidden.txt", "secret")
    write(root / ".git" / "config.txt", "secret")
    outside = write(tmp_path / "outside.txt", "not under the root")
    (root / "link-out.txt").symlink_to(outside.path)
    (root / "link-in.txt").symlink_to(root / "b.txt")
    (root / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(root / "pipe.txt")
    single = write(tmp_path / "single.html", PAGE)

    found = discover_inputs([root, single.path, root / "b.txt"])
    assert [(f.root, f.source) for f in found] == [
        (root, "Zürich ñ.txt"),
        (root, "b.txt"),  # link-in.txt is the same physical file, kept once
        (root, "sub/a b.html"),
        (tmp_path, "single.html"),
    ]
    assert all(f.path.is_absolute() and f.path == f.root / f.source for f in found)
    assert found[2].size() == len(PAGE.encode("utf-8"))
    assert skipped_inputs([root, single.path, root / "b.txt"]) == [
        Skipped(".git", "hidden"), Skipped(".hidden.txt", "hidden"), Skipped("link-in.txt", "same_file_twice"),
        Skipped("link-out.txt", "link_outside_folder"), Skipped("linked-dir", "link_to_folder"),
        Skipped("pipe.txt", "not_a_regular_file"), Skipped("b.txt", "same_file_twice"),
    ]


def test_file_name_that_is_not_utf8_gets_an_escaped_source_that_maps_back(tmp_path):
    (tmp_path / "in").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9 latin-1.txt"), "wb") as handle:
        handle.write(b"Some text.")
    [found] = discover_inputs([tmp_path / "in"])
    assert found.source == "caf\\xe9 latin-1.txt"
    found.source.encode("utf-8")  # safe in records and task parameters
    rebuilt = InputFile.at(found.root, found.source)
    assert rebuilt == found
    assert only_doc(rebuilt).content == "Some text."


def test_escaped_look_alike_and_non_utf8_name_are_two_documents(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Latin-1 name.")
    write(root / "caf\\xe9.txt", "Backslash name.")  # a name spelt like the escape of the other
    write(root / "a\\x5c.txt", "Spelt like an escaped backslash.")
    found = discover_inputs([root])
    assert sorted(f.source for f in found) == ["a\\x5cx5c.txt", "caf\\x5cxe9.txt", "caf\\xe9.txt"]
    contents = {f.source: only_doc(InputFile.at(f.root, f.source)).content for f in found}
    assert contents == {"caf\\xe9.txt": "Latin-1 name.", "caf\\x5cxe9.txt": "Backslash name.",
                        "a\\x5cx5c.txt": "Spelt like an escaped backslash."}
    assert all(InputFile.at(f.root, f.source) == f for f in found)


def test_a_symlink_loop_is_skipped_with_its_reason_and_discovery_goes_on(tmp_path):
    root = tmp_path / "in"
    write(root / "a.txt", "Text")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "ping.txt").symlink_to(root / "pong.txt")
    (root / "pong.txt").symlink_to(root / "ping.txt")
    assert [f.source for f in discover_inputs([root])] == ["a.txt"]
    assert skipped_inputs([root]) == [Skipped("loop.txt", "link_loop"), Skipped("ping.txt", "link_loop"),
                                      Skipped("pong.txt", "link_loop")]


def test_a_folder_that_cannot_be_listed_is_skipped_as_unreadable(tmp_path, monkeypatch):
    root = tmp_path / "in"
    write(root / "a.txt", "Text")
    write(root / "locked" / "b.txt", "Text")
    listdir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):  # as chmod 000 does for a user other than root
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return listdir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [f.source for f in discover_inputs([root])] == ["a.txt"]
    assert skipped_inputs([root]) == [Skipped("locked", "unreadable")]


def test_the_runs_own_output_and_state_folders_are_not_inputs(tmp_path):
    root = tmp_path / "nest"
    write(root / "story.txt", "Text")
    write(root / "out" / "records-0.jsonl", '{"text": "already cleaned"}\n')
    write(root / "out" / "_work" / "clean" / "s.jsonl", "{}\n")
    write(root / "state" / "site-stats-p.json", "{}\n")
    exclude = {root / "out": "run_output", root / "state": "run_state"}
    assert [f.source for f in discover_inputs([root], exclude)] == ["story.txt"]
    assert skipped_inputs([root], exclude) == [Skipped("out", "run_output"), Skipped("state", "run_state")]
    assert skipped_inputs([root / "out"], exclude) == [Skipped("out", "run_output")]  # given by name, too


def test_discover_refuses_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover_inputs([tmp_path / "nope"])
