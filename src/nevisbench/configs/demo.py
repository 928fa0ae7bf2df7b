"""The offline demo: `independent` with a small CNN on the demo stream, sized for a laptop CPU.

Command: ``nevisbench run`` (this is its default config).
Hardware: 2 CPU cores. Wall time: 3 min 10 s from a clean clone, the datasets' conversion included.
FLOPs: 1.50e13 train (5 tasks × 2 trials × 800 steps × 64 images × 29 MFLOPs, the small CNN's forward +
backward at 32 px), 1.1e11 selection (dev evaluations), 2.2e10 predict. Result (one seed, dev_test error):
digits 0.068, MNIST 5k 0.089, LFW faces 0.000, textures 0.052, digits again 0.042; mean 0.050 (chance
0.90 / 0.90 / 0.50 / 0.67). ``--learner previous``: same FLOPs, mean 0.041.
"""

from __future__ import annotations

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.learners.registry import learner_config

CONFIG = RunConfig(
    stream=StreamConfig(name="demo"),
    learner="independent",
    # The demo's images are 8–32 px: 32 px input keeps their detail at a quarter of 64 px's cost.
    # Two trials on a grid of learning rates (0.03, 0.1) rather than random draws, so that no task of
    # a short stream is left with only tiny learning rates; channels-last is faster on CPUs too.
    options=learner_config("independent", backbone="small_cnn", image_size=32, max_steps=800,
                           trials=2, search="grid", lr_min=0.03, lr_max=0.1, label_smoothing=0.1,
                           batch_size=64, validate_every=200, channels_last=True),
)
