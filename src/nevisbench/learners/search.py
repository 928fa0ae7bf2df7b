"""A task's hyperparameter search as jobs: each trial one fit, run on the task's executor, kept as it ends.

The learner's options reach each trial's ``FitConfig`` through one explicit table (``FIT_OPTIONS``): a
field renamed on either side fails a test instead of silently falling back to its default.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

import torch

from nevisbench.data.store import StoredSplit
from nevisbench.files import atomic_path
from nevisbench.learners.base import TrainTask
from nevisbench.learners.hparams import Trial, TrialOutcome
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.training import FitConfig, FitResult, TaskModel, TrialFailed, fit
from nevisbench.values import TaskKind

# Learner option → FitConfig field, for the options every trial of a task shares. ``lr`` and
# ``label_smoothing`` come from the trial itself; ``end_lr`` keeps FitConfig's default.
FIT_OPTIONS: dict[str, str] = {
    "max_steps": "max_steps",
    "batch_size": "batch_size",
    "max_batch_size": "max_batch_size",
    "weight_decay": "weight_decay",
    "momentum": "momentum",
    "warmup_epochs": "warmup_epochs",
    "validate_every": "validate_every",
    "early_stopping_patience": "early_stopping_patience",
    "image_size": "image_size",
    "eval_batch_size": "eval_batch_size",
    "amp": "amp",
    "channels_last": "channels_last",
}
# FitConfig fields set per trial, or left at their default on purpose (``compile`` and
# ``data_parallel`` are the run's ``compute.compile`` and ``compute.data_parallel``, set on every trial
# by the executor: executors/base.py, FitSettingsExecutor).
FIT_PER_TRIAL = ("lr", "label_smoothing")
FIT_DEFAULTED = ("end_lr", "compile", "data_parallel")


def fit_config(options: Any, trial: Trial) -> FitConfig:
    """The fit settings of ``trial``: the shared options (through ``FIT_OPTIONS``) and the trial's own."""
    shared = {fit_field: getattr(options, option) for option, fit_field in FIT_OPTIONS.items()}
    return FitConfig(**shared, lr=trial.lr, label_smoothing=trial.label_smoothing)


@dataclasses.dataclass(frozen=True)
class TrialShared:
    """What every trial of a task shares (sent once per task to each worker)."""

    backbone: str
    num_classes: int
    kind: TaskKind
    initial: dict[str, torch.Tensor]
    train: StoredSplit
    dev: StoredSplit
    device: str
    freeze_backbone: bool = False

    def in_memory(self) -> TrialShared:
        """A copy carrying the pixels rather than the store's path (for workers without the store)."""
        return dataclasses.replace(self, train=self.train.in_memory(), dev=self.dev.in_memory())


@dataclasses.dataclass(frozen=True)
class TrialJob:
    """One trial: its hyperparameters, fit settings and seed."""

    trial: Trial
    fit: FitConfig
    seed: int


def build_model(backbone: str, num_classes: int, state: dict[str, torch.Tensor] | None = None,
                *, freeze_backbone: bool = False) -> TaskModel:
    model = TaskModel(create_backbone(backbone), num_classes)
    if state is not None:
        model.load_state_dict(state)
    if freeze_backbone:
        model.freeze_backbone()
    return model


def run_trial(shared: TrialShared, job: TrialJob,
              progress: Callable[[dict[str, Any]], None] | None = None) -> FitResult:
    """Trains one trial from the shared initial state (runs in whichever process the executor picks)."""
    device = torch.device(shared.device)
    if device.type == "cuda" and os.environ.get("NEVISBENCH_TRIAL_WORKER"):
        device = torch.device("cuda", 0)  # a worker sees only the GPU it was given
    model = build_model(shared.backbone, shared.num_classes, shared.initial,
                        freeze_backbone=shared.freeze_backbone)
    return fit(model, shared.train, shared.dev, shared.kind, job.fit, seed=job.seed, device=device,
               progress=progress)


def _trial_file(task: TrainTask, trial: int) -> str:
    return f"trial_{task.index:04d}_{trial:02d}.pt"


def run_search(task: TrainTask, shared: TrialShared, jobs: list[TrialJob]) -> list[TrialOutcome]:
    """Runs ``jobs`` on the task's executor; returns one outcome per job, in job order.

    Trials an interrupted run finished are not run again: each one's outcome goes into the task
    checkpoint, and its best-dev parameters into a file of the scratch directory, as it ends.
    """
    executor = task.executor
    if executor.name == "local":
        # In this process, trials can report live progress.
        def fn(shared: TrialShared, job: TrialJob) -> FitResult:
            return run_trial(shared, job, lambda info: task.progress(
                {"trial": job.trial.index, "trials": len(jobs), **info}))
    else:
        fn = run_trial
        if getattr(executor, "ship_data", False):
            shared = shared.in_memory()
    finished = _finished_trials(task)
    remaining = [job for job in jobs if job.trial.index not in finished]

    def keep(position: int, outcome: Any) -> None:
        job = remaining[position]
        if outcome.result is not None:
            with atomic_path(task.scratch / _trial_file(task, job.trial.index)) as tmp:
                torch.save(outcome.result.state, tmp)
        finished[job.trial.index] = TrialOutcome(job.trial, outcome.result, outcome.error, outcome.flops)
        _save_finished_trials(task, finished)

    executor.map(fn, shared, remaining, (TrialFailed,), on_outcome=keep)
    return [finished[job.trial.index] for job in jobs]


def _save_finished_trials(task: TrainTask, finished: dict[int, TrialOutcome]) -> None:
    """Puts the outcomes of this task's finished trials in the task checkpoint (their best-dev
    parameters are already in ``_trial_file``s of the scratch directory)."""
    entries = []
    for _, outcome in sorted(finished.items()):
        entry: dict[str, Any] = {"trial": outcome.trial.to_dict(), "error": outcome.error,
                                 "flops": dict(outcome.flops)}
        if outcome.result is not None:
            fields = {f.name: getattr(outcome.result, f.name) for f in dataclasses.fields(FitResult)
                      if f.name != "state"}
            fields["history"] = [list(item) for item in fields["history"]]
            entry["result"] = fields
        entries.append(entry)
    task.checkpoint({"finished_trials": entries})


def _finished_trials(task: TrainTask) -> dict[int, TrialOutcome]:
    """The trials of this task an interrupted run finished (empty on a fresh start)."""
    out: dict[int, TrialOutcome] = {}
    for entry in (task.resume or {}).get("finished_trials", []):
        trial = Trial(**entry["trial"])
        result = None
        if "result" in entry:
            file = task.scratch / _trial_file(task, trial.index)
            if not file.exists():
                # The task ended (its trial files folded into the winner's) but the run was killed
                # before its event was checkpointed: the trial runs again, identically.
                continue
            fields = dict(entry["result"])
            fields["history"] = [tuple(item) for item in fields["history"]]
            state = torch.load(file, map_location="cpu", weights_only=True)
            result = FitResult(state=state, **fields)
        out[trial.index] = TrialOutcome(trial, result, entry["error"], dict(entry["flops"]))
    return out
