"""The reference protocol: CIFAR-stem ResNet-34 at 64 px, 16-trial random search, 50,000 steps per trial.

Command: ``nevisbench run --config reference --set stream.name=full --device cuda``.
Hardware: one modern GPU per trial slot (the reference ran 16 trials in parallel per task).
Cost: not measured end to end by this project yet. Per image, a train step of the CIFAR-stem ResNet-34 at
64 px is 27.8 GFLOPs (forward 9.28 GFLOPs; counted by FlopCounterMode, 1 multiply-add = 2 FLOPs), so one trial
of 50,000 steps at batch 64 is 8.9e16 FLOPs and a task's 16 trials 1.4e18 FLOPs (batch 16–512 by the adaptive
rule scales this). Result: to be measured; the paper's numbers are the target.
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="full"),
    learner="independent",
    options=learner_config(
        "independent",
        backbone="resnet34_cifar",
        image_size=64,
        max_steps=50_000,
        trials=16,
        search="random",
    ),
)
