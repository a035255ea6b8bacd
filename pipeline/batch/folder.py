"""The output folder: its layout, the errors a run names in one line, and writing that never leaves it."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

WORK_DIR = "_work"
STATE_DIR = "_state"
# The folders under _work that tasks write into; a link among them would take writes elsewhere.
_WORK_FOLDERS = ("clean", "index", "plans", "final", "publish")


class RunError(Exception):
    """A run stopped for a reason its one-line message explains (the CLI prints it as it is)."""


class UnsafeOutputError(RunError):
    """Writing in the output folder would follow a link out of it."""


def unsafe_output(output_dir: str, state_dir: str | None = None) -> str | None:
    """Why a run in ``output_dir`` would write or delete outside it (a link among its own folders), or None.

    ``_work`` (or ``_state``) as a link to another disk would take every work file and
    clean-up there; the run refuses it instead of following it.
    """
    work = Path(output_dir, WORK_DIR)
    folders = [work, *(work / name for name in _WORK_FOLDERS)]
    final = work / "final"
    if is_real_folder(final):
        folders.extend(sorted(final.iterdir()))
    if state_dir is None:
        folders.append(Path(output_dir, STATE_DIR))
    for folder in folders:
        if folder.is_symlink():
            return (f"{folder} is a symbolic link (to {os.readlink(folder)}); newsclean writes and deletes only "
                    "inside the output folder: make it a real folder"
                    + (", or give --state-dir" if folder.name == STATE_DIR else ""))
    return None


def is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)  # lstat: a link to a folder is not one
    except OSError:
        return False


def entries(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if is_real_folder(folder) else []


def remove(path: Path) -> None:
    """Remove a work file or folder; a link is unlinked, its target left alone."""
    if is_real_folder(path):
        shutil.rmtree(path, ignore_errors=True)  # rmtree unlinks the links it meets inside
    else:
        path.unlink(missing_ok=True)
