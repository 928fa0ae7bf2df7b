"""A run's directory: layout, a lock against a second run, the event log, checkpoints and predictions.

Layout: ``config.json`` (resolved, replayable), ``provenance.json``, ``events.jsonl`` (one line per
completed event), ``summary.json``, ``predictions/event_<k>.npz``, ``checkpoints/run.pt`` (the resume
point), ``checkpoints/task.pt`` (a learner's state inside an event) and ``checkpoints/learner/`` (files a
learner keeps, e.g. per-task weights).

Every write that could be seen half-done goes through ``nevisbench.files``; a full disk or an unwritable
file is an error naming the file and the way to continue, never a raw traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nevisbench.files import atomic_path, exclusive_lock, is_disk_full, write_json
from nevisbench.records import Record, RecordError, record_from_line

log = logging.getLogger(__name__)


class WorkdirError(ValueError):
    """A workdir that cannot be used as it is; the message says what to do."""


class CheckpointError(WorkdirError):
    """A checkpoint that is not a readable nevisbench checkpoint."""


def _check_directory(path: Path) -> None:
    """Refuses a workdir that is a file or lies below one (mkdir would fail with a raw OSError)."""
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                where = "is a file" if parent == path else f"lies below the file {parent}"
                raise WorkdirError(f"--workdir {path} {where}; choose a directory (it is created if missing)")
            return


class Workdir:
    """The files of one run."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.config_file = self.path / "config.json"
        self.provenance_file = self.path / "provenance.json"
        self.events_file = self.path / "events.jsonl"
        self.summary_file = self.path / "summary.json"
        self.predictions_dir = self.path / "predictions"
        self.checkpoint_file = self.path / "checkpoints" / "run.pt"
        self.task_checkpoint_file = self.path / "checkpoints" / "task.pt"
        self.learner_dir = self.path / "checkpoints" / "learner"

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Holds the workdir's lock for the length of a run; a second run is refused at once."""
        _check_directory(self.path)
        return exclusive_lock(
            self.path / ".lock",
            lambda pid: f"another run (pid {pid}) is using {self.path}; wait for it or choose another --workdir",
        )

    @contextlib.contextmanager
    def writing(self, path: Path) -> Iterator[None]:
        """Turns a failed write of ``path`` into an error that names it and says how to continue."""
        try:
            yield
        except (OSError, RuntimeError) as error:
            # torch.save reports a full disk as "unexpected pos ..." without an errno: ask the filesystem.
            why = "the disk is full" if is_disk_full(error) or self._disk_nearly_full() else str(error)
            raise WorkdirError(
                f"could not write {path} ({why}); the run stopped at its last checkpoint: free some space "
                f"(or fix the file's permissions), then `nevisbench run --workdir {self.path}` continues it"
            ) from error

    def _disk_nearly_full(self) -> bool:
        try:
            stat = os.statvfs(self.path)
        except OSError:
            return False
        return stat.f_bavail * stat.f_frsize < 16 * 2**20

    def write_json(self, path: Path, data: Any) -> None:
        with self.writing(path):
            write_json(path, data)

    # ---------------------------------------------------------------------------- events
    def append_event(self, record: Record) -> int:
        """Appends one event record; returns the file's new length in bytes."""
        with self.writing(self.events_file), open(self.events_file, "ab") as handle:
            handle.write(record.to_line().encode())
            handle.flush()
            os.fsync(handle.fileno())
            return handle.tell()

    def events_text(self) -> str:
        """The raw text of ``events.jsonl`` ('' when missing), undecodable bytes replaced."""
        if not self.events_file.exists():
            return ""
        return self.events_file.read_bytes().decode("utf-8", errors="replace")

    def rewrite_events(self, text: str) -> None:
        """Replaces ``events.jsonl`` with ``text`` atomically (repairing it from a checkpoint)."""
        with self.writing(self.events_file), atomic_path(self.events_file) as tmp:
            tmp.write_text(text)

    def read_events(self) -> list[Record]:
        """The event records; raises WorkdirError naming a line that is not a valid record."""
        records, bad = self.read_events_tolerant()
        if bad:
            number, why = bad[0]
            raise WorkdirError(f"{self.events_file}:{number} is not a valid event record ({why}); "
                               f"`nevisbench run --workdir {self.path}` repairs the log from the run's checkpoint")
        return records

    def read_events_tolerant(self) -> tuple[list[Record], list[tuple[int, str]]]:
        """The readable event records, and ``(line number from 1, why)`` for each line that is not.

        For reports of damaged or still-growing runs: a line that is not a valid record (corrupt, or
        the half-written last line of a run killed mid-append) is skipped, not fatal.
        """
        records, bad = [], []
        # split("\n"), not splitlines(): line numbers then match an editor's even if a corrupt
        # byte decodes to another line-break character.
        for number, line in enumerate(self.events_text().split("\n"), 1):
            if not line.strip():
                continue
            try:
                records.append(record_from_line(line))
            except RecordError as error:
                bad.append((number, str(error)))
        return records, bad

    # ------------------------------------------------------------------------ checkpoint
    def save_checkpoint(self, state: dict[str, Any]) -> None:
        with self.writing(self.checkpoint_file), atomic_path(self.checkpoint_file) as tmp:
            torch.save(state, tmp)

    def load_checkpoint(self) -> dict[str, Any] | None:
        """The run checkpoint, or None when there is none.

        Raises:
            CheckpointError: the file is not a readable nevisbench checkpoint (truncated, garbled, or a
                pickle with anything but tensors and plain data: it is never run).
        """
        if not self.checkpoint_file.exists():
            return None
        return _load(self.checkpoint_file, self.path)

    def save_task_checkpoint(self, event: int, state: dict[str, Any]) -> None:
        """Keeps a learner's state *inside* event ``event`` (e.g. its finished trials)."""
        with self.writing(self.task_checkpoint_file), atomic_path(self.task_checkpoint_file) as tmp:
            torch.save({"event": event, "state": state}, tmp)

    def load_task_checkpoint(self, event: int) -> dict[str, Any] | None:
        """The state saved inside event ``event`` by an interrupted run, else None.

        A damaged task checkpoint is set aside with a warning: it only saves the time of finished
        trials, which a deterministic rerun recomputes identically.
        """
        if not self.task_checkpoint_file.exists():
            return None
        try:
            saved = _load(self.task_checkpoint_file, self.path)
        except CheckpointError as error:
            log.warning("%s; the task's trials run again", error)
            return None
        if not isinstance(saved, dict):
            return None
        return saved["state"] if saved.get("event") == event else None

    def clear_task_checkpoint(self) -> None:
        self.task_checkpoint_file.unlink(missing_ok=True)

    # ----------------------------------------------------------------------- predictions
    def save_predictions(self, event_index: int, probabilities: np.ndarray, targets: np.ndarray) -> str:
        name = f"event_{event_index:04d}.npz"
        path = self.predictions_dir / name
        with self.writing(path), atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez_compressed(handle, probabilities=probabilities.astype(np.float32), targets=targets)
        return f"predictions/{name}"


def _load(path: Path, workdir: Path) -> Any:
    try:
        # weights_only: a checkpoint is data, never code to run. Its warnings about a foreign pickle
        # protocol are noise here: such a file is refused below in words that say what to do.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError,
            AttributeError, TypeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckpointError(
            f"{path} is not a readable nevisbench checkpoint ({first[:200]}); it cannot be trusted. "
            f"Start again in a new --workdir, or delete {workdir}/checkpoints and {workdir}/events.jsonl "
            f"to run this workdir again from the beginning"
        ) from None


def json_text(data: Any) -> str:
    """``data`` as the strict, stable JSON text that checkpoints compare configs by."""
    return json.dumps(data, sort_keys=True, allow_nan=False)
