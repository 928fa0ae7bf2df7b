"""A run's state between events, one value: what is done, what it cost, and how to resume it.

The run checkpoint (``checkpoints/run.pt``) is a ``RunState`` plus the learner's state. It holds the
text of every completed event's line, so a damaged ``events.jsonl`` (cut mid-line, garbled, deleted) is
rebuilt exactly from it; without a checkpoint, a log that holds events cannot be resumed (the learner's
state is lost), and the run refuses before doing any work.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from nevisbench.protocol.workdir import CheckpointError, Workdir, WorkdirError, json_text
from nevisbench.records import Record, TrainRecord
from nevisbench.values import ResourceUsage

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "nevisbench.run"
CHECKPOINT_VERSION = 2
_CATEGORIES = ("train", "selection", "predict")


@dataclasses.dataclass(frozen=True)
class RunState:
    """Where a run stands after its last completed event.

    Attributes:
        completed: how many events are done (the next event's number).
        totals: compute per category over every event so far (and ``pretraining`` when counted).
        failed_tasks: names of tasks whose latest training failed (their predictions are skipped).
        log: the text of ``events.jsonl`` for the completed events (the checkpointed truth).
    """

    completed: int = 0
    totals: Mapping[str, ResourceUsage] = dataclasses.field(
        default_factory=lambda: {c: ResourceUsage() for c in _CATEGORIES})
    failed_tasks: frozenset[str] = frozenset()
    log: str = ""

    @classmethod
    def start(cls, pretraining: ResourceUsage | None) -> RunState:
        totals = {c: ResourceUsage() for c in _CATEGORIES}
        if pretraining is not None:
            totals["pretraining"] = pretraining
        return cls(totals=totals)

    def cumulative_flops(self, usage: Mapping[str, ResourceUsage]) -> dict[str, int]:
        """The FLOPs per category after adding an event's ``usage``."""
        return {k: (v + usage.get(k, ResourceUsage())).flops for k, v in self.totals.items()}

    def after(self, record: Record, line: str) -> RunState:
        """The state once ``record`` (written as ``line``) is done."""
        totals = dict(self.totals)
        for category, usage in record.usage.items():
            totals[category] = totals[category] + usage
        failed = self.failed_tasks
        if isinstance(record, TrainRecord):
            failed = failed | {record.task.name} if not record.ok else failed - {record.task.name}
        return RunState(self.completed + 1, totals, failed, self.log + line)

    def to_checkpoint(self, learner_state: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "version": CHECKPOINT_VERSION,
            "completed": self.completed,
            "events_bytes": len(self.log.encode()),
            "events_text": self.log,
            "config": json_text(config),
            "learner": learner_state,
            "totals": {k: v.to_dict() for k, v in self.totals.items()},
            "failed_tasks": sorted(self.failed_tasks),
        }

    @classmethod
    def from_checkpoint(cls, checkpoint: Any, path: Any) -> RunState:
        problem = _checkpoint_problem(checkpoint)
        if problem:
            raise CheckpointError(f"{path} is not a nevisbench run checkpoint ({problem}); it cannot be trusted. "
                                  f"Start again in a new --workdir")
        return cls(
            completed=int(checkpoint["completed"]),
            totals={k: ResourceUsage(**v) for k, v in checkpoint["totals"].items()},
            failed_tasks=frozenset(checkpoint["failed_tasks"]),
            log=checkpoint["events_text"],
        )


def _checkpoint_problem(checkpoint: Any) -> str | None:
    if not isinstance(checkpoint, dict):
        return "not a dict"
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        return "no nevisbench format mark; a checkpoint of an older version cannot be resumed"
    for key, kind in (("completed", int), ("events_text", str), ("config", str), ("learner", dict),
                      ("totals", dict), ("failed_tasks", list)):
        if not isinstance(checkpoint.get(key), kind):
            return f"its {key!r} is missing or not {kind.__name__}"
    if len(checkpoint["events_text"].splitlines()) != checkpoint["completed"]:
        return "its event log does not hold one line per completed event"
    return None


def resume_state(work: Workdir, config: dict[str, Any], pretraining: ResourceUsage | None
                 ) -> tuple[RunState, dict[str, Any] | None]:
    """The state to continue from, and the learner's saved state (None for a fresh run).

    Repairs ``events.jsonl`` from the checkpoint when the two disagree (a damaged copy is kept beside
    it, so nothing is lost), and refuses, before any work, what cannot be resumed.

    Raises:
        WorkdirError: the log holds events but there is no checkpoint; the checkpoint is unreadable;
            or it belongs to another configuration.
    """
    checkpoint = work.load_checkpoint()
    text = work.events_text()
    if checkpoint is None:
        if text.strip():
            raise WorkdirError(
                f"{work.events_file} holds events but {work.checkpoint_file}, the state to resume from, is "
                f"missing: this run cannot continue. Start again in a new --workdir, or delete "
                f"{work.events_file} to run this workdir again from the beginning")
        return RunState.start(pretraining), None
    state = RunState.from_checkpoint(checkpoint, work.checkpoint_file)
    if checkpoint["config"] != json_text(config):
        raise WorkdirError(f"{work.checkpoint_file} was written by a run of another configuration than "
                           f"{work.config_file}; restore that file, or start again in a new --workdir")
    if text.startswith(state.log):
        if len(text) > len(state.log):
            # Lines written after the last checkpoint (a kill between the two writes) are redone.
            work.rewrite_events(state.log)
    else:
        kept = work.events_file.with_name(f"events.jsonl.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        if work.events_file.exists():
            work.events_file.replace(kept)
        work.rewrite_events(state.log)
        log.warning("%s did not match the run's checkpoint (cut, edited or deleted); rebuilt it from the "
                    "checkpoint's %d events%s", work.events_file, state.completed,
                    f", the damaged copy kept as {kept.name}" if kept.exists() else "")
    return state, checkpoint["learner"]
