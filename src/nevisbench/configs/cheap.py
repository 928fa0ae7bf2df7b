"""The reference's cheaper setting: ImageNet-style ResNet-18, 4 trials (lr grid 1e-4…1e-1, label smoothing
0.15, as its cheap config intended — its Q5 bug made it crash), 25,000 steps per trial.

Command: ``nevisbench run --config cheap --set stream.name=full --device cuda``.
Hardware: one GPU. Cost: not measured by this project yet (4 × 25,000 steps per task).
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="full"),
    learner="independent",
    options=learner_config(
        "independent",
        backbone="resnet18",
        image_size=64,
        max_steps=25_000,
        trials=4,
        search="grid",
        label_smoothing=0.15,
    ),
)
