"""Files written safely: exclusive locks (refuse or wait), and atomic writes of bytes, JSON and tensors.

The bottom of the package: it imports nothing from nevisbench, and every module that writes a file a reader
may see half-done (stores, checkpoints, reports, ledgers) writes it through here.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def exclusive_lock(
    path: Path,
    busy: Callable[[str], str],
    *,
    wait: Callable[[str], None] | None = None,
    poll_seconds: float = 0.5,
) -> Iterator[None]:
    """Holds an flock on ``path`` (created if missing) for the ``with`` block, writing our pid into it.

    The lock dies with the process (kill -9 included), so a crash never leaves a stale lock.

    Args:
        path: the lock file.
        busy: the error message when another process holds the lock, given its pid.
        wait: if given, wait for the holder instead of failing; called once with the holder's pid
            (e.g. to say "waiting for ..."), then the lock is polled every ``poll_seconds``.

    Raises:
        RuntimeError: another process holds it and ``wait`` is None; the message is ``busy(holder_pid)``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                if wait is None:
                    raise RuntimeError(busy(holder)) from None
                if not told:
                    wait(holder)
                    told = True
                time.sleep(poll_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_holder(path: Path) -> str | None:
    """The pid (as text) of a live process holding ``path``'s lock, or None when nobody holds it.

    A probe for readers (e.g. a report on a run still in progress); it never blocks.
    """
    if not path.exists():
        return None
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "?"
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def part_path(path: Path) -> Path:
    """The temporary sibling an atomic write of ``path`` goes through (same directory, same filesystem)."""
    return path.with_name(f".{path.name}.{os.getpid()}.part")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yields a temporary path to write; on success it replaces ``path`` at once, on failure it is removed.

    For writers that want a path rather than bytes (``torch.save``, ``np.savez``). A reader sees the old
    file or the new one, never a part, and no ``.part`` file outlives a failed write.

    Raises:
        IsADirectoryError: ``path`` is a directory (a file name is needed).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a file name to write, e.g. {path / 'out'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(path)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Writes ``path`` so that a reader sees the old or the new content, never a part."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)


def write_json(path: Path, data: Any) -> None:
    """Writes ``data`` as strict, indented JSON (NaN and infinities refused), atomically."""
    write_atomic(path, (json.dumps(data, indent=2, allow_nan=False) + "\n").encode())


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or an error it wraps) is a full disk or an exceeded quota."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "No space left on device" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False
