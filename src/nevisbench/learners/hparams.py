"""Per-task hyperparameter search: the reference's random search space, deterministic per task index."""

from __future__ import annotations

import dataclasses
import math
import random
from typing import Any


@dataclasses.dataclass(frozen=True)
class Trial:
    """One hyperparameter setting of a task's search."""

    index: int
    lr: float
    label_smoothing: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def search_space(
    task_index: int,
    *,
    trials: int,
    mode: str = "random",
    lr: float = 0.1,
    label_smoothing: float = 0.0,
    lr_range: tuple[float, float] = (1e-4, 1e-1),
    label_smoothing_range: tuple[float, float] = (0.0, 0.3),
) -> list[Trial]:
    """The trials of task ``task_index``.

    Modes:
        ``random`` (the reference's full search): lr log-uniform in ``lr_range`` and label smoothing
            uniform in ``label_smoothing_range``, from ``random.Random`` seeded with task_index + 1 and
            task_index + 2, so every run draws the same trials for the same task.
        ``grid`` (the reference's cheap search, as intended — its Q5 bug made it crash): ``trials``
            learning rates log-spaced over ``lr_range``, all with ``label_smoothing``.
        ``none``: a single trial with ``lr`` and ``label_smoothing``.
    """
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    low, high = lr_range
    if not 0 < low <= high:
        raise ValueError(f"lr range must satisfy 0 < low <= high, got {lr_range}")
    if mode == "none":
        return [Trial(0, lr, label_smoothing)]
    if mode == "grid":
        if trials == 1:
            return [Trial(0, high, label_smoothing)]
        step = (math.log(high) - math.log(low)) / (trials - 1)
        return [
            Trial(i, math.exp(math.log(low) + i * step), label_smoothing) for i in range(trials)
        ]
    if mode == "random":
        lr_rng, ls_rng = random.Random(task_index + 1), random.Random(task_index + 2)
        lrs = [math.exp(lr_rng.uniform(math.log(low), math.log(high))) for _ in range(trials)]
        smoothing = [ls_rng.uniform(*label_smoothing_range) for _ in range(trials)]
        return [Trial(i, a, b) for i, (a, b) in enumerate(zip(lrs, smoothing, strict=True))]
    raise ValueError(f"search mode must be random, grid or none, got {mode!r}")


@dataclasses.dataclass
class TrialOutcome:
    """A trial's result or the reason it failed."""

    trial: Trial
    result: Any = None
    error: str | None = None
    flops: dict[str, int] = dataclasses.field(default_factory=dict)
