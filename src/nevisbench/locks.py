"""One exclusive, non-blocking file lock, used for a dataset's preparation and for a run's workdir."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive_lock(path: Path, busy: Callable[[str], str]) -> Iterator[None]:
    """Holds an flock on ``path`` (created if missing) for the ``with`` block, writing our pid into it.

    The lock dies with the process (kill -9 included), so a crash never leaves a stale lock.

    Raises:
        RuntimeError: another process holds it; the message is ``busy(holder_pid)``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise RuntimeError(busy(handle.read().strip() or "?")) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
