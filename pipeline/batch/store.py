"""Where a run's output lives: a local folder, or a prefix in object storage mirrored by a local spool.

Tasks read and write local files as they always have. For a local output the folder the
tasks write is the output itself and nothing more happens. For an output in object storage
(``s3://bucket/clean``: any fsspec URL) the tasks write in a spool folder of the machine
they run on, laid out like an output folder; every finished target is uploaded to the same
relative key under the URL, and a task reads its inputs from there, so any task can run on
any machine and all of them share one run through luigid. The storage is the truth:
whether a target is done is asked of the storage, never of a spool.

An upload is atomic: the object goes to a temporary key under ``_work/tmp/`` and is then
moved to its name, so a reader never sees a partial object (S3 shows an object only once its
upload completes; the move keeps that promise on stores that would not).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterable

import luigi

from pipeline.batch.folder import WORK_DIR
from pipeline.inputs.storage import filesystem, is_remote, local_path

TMP_FOLDER = "tmp"
# a temporary key older than this is left by a killed upload (one upload takes seconds)
_TMP_STALE_SECONDS = 3600


def output_location(location: str) -> str:
    """An output as task ids hold it: a storage URL without its trailing slash, a path absolute."""
    if is_remote(location):
        return location.rstrip("/")
    return os.path.abspath(local_path(location))


def spool_folder(url: str) -> Path:
    """The local folder that mirrors the output ``url`` on this machine (under the system's temporary folder)."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir(), "newsclean-spool", digest)


class Store:
    """One output location: ``local`` is the folder tasks write; for a URL, ``fs`` and ``base`` reach the storage."""

    def __init__(self, location: str):
        self.location = location
        self.remote = is_remote(location)
        if self.remote:
            self.base = filesystem_uncached(location)[1].rstrip("/")
            self.local = spool_folder(location)
        else:
            self.base = None
            self.local = Path(local_path(location))

    @property
    def fs(self):
        # asked each time: fsspec keeps one instance per process, and Luigi forks workers
        return filesystem_uncached(self.location)[0]

    def key(self, path: Path | str) -> str:
        """The storage key of the spool file ``path`` (or of a name relative to the output)."""
        relative = Path(path).relative_to(self.local).as_posix() if Path(path).is_absolute() else str(path)
        return f"{self.base}/{relative}"

    def url(self, relative: str) -> str:
        return f"{self.location}/{relative}" if self.remote else str(self.local / relative)

    def target(self, path: Path | str, **kwargs) -> luigi.LocalTarget:
        """A Luigi target for the file ``path`` of the output; done when the storage holds it."""
        return StoredTarget(str(path), self, **kwargs) if self.remote else luigi.LocalTarget(str(path), **kwargs)

    def exists(self, path: Path | str) -> bool:
        return self.fs.exists(self.key(path)) if self.remote else Path(path).exists()

    def fetch(self, path: Path | str, if_missing: bool = False) -> None:
        """Copy the stored object of ``path`` into the spool (whole, by rename), unless it is local.

        ``if_missing`` keeps a spool copy already there: for files named by the digest of
        what they hold (plans, a plan's index and finalised files).
        """
        if not self.remote or (if_missing and Path(path).exists()):
            return
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.fetch.tmp")
        try:
            self.fs.get_file(self.key(path), str(tmp))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def upload(self, paths: Iterable[Path | str]) -> None:
        """Each spool file of ``paths`` in storage, in order, each whole (a temporary key, then moved)."""
        if not self.remote:
            return
        for path in paths:
            self.fs.mv(self.stage(path), self.key(path))

    def stage(self, path: Path | str) -> str:
        """The spool file ``path`` uploaded to a temporary key of its own; that key."""
        tmp = f"{self.base}/{WORK_DIR}/{TMP_FOLDER}/{uuid.uuid4().hex}.tmp"
        self.fs.put_file(str(path), tmp)
        return tmp

    def read_text(self, relative: str) -> str | None:
        """The stored text of ``relative`` (None when it is missing or unreadable)."""
        try:
            if self.remote:
                return self.fs.cat_file(self.key(relative)).decode("utf-8")
            return Path(self.local, relative).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None

    def keys(self, folder: str) -> list[str]:
        """Names (relative to the output) of every stored object under ``folder``, sorted."""
        try:
            found = self.fs.find(self.key(folder))
        except FileNotFoundError:
            return []
        return sorted(key[len(self.base) + 1:] for key in found)

    def remove(self, relative: str) -> None:
        try:
            self.fs.rm_file(self.key(relative))
        except FileNotFoundError:
            pass

    def drop_stale_uploads(self) -> None:
        """Temporary keys left by killed uploads (older than an hour: a live upload is never touched)."""
        for relative in self.keys(f"{WORK_DIR}/{TMP_FOLDER}"):
            try:
                modified = self.fs.modified(self.key(relative)).timestamp()
            except (OSError, NotImplementedError):
                continue
            if time.time() - modified > _TMP_STALE_SECONDS:
                self.remove(relative)


def filesystem_uncached(url: str):
    """``filesystem(url)`` without fsspec's listings cache: other processes and machines add objects."""
    try:
        return filesystem(url, use_listings_cache=False)
    except TypeError:  # a backend that takes no such option
        return filesystem(url)


class StoredTarget(luigi.LocalTarget):
    """A file written in the spool and done once its object is in storage."""

    def __init__(self, path: str, store: Store, **kwargs):
        super().__init__(path, **kwargs)
        self.store = store

    def exists(self) -> bool:
        return self.store.exists(self.path)
