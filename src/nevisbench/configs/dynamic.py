"""The paper's best baseline at reference scale: `dynamic` (finetune from the kNN-selected past model),
CIFAR-stem ResNet-34 at 64 px, 16-trial random search, 50,000 steps per trial.

Command: ``nevisbench run --config dynamic --device cuda`` (``--executor process`` runs a task's trials
on every local GPU; ``--executor ray --ray-address auto`` on a Ray cluster).
Hardware: GPUs, one per trial slot. Cost: the trials cost what the reference config's do (see
reference.py); the selection adds, per task and per stored past model, one forward pass over at most
10,000 train + 5,000 dev images (≈ 1.4e14 FLOPs at 9.28 GFLOPs per image) and the kNN's distances —
under 0.01% of a task's 16 trials. Result: to be measured; the paper's numbers are the target.
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="full"),
    learner="dynamic",
    options=learner_config(
        "dynamic",
        backbone="resnet34_cifar",
        image_size=64,
        max_steps=50_000,
        trials=16,
        search="random",
    ),
)
