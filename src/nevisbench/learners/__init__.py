"""Learners: the protocol, the registry, the shared fit loop and the baselines (one file each)."""

from __future__ import annotations

from nevisbench.learners.base import Learner, Predictions, PredictTask, TrainReport, TrainTask
from nevisbench.learners.registry import (
    create_learner,
    learner_config,
    list_learners,
    register_learner,
)

__all__ = [
    "Learner",
    "PredictTask",
    "Predictions",
    "TrainReport",
    "TrainTask",
    "create_learner",
    "learner_config",
    "list_learners",
    "register_learner",
]
