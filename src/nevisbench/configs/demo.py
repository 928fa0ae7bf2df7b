"""The offline demo: `independent` with a small CNN on the demo stream, sized for a laptop CPU.

Command: ``nevisbench run`` (this is its default config).
Hardware: 2 CPU cores. Wall time, FLOPs and result: measured by ``benchmarks/demo_run.py`` and quoted in
the README (every task far above chance).
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="demo"),
    learner="independent",
    # The demo's images are 8–32 px: 32 px input keeps their detail at a quarter of 64 px's cost.
    # Four trials on a grid of learning rates (not random draws) so that no task of a short
    # stream is left with only tiny learning rates.
    options=learner_config("independent", backbone="small_cnn", resolution=32, max_steps=300,
                           trials=3, search="grid", lr_min=0.01, lr_max=0.1, label_smoothing=0.1,
                           batch_size=64, validate_every=100),
)
