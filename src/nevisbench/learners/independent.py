"""The `independent` baseline: every task trained from a fresh initialisation, with a per-task search."""

from __future__ import annotations

import dataclasses

from nevisbench.learners.finetuning import FinetuneConfig, FinetuningLearner
from nevisbench.learners.registry import register_learner


@dataclasses.dataclass(frozen=True)
class IndependentConfig(FinetuneConfig):
    """Options of `independent` (see FinetuneConfig)."""


class IndependentLearner(FinetuningLearner):
    """Fresh initialisation per task; nothing transfers between tasks."""

    start_from_previous = False


register_learner(
    "independent",
    IndependentConfig,
    IndependentLearner,
    "fresh initialisation per task, per-task hyperparameter search (paper: Independent)",
)
