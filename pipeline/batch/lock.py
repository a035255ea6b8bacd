"""The lock on an output folder: one plan at a time works in it."""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.batch.folder import WORK_DIR, RunError

LOCK_NAME = "lock"


class OutputLockedError(RunError):
    """Another run, of another plan, holds the output folder."""


@contextmanager
def output_lock(output_dir: str, plan: str) -> Iterator[None]:
    """Hold OUTPUT/_work/lock while a run works in ``output_dir``.

    A run of another plan finds it held and stops with OutputLockedError naming the
    holder; a process of the same plan (sharing the run through luigid) goes on beside
    it. The kernel drops the lock when its holder dies, so a killed run leaves none.
    """
    work = Path(output_dir, WORK_DIR)
    work.mkdir(parents=True, exist_ok=True)
    fd = os.open(work / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            if holder.get("plan") != plan:
                raise OutputLockedError(
                    f"{output_dir} is in use by another run (pid {holder.get('pid', '?')} on host "
                    f"{holder.get('host', '?')}); wait for it to end or give another --output") from None
        else:
            os.ftruncate(fd, 0)
            holder = {"pid": os.getpid(), "host": socket.gethostname(), "plan": plan}
            os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)


def _lock_holder(fd: int) -> dict:
    """What the lock's holder wrote of itself (just after taking it: wait a moment for it)."""
    for _ in range(20):
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"null")
        except ValueError:
            holder = None
        if isinstance(holder, dict):
            return holder
        time.sleep(0.05)
    return {}
