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

CONFIG = RunConfig(
    stream=StreamConfig(name="demo"),
    learner="efficient",
    # The demo's options (small CNN, 32 px, 2 grid trials of 800 steps on lr 0.03 and 0.1 for the first task).
    options=learner_config("efficient", **{k: getattr(DEMO.options, k) for k in (
        "backbone", "image_size", "max_steps", "trials", "search", "lr_min", "lr_max", "label_smoothing",
        "batch_size", "validate_every", "channels_last")}),
)
