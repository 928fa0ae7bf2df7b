"""The reference's cheap dynamic config: ImageNet-style ResNet-18, 4 trials (lr ∈ {1e-4, 1e-3, 1e-2, 1e-1},
label smoothing 0.15 — the search its Q5 bug made crash, as intended), 25,000 steps per trial.

Command: ``nevisbench run --config cheap_dynamic --device cuda``.
Hardware: one GPU (or ``--executor process`` over several). Cost: not measured by this project yet
(4 × 25,000 steps per task, plus the kNN selection). Result: to be measured.
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="full"),
    learner="dynamic",
    options=learner_config(
        "dynamic",
        backbone="resnet18",
        image_size=64,
        max_steps=25_000,
        trials=4,
        search="grid",
        label_smoothing=0.15,
    ),
)
