"""A complete learner in one file: nearest class mean on raw pixels (the README's example).

Run it on the demo stream with ``python examples/nearest_mean.py`` (a few seconds on a laptop CPU).
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from nevisbench.config import RunConfig
from nevisbench.data.batches import eval_batches
from nevisbench.learners import Predictions, PredictTask, TrainTask
from nevisbench.protocol.runner import run
from nevisbench.values import ResourceUsage


class NearestMean:
    """Keeps one mean image per class and task; predicts a softmax over negative distances."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.means: dict[str, torch.Tensor] = {}

    def _images(self, data, device):
        # Whole splits as float batches: centre crop, resize, [-1, 1], 3 channels.
        for images, labels in eval_batches(data, 512, size=self.size, device=device):
            yield images.flatten(1), labels

    def train(self, task: TrainTask) -> ResourceUsage:
        sums = torch.zeros(task.key.num_classes, 3 * self.size * self.size)
        counts = torch.zeros(task.key.num_classes)
        for images, labels in self._images(task.train, task.device):
            sums.index_add_(0, labels, images)
            counts += torch.bincount(labels, minlength=task.key.num_classes)
        self.means[task.key.name] = sums / counts.clamp(min=1)[:, None]
        # One addition per pixel of every training image: report what you spend.
        return ResourceUsage(flops=len(task.train) * 3 * self.size * self.size)

    def predict(self, task: PredictTask) -> Predictions:
        means = self.means[task.key.name]
        outputs = [torch.softmax(-torch.cdist(images, means), dim=1) for images, _ in self._images(task.data, task.device)]
        return Predictions(torch.cat(outputs).numpy())

    def state_dict(self) -> dict:
        return {"means": dict(self.means)}

    def load_state_dict(self, state: dict) -> None:
        self.means = dict(state["means"])


if __name__ == "__main__":
    workdir = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/nearest_mean")
    summary = run(RunConfig(), workdir, learner=NearestMean())
    print(f"mean error {summary['mean_error']:.3f} over {len(summary['tasks'])} predictions; see {workdir}")
