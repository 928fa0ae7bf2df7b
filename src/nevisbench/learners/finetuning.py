"""Finetuning learners: per task, a hyperparameter search over fits started from one initialisation.

``independent`` starts every task from a fresh initialisation and ``previous`` from the parameters
of the previous task; both keep, for each task, the winning trial's best-dev parameters in a file.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Any

import torch

from nevisbench.compute.flops import peak_parameters
from nevisbench.compute.throughput import precision_of, throughput
from nevisbench.files import atomic_path
from nevisbench.learners.base import Predictions, PredictTask, TrainReport, TrainTask
from nevisbench.learners.hparams import Trial, TrialOutcome, search_space
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.pretrained import load_backbone_into
from nevisbench.learners.search import TrialJob, TrialShared, fit_config, run_search
from nevisbench.learners.training import FitConfig, TaskModel, TrialFailed, evaluate
from nevisbench.values import ResourceUsage, TaskKey

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class FinetuneConfig:
    """Options of the finetuning learners (defaults: the reference protocol).

    Attributes:
        backbone: a registered backbone (``resnet34_cifar``: the reference's CIFAR-stem ResNet-34).
        image_size: input side (64, the reference's IMAGE_SIZE).
        max_steps: steps per trial (50,000 in the reference).
        trials: trials per task (16 in the reference's search).
        search: ``random`` (lr log-uniform, label smoothing uniform), ``grid`` or ``none``.
        lr: peak lr when search is ``none``.
        label_smoothing: label smoothing when search is ``none`` or ``grid``.
        lr_min / lr_max: the search's lr range.
        label_smoothing_max: the random search's label smoothing range is [0, this].
        batch_size: None: the reference's adaptive rule (2^⌊log2(0.0025·N)⌋ in [16, max_batch_size]).
        max_batch_size: the adaptive rule's cap (512).
        weight_decay / momentum / warmup_epochs: SGD-Nesterov settings (1e-4, 0.9, 7).
        validate_every: dev evaluation period in steps (1,000).
        early_stopping_patience: None: off, as the reference in effect.
        eval_batch_size: batch size of dev evaluation and prediction.
        amp / channels_last: bf16 autocast and channels-last; None: on for CUDA only.
        init_from: a checkpoint of ``nevisbench pretrain``: tasks start from its backbone (parameters
            and BN statistics) instead of a random initialisation.
        freeze_backbone: train the head only (the backbone keeps its parameters and BN statistics).
    """

    backbone: str = "resnet34_cifar"
    image_size: int = 64
    max_steps: int = 50_000
    trials: int = 16
    search: str = "random"
    lr: float = 0.1
    label_smoothing: float = 0.0
    lr_min: float = 1e-4
    lr_max: float = 1e-1
    label_smoothing_max: float = 0.3
    batch_size: int | None = None
    max_batch_size: int = 512
    weight_decay: float = 1e-4
    momentum: float = 0.9
    warmup_epochs: int = 7
    validate_every: int = 1000
    early_stopping_patience: int | None = None
    eval_batch_size: int = 256
    amp: bool | None = None
    channels_last: bool | None = None
    init_from: str | None = None
    freeze_backbone: bool = False

    def __post_init__(self) -> None:
        for name in (
            "image_size",
            "max_steps",
            "trials",
            "validate_every",
            "eval_batch_size",
            "max_batch_size",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"options.{name} must be at least 1, got {getattr(self, name)}")
        # 0 must not pass for "adaptive": the fit loop reads a falsy batch size as None.
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError(f"options.batch_size must be a positive integer, or None for adaptive, "
                             f"got {self.batch_size}")
        if self.search not in ("random", "grid", "none"):
            raise ValueError(f"options.search must be random, grid or none, got {self.search!r}")
        if self.freeze_backbone and not self.init_from:
            raise ValueError("options.freeze_backbone=true needs options.init_from=PATH (a pretrained "
                             "checkpoint): a frozen random backbone learns nothing")


@dataclasses.dataclass
class Start:
    """Where a task's trials start: the state, a name for it, and what choosing it cost."""

    state: dict[str, torch.Tensor]
    source: str
    info: dict[str, Any] = dataclasses.field(default_factory=dict)
    selection_flops: int = 0
    selection_seconds: float = 0.0


def _seed(*parts: int) -> int:
    # A stable 63-bit seed from integers (Python's hash of ints is stable, but spell it out).
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = (value * 6364136223846793005 + part + 1442695040888963407) % (1 << 63)
    return value


class FinetuningLearner:
    """Shared logic of ``independent`` and ``previous``; ``start_from_previous`` tells them apart."""

    start_from_previous = False

    def __init__(self, config: FinetuneConfig) -> None:
        self.config = config
        # task name -> {"index": train event index, "file": weights file}; the latest training wins.
        self.tasks: dict[str, dict[str, Any]] = {}
        self.last_file: str | None = None
        self.scratch: Path | None = None

    # --------------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        return {"tasks": {k: dict(v) for k, v in self.tasks.items()}, "last_file": self.last_file}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.tasks = {k: dict(v) for k, v in state["tasks"].items()}
        self.last_file = state["last_file"]

    # --------------------------------------------------------------------------- model
    def _new_model(self, key: TaskKey, seed: int) -> TaskModel:
        torch.manual_seed(seed)
        return TaskModel(create_backbone(self.config.backbone), key.num_classes)

    def _load(self, file: str) -> dict[str, torch.Tensor]:
        assert self.scratch is not None
        return torch.load(self.scratch / file, map_location="cpu", weights_only=True)

    @property
    def fresh_source(self) -> str:
        """The name of a task's start when it has no past task to start from."""
        return f"pretrained {self.config.init_from}" if self.config.init_from else "random initialisation"

    def _fresh_state(self, task: TrainTask) -> dict[str, torch.Tensor]:
        """A new model's state: random, or the pretrained backbone with a random head."""
        model = self._new_model(task.key, _seed(task.seed, task.index))
        if self.config.init_from:
            load_backbone_into(model.backbone, self.config.backbone, Path(self.config.init_from))
        return model.state_dict()

    def _state_from(self, task: TrainTask, file: str) -> dict[str, torch.Tensor]:
        """A fresh state whose backbone (and BN statistics) come from a past task's weights ``file``;
        the head is this task's own if it was learned before (a repeated dataset), else fresh: heads
        differ in size across tasks."""
        state = self._fresh_state(task)
        state.update({k: v for k, v in self._load(file).items() if k.startswith("backbone.")})
        if task.key.name in self.tasks:
            seen = self._load(self.tasks[task.key.name]["file"])
            state.update({k: v for k, v in seen.items() if k.startswith("head.")})
        return state

    def _start(self, task: TrainTask) -> Start:
        """Where this task's trials start (subclasses choose differently)."""
        if not self.start_from_previous or self.last_file is None:
            return Start(self._fresh_state(task), self.fresh_source)
        return Start(self._state_from(task, self.last_file), self.last_file)

    def _trials(self, task: TrainTask, start: Start) -> list[Trial]:
        """This task's hyperparameter trials: the configured search (subclasses may narrow it)."""
        c = self.config
        return search_space(
            task.index,
            trials=c.trials,
            mode=c.search,
            lr=c.lr,
            label_smoothing=c.label_smoothing,
            lr_range=(c.lr_min, c.lr_max),
            label_smoothing_range=(0.0, c.label_smoothing_max),
        )

    def _fit_config(self, task: TrainTask, trial: Trial) -> FitConfig:
        """A trial's fit settings: the learner's options and the trial's own."""
        return fit_config(self.config, trial)

    def _task_entry(self, task: TrainTask, winner: TrialOutcome) -> dict[str, Any]:
        """What, beyond its weights file, is kept of a learned task (subclasses add to it)."""
        return {}

    def _input_size(self, task: TrainTask) -> int:
        """The input side this task trains at (the same for every task here)."""
        return self.config.image_size

    def _image_size(self, name: str) -> int:
        """The input side of learned task ``name``'s model (the same for every task here)."""
        return self.config.image_size

    # --------------------------------------------------------------------------- train
    def train(self, task: TrainTask) -> TrainReport:
        self.scratch = task.scratch
        c = self.config
        start = self._start(task)
        jobs = [TrialJob(trial, self._fit_config(task, trial), _seed(task.seed, task.index, trial.index))
                for trial in self._trials(task, start)]
        shared = TrialShared(
            backbone=c.backbone, num_classes=task.key.num_classes, kind=task.key.kind, initial=start.state,
            train=task.train, dev=task.dev, device=str(task.device), freeze_backbone=c.freeze_backbone,
        )
        outcomes = run_search(task, shared, jobs)
        done = [o for o in outcomes if o.result is not None]
        # Every trial's compute counts, the failed ones' too.
        train_flops = sum(o.result.train_flops if o.result else o.flops.get("train", 0) for o in outcomes)
        selection_flops = start.selection_flops + sum(
            o.result.selection_flops if o.result else o.flops.get("selection", 0) for o in outcomes
        )
        wall = {
            "train": sum(o.result.wall_seconds["train"] for o in done),
            "selection": start.selection_seconds + sum(o.result.wall_seconds["selection"] for o in done),
        }
        count, size = peak_parameters(self._new_model(task.key, 0))
        info: dict[str, Any] = {
            "init": start.source,
            **start.info,
            "executor": task.executor.name,
            # What the trials' matrix products ran in: the runner picks the peak of their MFU by it.
            "precision": precision_of(c.amp, task.device),
            "trials": [
                {
                    **o.trial.to_dict(),
                    **(
                        {
                            "best_dev_error": o.result.best_dev_error,
                            "final_dev_error": o.result.final_dev_error,
                            "best_step": o.result.best_step,
                            "steps": o.result.steps,
                            **throughput(o.result.train_images, o.result.train_flops,
                                         o.result.wall_seconds["train"]),
                        }
                        if o.result is not None
                        else {"failed": o.error}
                    ),
                }
                for o in outcomes
            ],
        }
        if not done:
            reasons = "; ".join(f"trial {o.trial.index}: {o.error}" for o in outcomes)
            raise TrialFailed(f"every trial of task {task.key.name} failed ({reasons})",
                              {"train": train_flops, "selection": selection_flops})
        # Winner: the lowest best-dev error, whose best-dev parameters are kept. (The reference
        # ranks by the final-step error but keeps best-dev parameters, its Q8; we rank by what we keep.)
        winner = min(done, key=lambda o: (o.result.best_dev_error, o.trial.index))
        info["winner"] = winner.trial.index
        info["dev_error"] = winner.result.best_dev_error
        file = f"task_{task.index:04d}_{task.key.name}.pt"
        with atomic_path(task.scratch / file) as tmp:
            torch.save(winner.result.state, tmp)
        self.tasks[task.key.name] = {"index": task.index, "file": file, **self._task_entry(task, winner)}
        self.last_file = file
        for trial_file in task.scratch.glob(f"trial_{task.index:04d}_*.pt"):
            trial_file.unlink()
        return TrainReport(
            usage={
                "train": ResourceUsage(train_flops, count, size),
                "selection": ResourceUsage(selection_flops, count, size),
            },
            wall_seconds=wall,
            info=info,
        )

    # --------------------------------------------------------------------------- predict
    def predict(self, task: PredictTask) -> Predictions:
        if task.key.name not in self.tasks:
            raise KeyError(f"task {task.key.name} was never trained")
        self.scratch = task.scratch
        model = self._new_model(task.key, 0)
        model.load_state_dict(self._load(self.tasks[task.key.name]["file"]))
        model.to(task.device)
        started = time.perf_counter()
        _, flops, probs = evaluate(
            model,
            task.data,
            task.key.kind,
            image_size=self._image_size(task.key.name),
            batch_size=self.config.eval_batch_size,
            device=task.device,
            amp=self.config.amp,
            channels_last=self.config.channels_last,
            want_probabilities=True,
        )
        log.debug("predicted %s in %.1fs", task.key.name, time.perf_counter() - started)
        count, size = peak_parameters(model)
        assert probs is not None
        return Predictions(probs, ResourceUsage(flops, count, size))
