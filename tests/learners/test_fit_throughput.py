"""Throughput in the fit loop and the search: train images, each trial's images/s and FLOP/s, and the
task checkpoint that keeps them for a resumed task."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

from nevisbench.data.synthetic import make_dominant_colour
from nevisbench.learners import TrainTask, create_learner
from nevisbench.learners import search as search_module
from nevisbench.learners.hparams import Trial, TrialOutcome
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.search import _finished_trials, _save_finished_trials
from nevisbench.learners.training import FitConfig, FitResult, TaskModel, fit
from nevisbench.values import Split, TaskKind

DATA = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=0)
OPTIONS = dict(backbone="small_cnn", image_size=16, max_steps=7, validate_every=3, trials=2, batch_size=8,
               eval_batch_size=64)


def _fit(**overrides: Any) -> FitResult:
    torch.manual_seed(0)
    model = TaskModel(create_backbone("small_cnn"), 3)
    config = FitConfig(**{"max_steps": 7, "lr": 0.01, "batch_size": 8, "image_size": 16, "validate_every": 3,
                          **overrides})
    return fit(model, DATA.split(Split.TRAIN), DATA.split(Split.DEV), TaskKind.SINGLE_LABEL, config, seed=0,
               device=torch.device("cpu"))


def test_fit_counts_the_images_it_trained_on() -> None:
    result = _fit()
    assert result.steps == 7 and result.train_images == 7 * 8
    assert result.wall_seconds["train"] > 0
    # Early stopping (lr 0: the dev error never improves) ends before max_steps: the images taken count.
    stopped = _fit(max_steps=40, lr=0.0, early_stopping_patience=1)
    assert stopped.steps < 40 and stopped.train_images == stopped.steps * 8


def test_each_trial_records_images_and_flops_per_train_second(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    results: list[FitResult] = []

    def timed_fit(*args: Any, **kwargs: Any) -> FitResult:
        # A known train time, so that the rates can be checked exactly.
        result = dataclasses.replace(fit(*args, **kwargs), wall_seconds={"train": 2.5, "selection": 1.0})
        results.append(result)
        return result

    monkeypatch.setattr(search_module, "fit", timed_fit)
    learner = create_learner("independent", **OPTIONS)
    report = learner.train(TrainTask(key=DATA.task, index=0, data=DATA, device=torch.device("cpu"), seed=0,
                                     scratch=tmp_path))
    trials = report.info["trials"]
    assert len(trials) == len(results) == 2
    for trial, result in zip(trials, results, strict=True):
        assert result.train_images == 7 * 8
        assert trial["images_per_second"] == result.train_images / 2.5
        assert trial["flops_per_second"] == result.train_flops / 2.5
        assert "mfu" not in trial  # the runner adds it, against the device's peak
    assert report.info["precision"] == "fp32"  # CPU, no autocast


def _outcome(**fields: Any) -> TrialOutcome:
    result = FitResult(state={"w": torch.zeros(2)}, best_dev_error=0.25, final_dev_error=0.5, best_step=3,
                       steps=7, train_flops=700, selection_flops=30, wall_seconds={"train": 2.0, "selection": 0.5},
                       history=[(0, 0.75), (3, 0.25)], **fields)
    return TrialOutcome(Trial(0, 0.01, 0.1), result)


def test_the_task_checkpoint_keeps_train_images_for_a_resumed_task(tmp_path: Path) -> None:
    saved: dict[str, Any] = {}
    task = TrainTask(key=DATA.task, index=4, data=DATA, device=torch.device("cpu"), seed=0, scratch=tmp_path,
                     checkpoint=saved.update)
    outcome = _outcome(train_images=56)
    torch.save(outcome.result.state, tmp_path / "trial_0004_00.pt")
    _save_finished_trials(task, {0: outcome})
    resumed = _finished_trials(dataclasses.replace(task, resume=saved))
    result = resumed[0].result
    assert result.train_images == 56
    assert dataclasses.replace(result, state={}) == dataclasses.replace(outcome.result, state={})
    # A trial checkpointed before the field existed still resumes (no images counted: no rate shown).
    del saved["finished_trials"][0]["result"]["train_images"]
    assert _finished_trials(dataclasses.replace(task, resume=saved))[0].result.train_images == 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_cuda_the_train_clock_waits_for_the_kernels_once_per_stretch_of_steps(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[torch.device] = []
    synchronize = torch.cuda.synchronize
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: (calls.append(device), synchronize(device)))
    torch.manual_seed(0)
    model = TaskModel(create_backbone("small_cnn"), 3)
    config = FitConfig(max_steps=7, lr=0.01, batch_size=8, image_size=16, validate_every=3)
    result = fit(model, DATA.split(Split.TRAIN), DATA.split(Split.DEV), TaskKind.SINGLE_LABEL, config, seed=0,
                 device=torch.device("cuda"))
    assert result.train_images == 7 * 8 and result.wall_seconds["train"] > 0
    # Three stretches (steps 0-2, 3-5, 6), each started and ended by a sync: not one per step.
    assert len(calls) == 6
