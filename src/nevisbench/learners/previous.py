"""The `previous` baseline: each task starts from the parameters the previous task ended with."""

from __future__ import annotations

import dataclasses

from nevisbench.learners.finetuning import FinetuneConfig, FinetuningLearner
from nevisbench.learners.registry import register_learner


@dataclasses.dataclass(frozen=True)
class PreviousConfig(FinetuneConfig):
    """Options of `previous` (see FinetuneConfig)."""


class PreviousLearner(FinetuningLearner):
    """Finetunes the previous task's backbone (and BN statistics) with a new head."""

    start_from_previous = True


register_learner(
    "previous",
    PreviousConfig,
    PreviousLearner,
    "start each task from the previous task's parameters (paper: Previous)",
)
