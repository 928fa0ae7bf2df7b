"""The `efficient` learner: the baselines' finetuning with the compute sized to each task and the search carried over.

Each idea is an option, so that its share of the result can be measured alone (docs/efficient.md):

- parameter transfer (``start``): a task starts from the previous task's model (as ``previous``), from the
  past model a kNN on its features rates best (as ``dynamic``, its selection FLOPs counted), or fresh;
- hyperparameter transfer (``transfer_hparams``): once a task has been learned, later tasks run one trial with
  the learning rate and label smoothing that won on the task they start from (or, fresh, on the latest
  task), instead of the whole search;
- steps sized to the task (``epochs``): ``ceil(epochs · N_train / batch)`` steps, within
  [``min_steps``, ``max_steps``], rather than ``max_steps`` for every task, the warmup shortened in proportion;
- input sized to the task (``min_image_size``): the stored side rounded down to a power of two, within
  [``min_image_size``, ``image_size``] (8 px digits and 28 px MNIST train at 16 px, a quarter of 32 px's
  FLOPs; 32 px textures keep 32 px);
- a subsampled kNN (``knn_train_examples``, ``knn_dev_examples``): a fifth of ``dynamic``'s selection cost.

Everything it spends is counted as the baselines' is: every trial's steps as train FLOPs, the dev
evaluations and any kNN selection as selection FLOPs, predictions at the task's own input side.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from nevisbench.data.batches import adaptive_batch_size
from nevisbench.learners.base import TrainTask
from nevisbench.learners.dynamic import DynamicConfig, DynamicLearner
from nevisbench.learners.finetuning import FinetuningLearner, Start
from nevisbench.learners.hparams import Trial, TrialOutcome
from nevisbench.learners.registry import register_learner
from nevisbench.learners.search import fit_config
from nevisbench.learners.training import FitConfig

STARTS = ("previous", "knn", "fresh")


@dataclasses.dataclass(frozen=True)
class EfficientConfig(DynamicConfig):
    """Options of `efficient` (see FinetuneConfig and DynamicConfig), plus its own.

    Attributes:
        start: where a task starts: ``previous`` (the previous task's model), ``knn`` (the past model a kNN
            rates best, as ``dynamic``) or ``fresh`` (a new initialisation, as ``independent``).
        transfer_hparams: after the first learned task, one trial with the hyperparameters that won on the
            task the start came from (the latest task for a fresh start) instead of ``trials`` trials.
        epochs: steps per trial = ``ceil(epochs · N_train / batch)``, within [min_steps, max_steps];
            None: ``max_steps`` for every task, as the baselines.
        min_steps: the fewest steps a trial takes when ``epochs`` is set.
        min_image_size: the input side is the stored side rounded down to a power of two, within
            [min_image_size, image_size]; None: ``image_size`` for every task, as the baselines.
    """

    start: str = "knn"
    transfer_hparams: bool = True
    epochs: float | None = 60.0
    min_steps: int = 300
    min_image_size: int | None = 16
    # The kNN rates each candidate start on a subsample: 2,000 + 1,000 embedded examples per candidate
    # instead of the reference's 10,000 + 5,000 (a fifth of the selection FLOPs on large tasks).
    knn_train_examples: int = 2_000
    knn_dev_examples: int = 1_000

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.start not in STARTS:
            raise ValueError(f"options.start must be one of {', '.join(STARTS)}, got {self.start!r}")
        if self.epochs is not None and not self.epochs > 0:
            raise ValueError(f"options.epochs must be positive or None, got {self.epochs}")
        if self.min_steps < 1:
            raise ValueError(f"options.min_steps must be at least 1, got {self.min_steps}")
        if self.min_image_size is not None and not 1 <= self.min_image_size <= self.image_size:
            raise ValueError(f"options.min_image_size must be in [1, options.image_size={self.image_size}] "
                             f"or None, got {self.min_image_size}")


class EfficientLearner(DynamicLearner):
    """Finetuning whose steps, input side and search are sized to each task (see the module docstring)."""

    config: EfficientConfig

    def _start(self, task: TrainTask) -> Start:
        if self.config.start == "knn":
            return super()._start(task)
        if self.config.start == "previous" and self.last_file is not None:
            return Start(self._state_from(task, self.last_file), self.last_file)
        return Start(self._fresh_state(task), self.fresh_source)

    def _trials(self, task: TrainTask, start: Start) -> list[Trial]:
        source = self._source_entry(start)
        if not self.config.transfer_hparams or source is None or "lr" not in source:
            return FinetuningLearner._trials(self, task, start)
        return [Trial(0, source["lr"], source["label_smoothing"])]

    def _source_entry(self, start: Start) -> dict[str, Any] | None:
        """The learned task the start came from (the latest one for a fresh start), or None."""
        entries = sorted(self.tasks.values(), key=lambda e: e["index"])
        matching = [e for e in entries if e["file"] == start.source]
        return matching[-1] if matching else (entries[-1] if entries else None)

    def _input_size(self, task: TrainTask) -> int:
        c = self.config
        if c.min_image_size is None:
            return c.image_size
        side = max(task.train.images.shape[1:3])
        return min(c.image_size, max(c.min_image_size, 1 << math.floor(math.log2(max(side, 1)))))

    def _image_size(self, name: str) -> int:
        return self.tasks[name].get("image_size", self.config.image_size)

    def _fit_config(self, task: TrainTask, trial: Trial) -> FitConfig:
        c = self.config
        config = dataclasses.replace(fit_config(c, trial), image_size=self._input_size(task))
        if c.epochs is None:
            return config
        batch = c.batch_size or adaptive_batch_size(len(task.train), max_batch_size=c.max_batch_size)
        steps = min(c.max_steps, max(c.min_steps, math.ceil(c.epochs * len(task.train) / batch)))
        # The warmup keeps its share of the schedule: warmup_epochs of the baselines' max_steps.
        warmup = max(1, round(c.warmup_epochs * steps / c.max_steps)) if steps < c.max_steps else c.warmup_epochs
        return dataclasses.replace(config, max_steps=steps, warmup_epochs=min(c.warmup_epochs, warmup),
                                   validate_every=min(c.validate_every, steps))

    def _task_entry(self, task: TrainTask, winner: TrialOutcome) -> dict[str, Any]:
        return {"lr": winner.trial.lr, "label_smoothing": winner.trial.label_smoothing,
                "image_size": self._input_size(task)}


register_learner(
    "efficient",
    EfficientConfig,
    EfficientLearner,
    "finetuning with steps, input side and search sized to each task, carried over from past tasks",
)
