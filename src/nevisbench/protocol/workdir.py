"""A run's directory: layout, a lock against a second run, atomic writes, and the resume checkpoint.

Layout: ``config.json`` (resolved, replayable), ``provenance.json``, ``events.jsonl`` (one line per
completed event), ``summary.json``, ``predictions/event_<k>.npz``, ``checkpoints/run.pt`` (the resume
point) and ``checkpoints/learner/`` (files a learner keeps, e.g. per-task weights).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nevisbench.files import exclusive_lock, write_atomic


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
        return exclusive_lock(
            self.path / ".lock",
            lambda pid: f"another run (pid {pid}) is using {self.path}; wait for it or choose another --workdir",
        )

    def write_json(self, path: Path, data: Any) -> None:
        write_atomic(path, (json.dumps(data, indent=2, sort_keys=False) + "\n").encode())

    # ---------------------------------------------------------------------------- events
    def append_event(self, record: dict[str, Any]) -> int:
        """Appends one event record; returns the file's new length in bytes."""
        with open(self.events_file, "ab") as handle:
            handle.write((json.dumps(record) + "\n").encode())
            handle.flush()
            os.fsync(handle.fileno())
            return handle.tell()

    def truncate_events(self, length: int) -> None:
        """Drops lines written after the last checkpoint (an event that was not checkpointed)."""
        if self.events_file.exists() and self.events_file.stat().st_size > length:
            with open(self.events_file, "r+b") as handle:
                handle.truncate(length)

    def read_events(self) -> list[dict[str, Any]]:
        """The event records; raises ValueError naming a line that is not JSON."""
        if not self.events_file.exists():
            return []
        records = []
        for number, line in enumerate(self.events_file.read_text().splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValueError(
                        f"{self.events_file}:{number} is not valid JSON ({error})"
                    ) from None
        return records

    def read_events_tolerant(
        self, check: Callable[[dict[str, Any]], str | None] | None = None
    ) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
        """The readable event records, and ``(line number from 1, why)`` for each line that is not.

        For reports of damaged or still-growing runs: a line that is not a JSON object (corrupt, or
        the half-written last line of a run killed mid-append) is skipped, not fatal.

        Args:
            check: returns why a parsed record is unusable (e.g. a field missing), or None if fine.
        """
        if not self.events_file.exists():
            return [], []
        records, bad = [], []
        # errors="replace": a corrupt byte spoils its own line only, not the whole file.
        text = self.events_file.read_bytes().decode("utf-8", errors="replace")
        # split("\n"), not splitlines(): line numbers then match an editor's even if a corrupt
        # byte decodes to another line-break character.
        for number, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                bad.append((number, f"not valid JSON ({error})"))
                continue
            if not isinstance(record, dict):
                bad.append((number, "not a JSON object"))
                continue
            problem = check(record) if check is not None else None
            if problem:
                bad.append((number, problem))
            else:
                records.append(record)
        return records, bad

    # ------------------------------------------------------------------------ checkpoint
    def save_checkpoint(self, state: dict[str, Any]) -> None:
        self.checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.checkpoint_file.with_name("run.pt.part")
        torch.save(state, tmp)
        tmp.replace(self.checkpoint_file)

    def load_checkpoint(self) -> dict[str, Any] | None:
        if not self.checkpoint_file.exists():
            return None
        # weights_only: a checkpoint is data, never code to run.
        return torch.load(self.checkpoint_file, map_location="cpu", weights_only=True)

    def save_task_checkpoint(self, event: int, state: dict[str, Any]) -> None:
        """Keeps a learner's state *inside* event ``event`` (e.g. its finished trials)."""
        self.task_checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.task_checkpoint_file.with_name("task.pt.part")
        torch.save({"event": event, "state": state}, tmp)
        tmp.replace(self.task_checkpoint_file)

    def load_task_checkpoint(self, event: int) -> dict[str, Any] | None:
        """The state saved inside event ``event`` by an interrupted run, else None."""
        if not self.task_checkpoint_file.exists():
            return None
        saved = torch.load(self.task_checkpoint_file, map_location="cpu", weights_only=True)
        return saved["state"] if saved.get("event") == event else None

    def clear_task_checkpoint(self) -> None:
        self.task_checkpoint_file.unlink(missing_ok=True)

    # ----------------------------------------------------------------------- predictions
    def save_predictions(
        self, event_index: int, probabilities: np.ndarray, targets: np.ndarray
    ) -> str:
        self.predictions_dir.mkdir(parents=True, exist_ok=True)
        name = f"event_{event_index:04d}.npz"
        tmp = self.predictions_dir / f"event_{event_index:04d}.part.npz"
        np.savez_compressed(tmp, probabilities=probabilities.astype(np.float32), targets=targets)
        tmp.replace(self.predictions_dir / name)
        return f"predictions/{name}"
