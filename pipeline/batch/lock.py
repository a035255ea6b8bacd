"""The lock on an output folder: one plan at a time works in it."""
from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.batch.folder import WORK_DIR, RunError
from pipeline.batch.store import Store

LOCK_NAME = "lock"


class OutputLockedError(RunError):
    """Another run, of another plan, holds the output folder."""


# An output in object storage: the lock is an object its holders rewrite every
# LOCK_REFRESH_SECONDS; one not rewritten for LOCK_STALE_SECONDS belongs to a dead run.
LOCK_STALE_SECONDS = 120.0
LOCK_REFRESH_SECONDS = 30.0
# after writing the lock object, read it back this much later: a second writer racing
# for a stale lock has overwritten it by then
_LOCK_SETTLE_SECONDS = 1.0


@contextmanager
def output_lock(output: str | Store, plan: str, stale_seconds: float = LOCK_STALE_SECONDS,
                refresh_seconds: float = LOCK_REFRESH_SECONDS) -> Iterator[None]:
    """Hold OUTPUT/_work/lock while a run works in the output.

    A run of another plan finds it held and stops with OutputLockedError naming the
    holder; a process of the same plan (sharing the run through luigid) goes on beside
    it. In a folder the lock is ``flock``'s: the kernel drops it when its holder dies, so a
    killed run leaves none. In object storage it is ``stored_lock``'s.
    """
    store = output if isinstance(output, Store) else Store(output)
    if store.remote:
        with stored_lock(store, plan, stale_seconds, refresh_seconds):
            yield
        return
    output_dir = str(store.local)
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


def _holder(plan: str, token: str) -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "plan": plan, "token": token, "time": time.time()}


def _read_lock(store: Store, key: str) -> tuple[dict | None, float]:
    """The stored lock's holder (None: no lock) and how many seconds ago it was last written."""
    try:
        holder = json.loads(store.fs.cat_file(key))
        age = time.time() - store.fs.modified(key).timestamp()
    except FileNotFoundError:
        return None, 0.0
    except (OSError, ValueError):
        return {}, 0.0  # being written, or not ours: held, by someone unknown
    return (holder if isinstance(holder, dict) else {}), age


def _create(store: Store, key: str, holder: dict) -> bool:
    """Write the lock object only if there is none (a conditional PUT on S3); whether this call made it."""
    data = (json.dumps(holder) + "\n").encode("utf-8")
    try:
        store.fs.pipe_file(key, data, mode="create")
    except FileExistsError:
        return False
    except TypeError:  # a backend without exclusive writes: look, then write
        if store.fs.exists(key):
            return False
        store.fs.pipe_file(key, data)
    return True


@contextmanager
def stored_lock(store: Store, plan: str, stale_seconds: float = LOCK_STALE_SECONDS,
                refresh_seconds: float = LOCK_REFRESH_SECONDS) -> Iterator[None]:
    """Hold the lock object OUTPUT/_work/lock of an output in object storage.

    The object names its holder (pid, host, plan). It is created only where there is none
    (S3's conditional PUT, If-None-Match), and every process of the plan rewrites it every
    ``refresh_seconds`` while it runs (a thread), so a process of the same plan goes on beside
    the others and keeps the lock alive after the first one ends. A lock not rewritten for
    ``stale_seconds`` (its holders were killed) is taken over, and the taker reads it back a
    moment later to make sure a racing taker did not win. At the end the lock object goes,
    if this process wrote it last; a run of another plan waits at most ``stale_seconds``
    after a killed run. Clocks of the machines must agree to well within ``stale_seconds``.
    """
    key = store.key(f"{WORK_DIR}/{LOCK_NAME}")
    token = uuid.uuid4().hex
    for _ in range(3):  # a lock that vanishes between looks is looked at again
        holder, age = _read_lock(store, key)
        if holder is None:
            if _create(store, key, _holder(plan, token)):
                break
            continue
        if holder.get("plan") == plan:
            store.fs.pipe_file(key, (json.dumps(_holder(plan, token)) + "\n").encode("utf-8"))
            break
        if age <= stale_seconds:
            raise OutputLockedError(
                f"{store.location} is in use by another run (pid {holder.get('pid', '?')} on host "
                f"{holder.get('host', '?')}); wait for it to end (a killed run's lock is stale after "
                f"{stale_seconds:g} s) or give another --output")
        store.remove(f"{WORK_DIR}/{LOCK_NAME}")  # stale: its holder is dead
        if _create(store, key, _holder(plan, token)):
            time.sleep(_LOCK_SETTLE_SECONDS)
            now, _ = _read_lock(store, key)
            if now and now.get("token") == token:
                break
    else:
        raise OutputLockedError(f"{store.location} is in use by another run; wait for it to end or give another --output")
    stop = threading.Event()

    def refresh() -> None:
        while not stop.wait(refresh_seconds):
            try:
                held, _ = _read_lock(store, key)
                if held is None or held.get("plan") == plan:
                    store.fs.pipe_file(key, (json.dumps(_holder(plan, token)) + "\n").encode("utf-8"))
            except OSError:
                pass  # the storage did not answer this time; the next refresh tries again

    thread = threading.Thread(target=refresh, daemon=True, name="newsclean-lock")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        held, _ = _read_lock(store, key)
        if held and held.get("token") == token:
            store.remove(f"{WORK_DIR}/{LOCK_NAME}")
