"""Finding input files: folders walked in a stable order, each file once, every left-out entry named."""
from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator, Mapping, Sequence

from pipeline.inputs import storage

@dataclass(frozen=True)
class InputFile:
    """One file to read: where it is, the argument it was found under, and its stable name.

    A local file has a ``Path`` root; an object in storage has its URL prefix as ``root``
    (a string), its key as ``path`` (only its name is read, to pick the format) and ``url``.
    """

    path: Path | PurePosixPath
    root: Path | str
    source: str
    url: str | None = None

    def size(self) -> int:
        return storage.object_size(self.url) if self.url else self.path.stat().st_size

    def open(self) -> IO[bytes]:
        """The file's bytes, opened for reading (a seekable binary file either way)."""
        return storage.open_object(self.url) if self.url else open(self.path, "rb")

    @property
    def root_name(self) -> str:
        """``root`` as plans and task parameters write it."""
        return self.root if isinstance(self.root, str) else self.root.as_posix()

    @classmethod
    def at(cls, root: Path | str, source: str) -> "InputFile":
        """The file ``source`` names under ``root``, undoing the escapes ``_source_name`` made."""
        if isinstance(root, str) and storage.is_remote(root):
            return _remote_file(root, source)
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), source.encode("utf-8"))
        return cls(path=Path(root) / os.fsdecode(name), root=Path(root), source=source)


def _remote_file(root: str, source: str) -> InputFile:
    url = f"{root.rstrip('/')}/{source}"
    return InputFile(path=PurePosixPath(source), root=root, source=source, url=url)


# A file name's bytes that are not UTF-8 appear in ``source`` as \xNN, so that records
# and task parameters stay valid UTF-8; a backslash of the name that would read as such
# an escape is written \x5c itself, so that two names never give one source, and
# ``InputFile.at`` maps every source back to its one file.
_ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")
_LOOKS_ESCAPED = re.compile(rb"\\(?=x[0-9a-fA-F]{2})")


def _source_name(relative: str) -> str:
    return _LOOKS_ESCAPED.sub(rb"\\x5c", os.fsencode(relative)).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Skipped:
    """Something found that is not an input document, and why (a file or an archive record)."""

    source: str
    reason: str


def discover_inputs(paths: Sequence[Path | str], exclude: Mapping[Path | str, str] | None = None) -> list[InputFile]:
    """Input files under ``paths`` (files, or folders walked), in a stable order, each once.

    Hidden files and folders are skipped, symlinked folders are not entered, symlinked
    files are kept only when they point inside their folder, and only regular files are
    kept (a FIFO would block the reader).  A URL of object storage (``s3://bucket/prefix``)
    is listed recursively through fsspec with the same rule for hidden names.  The folders of ``exclude`` (the run's own
    output and state) are not entered, each skipped with the reason it maps to.
    ``skipped_inputs`` says what was left out.
    """
    return [f for f, reason in _candidates(paths, exclude or {}) if reason is None]


def skipped_inputs(paths: Sequence[Path | str], exclude: Mapping[Path | str, str] | None = None) -> list[Skipped]:
    """What ``discover_inputs`` leaves out of ``paths``, each with the reason, in a stable order."""
    return [Skipped(f.source, reason) for f, reason in _candidates(paths, exclude or {}) if reason is not None]


def _candidates(paths: Sequence[Path | str], exclude: Mapping[Path | str, str]) -> Iterator[tuple[InputFile, str | None]]:
    """Every entry found under ``paths``, with the reason it is not an input (None: it is one)."""
    seen: set[tuple[int, int]] = set()
    excluded = {os.path.realpath(folder): reason for folder, reason in exclude.items()
                if not (isinstance(folder, str) and storage.is_remote(folder))}
    excluded_urls = {folder.rstrip("/"): reason for folder, reason in exclude.items()
                     if isinstance(folder, str) and storage.is_remote(folder)}
    for given in paths:
        if isinstance(given, str) and storage.is_remote(given):
            yield from _list_remote(given, excluded_urls)
            continue
        given = Path(os.path.abspath(storage.local_path(str(given))))
        inside = _excluded_reason(given, excluded)
        if inside:
            candidates = [(InputFile(path=given, root=given.parent, source=_source_name(given.name)), inside)]
        elif given.is_dir():
            candidates = _walk(given, excluded)
        elif given.exists():
            candidates = [(InputFile(path=given, root=given.parent, source=_source_name(given.name)), None)]
        else:
            raise FileNotFoundError(f"input {given} does not exist")
        for f, reason in candidates:
            if reason is None:
                try:
                    info = f.path.stat()
                except OSError as exc:
                    reason = "link_loop" if exc.errno == errno.ELOOP else (
                        "dangling_link" if f.path.is_symlink() else "unreadable")
                else:
                    if not stat.S_ISREG(info.st_mode):
                        reason = "not_a_regular_file"
                    elif (info.st_dev, info.st_ino) in seen:
                        reason = "same_file_twice"
                    else:
                        seen.add((info.st_dev, info.st_ino))
            yield f, reason


def _list_remote(url: str, excluded: Mapping[str, str]) -> list[tuple[InputFile, str | None]]:
    """The objects under ``url`` (a prefix, listed recursively, or one object), sorted by name.

    An object under one of the ``excluded`` URLs (a run's output in the same bucket) gets its reason.
    """
    fs, path = storage.filesystem(url)
    scheme = storage.scheme_of(url)
    if fs.isfile(path):
        root, _, name = url.rstrip("/").rpartition("/")
        return [(_remote_file(root, name), None)]
    if not fs.isdir(path):
        raise FileNotFoundError(f"input {url} does not exist")
    root = f"{scheme}://{path.strip('/')}"
    found = []
    for key in fs.find(path):
        relative = key[len(path.strip("/")):].lstrip("/")
        hidden = any(part.startswith(".") for part in relative.split("/"))
        f = _remote_file(root, relative)
        reason = next((why for folder, why in excluded.items() if f.url.startswith(folder + "/")), None)
        found.append((f, reason or ("hidden" if hidden else None)))
    return sorted(found, key=lambda item: item[0].source)


def _excluded_reason(path: Path, excluded: Mapping[str, str]) -> str | None:
    """The reason ``path`` is left out when it is one of the excluded folders."""
    return excluded.get(os.path.realpath(path)) if excluded else None


def _walk(root: Path, excluded: Mapping[str, str]) -> list[tuple[InputFile, str | None]]:
    real_root = os.path.realpath(root)
    found = []

    def entry(path: Path, reason: str | None) -> None:
        found.append((InputFile(path=path, root=root, source=_source_name(path.relative_to(root).as_posix())), reason))

    def unreadable(error: OSError) -> None:
        # os.walk would pass over a folder it cannot list without a word
        if error.filename and Path(error.filename) != root:
            entry(Path(error.filename), "unreadable")
        else:
            raise error

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=False):
        kept = []
        for name in dirs:
            path = Path(folder, name)
            reason = "hidden" if name.startswith(".") else (
                "link_to_folder" if path.is_symlink() else _excluded_reason(path, excluded))
            if reason:  # a link is not entered either: no loops, no escape
                entry(path, reason)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in names:
            path = Path(folder, name)
            if name.startswith("."):
                entry(path, "hidden")
            elif path.is_symlink():
                target = os.path.realpath(path)  # a loop resolves to itself, and then fails stat as link_loop
                inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
                entry(path, None if inside else "link_outside_folder")
            else:
                entry(path, None)
    return sorted(found, key=lambda item: item[0].source)
