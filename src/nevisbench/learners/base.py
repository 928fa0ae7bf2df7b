"""The learner protocol: what the runner gives a learner (TrainTask, PredictTask) and what it gets back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch

from nevisbench.data.store import StoredSplit
from nevisbench.executors import Executor, LocalExecutor
from nevisbench.values import ResourceUsage, Split, TaskKey


class DatasetReader(Protocol):
    """What a learner reads a task's data through (a converted store or an in-memory dataset)."""

    task: TaskKey

    def split(self, split: Split | str) -> StoredSplit: ...

    def num_examples(self, split: Split | str) -> int: ...


def _ignore(*_: Any) -> None:
    return None


@dataclasses.dataclass(frozen=True)
class TrainTask:
    """Everything a learner is given to learn one stream row; new fields may be added with defaults.

    Attributes:
        key: the task's key.
        index: the task index (position among the stream's train events).
        data: the task's dataset; learners train on ``train``, tune on ``dev``.
        device: the device to train on.
        seed: the run's seed; learners derive every random choice from it and ``index``.
        scratch: a directory of the workdir the learner may write files to (e.g. per-task weights).
        checkpoint: call with a small JSON-able/tensor state inside a long task; the runner keeps it.
        resume: the last state given to ``checkpoint`` if this task was interrupted, else None.
        progress: call with a dict (trial, step, dev_error, ...) to report live progress.
        executor: where the learner may run independent jobs (trials): local, worker processes or a
            Ray cluster, as the run's ``executor`` settings say (see executors.py).
    """

    key: TaskKey
    index: int
    data: DatasetReader
    device: torch.device
    seed: int
    scratch: Path
    checkpoint: Callable[[dict[str, Any]], None] = _ignore
    resume: dict[str, Any] | None = None
    progress: Callable[[dict[str, Any]], None] = _ignore
    executor: Executor = dataclasses.field(default_factory=LocalExecutor)

    @property
    def train(self) -> StoredSplit:
        return self.data.split(Split.TRAIN)

    @property
    def dev(self) -> StoredSplit:
        return self.data.split(Split.DEV)

    @property
    def train_and_dev(self) -> StoredSplit:
        return self.data.split(Split.TRAIN_AND_DEV)


@dataclasses.dataclass(frozen=True)
class PredictTask:
    """Predict one split of a task learned before.

    Attributes:
        key: the task's key.
        index: the index of the train event that learned it.
        split: which split.
        data: the examples to predict (labels are there for convenience; learners must not use them).
        device: the device to predict on.
        scratch: the learner's directory of the workdir (the same as in TrainTask).
    """

    key: TaskKey
    index: int
    split: Split
    data: StoredSplit
    device: torch.device
    scratch: Path = Path(".")


@dataclasses.dataclass(frozen=True)
class Predictions:
    """A learner's outputs for a PredictTask.

    Attributes:
        probabilities: ``N×K`` float: class probabilities (single-label, rows sum to 1) or per-label
            probabilities (multi-label), in the order of the task's examples.
        usage: the compute spent predicting.
    """

    probabilities: np.ndarray
    usage: ResourceUsage = ResourceUsage()


@dataclasses.dataclass(frozen=True)
class TrainReport:
    """What a learner reports after a train event (a learner may also return a bare ResourceUsage,
    read as train compute).

    Attributes:
        usage: compute per category: ``train`` (every step of every trial), ``selection`` (dev
            evaluations, transfer selection).
        wall_seconds: wall-clock per category.
        info: JSON-able facts for the event record (trials, winner, chosen source, ...).
    """

    usage: dict[str, ResourceUsage]
    wall_seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    info: dict[str, Any] = dataclasses.field(default_factory=dict)


@runtime_checkable
class Learner(Protocol):
    """A learner of the stream: one object, trained task after task, asked for predictions in between.

    The runner calls ``train`` for each stream row and ``predict`` for each split it scores; between
    events it saves ``state_dict()`` in the run checkpoint, and a resumed run calls ``load_state_dict``
    on a fresh learner before the next event. Build one by name with ``create_learner``:

    Example:
        >>> from nevisbench.learners import create_learner
        >>> learner = create_learner("independent", max_steps=200, trials=2)
        >>> from nevisbench.protocol.runner import run
        >>> from nevisbench.configs import load_config
        >>> run(load_config("demo"), Path("runs/mine"), learner=learner)  # doctest: +SKIP

    Or pass any object with these four methods (see ``examples/nearest_mean.py``).
    """

    def train(self, task: TrainTask) -> TrainReport | ResourceUsage:
        """Learns ``task`` (its train and dev splits) and reports the compute it spent.

        Count every FLOP: each step of each trial as ``train``, dev evaluations and transfer selection
        as ``selection``. Raise ``learners.training.TrialFailed`` (with its FLOPs) when the task cannot be
        learned (every trial diverged): the run records the task as failed and goes on.
        """
        ...

    def predict(self, task: PredictTask) -> Predictions:
        """Class probabilities for every example of ``task.data`` (``N×K``, in the split's order), and the
        compute spent (``predict``). Called for tasks learned earlier in the stream, too."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue after the current event: tensors and plain data only (it is saved
        with ``torch.save`` and loaded with ``weights_only=True``). Files in ``task.scratch`` may hold the rest."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restores what ``state_dict`` returned, on a freshly created learner, before a resumed run goes on."""
        ...
