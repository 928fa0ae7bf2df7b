"""The `efficient` learner at the demo config's budget: the same network, options and first-task search as the
baselines of the reproducibility table, with steps, input side and search sized to each task.

Command: ``nevisbench run --config efficient`` (``--set stream.name=offline`` for the offline stream).
Hardware: 2 CPU cores. Cost and result: results/README.md (3 seeds each on demo and offline), against the
baselines at the demo config's budget; the design and the ablation: docs/efficient.md.
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.configs.demo import CONFIG as DEMO
from nevisbench.learners.registry import learner_config

# The demo's options (small CNN, 32 px, batch 64, 2 grid trials on lr 0.03 and 0.1 for the first task) ...
_SHARED = ("backbone", "image_size", "trials", "search", "lr_min", "lr_max", "label_smoothing", "batch_size",
           "validate_every", "channels_last")

CONFIG = RunConfig(
    stream=StreamConfig(name="demo"),
    learner="efficient",
    options=learner_config(
        "efficient",
        **{k: getattr(DEMO.options, k) for k in _SHARED},
        # ... but not its steps: they are sized to each task (60 epochs, at least 300) and this caps them.
        # The baselines take 800 steps in each of 2 trials on every task; here MNIST and Fashion-MNIST
        # take 2,000 in their one trial.
        max_steps=2000,
    ),
)
