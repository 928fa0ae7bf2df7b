"""Every registered learner: train → predict → state round trip, and learning on synthetic data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from nevisbench.data.synthetic import SyntheticDataset, make_dominant_colour
from nevisbench.learners import PredictTask, TrainReport, TrainTask, create_learner, list_learners
from nevisbench.values import STORED_SPLITS, Split, TaskKey, TaskKind

OPTIONS = dict(backbone="small_cnn", image_size=16, max_steps=30, validate_every=10, trials=2,
               batch_size=32, eval_batch_size=64)


def _options(name: str, tmp_path: Path, **overrides) -> dict:
    """The shared test options, plus what a learner needs to exist at all (oracle: a matrix)."""
    extra = {}
    if name == "oracle":
        matrix = tmp_path / "matrix.json"
        names = ["dominant_colour_3", "dominant_colour_5"]
        matrix.write_text(json.dumps({"source_tasks": names, "target_tasks": names, "matrix": [[1, 0], [1, 1]]}))
        extra["transfer_matrix"] = str(matrix)
    return {**OPTIONS, **extra, **overrides}


def _task(data, index: int, scratch: Path) -> TrainTask:
    return TrainTask(key=data.task, index=index, data=data, device=torch.device("cpu"), seed=0, scratch=scratch)


def _predict(learner, data, index: int, scratch: Path, split: Split = Split.TEST) -> np.ndarray:
    task = PredictTask(data.task, index, split, data.split(split), torch.device("cpu"), scratch)
    return learner.predict(task).probabilities


@pytest.mark.parametrize("name", list_learners())
def test_contract_train_predict_state_round_trip(name: str, tmp_path: Path) -> None:
    first = make_dominant_colour(num_classes=3, examples_per_split=48, size=16, seed=0)
    second = make_dominant_colour(num_classes=5, examples_per_split=48, size=16, seed=1)
    learner = create_learner(name, **_options(name, tmp_path))
    for index, data in enumerate([first, second]):
        report = learner.train(_task(data, index, tmp_path))
        assert isinstance(report, TrainReport)
        assert report.usage["train"].flops > 0 and report.usage["train"].peak_parameter_count > 0
    probabilities = _predict(learner, first, 0, tmp_path)
    assert probabilities.shape == (48, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    # A fresh learner given the state predicts exactly the same.
    clone = create_learner(name, **_options(name, tmp_path))
    clone.load_state_dict(learner.state_dict())
    np.testing.assert_array_equal(_predict(clone, first, 0, tmp_path), probabilities)
    assert _predict(clone, second, 1, tmp_path).shape == (48, 5)


@pytest.mark.parametrize("name", list_learners())
def test_learning_happens_on_synthetic_data(name: str, tmp_path: Path) -> None:
    data = make_dominant_colour(num_classes=4, examples_per_split=64, size=16, seed=3)
    learner = create_learner(name, **_options(name, tmp_path, max_steps=60, search="none", lr=0.05))
    learner.train(_task(data, 0, tmp_path))
    probabilities = _predict(learner, data, 0, tmp_path)
    accuracy = float((probabilities.argmax(1) == data.split(Split.TEST).labels).mean())
    assert accuracy > 0.9  # chance is 0.25


def test_training_is_deterministic(tmp_path: Path) -> None:
    data = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=0)
    outputs = []
    for attempt in range(2):
        learner = create_learner("independent", **OPTIONS)
        learner.train(_task(data, 0, tmp_path / str(attempt)))
        outputs.append(_predict(learner, data, 0, tmp_path / str(attempt)))
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_search_records_every_trial_and_picks_the_lowest_dev_error(tmp_path: Path) -> None:
    data = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=0)
    learner = create_learner("independent", **{**OPTIONS, "trials": 3})
    report = learner.train(_task(data, 0, tmp_path))
    trials = report.info["trials"]
    assert len(trials) == 3 and len({t["lr"] for t in trials}) == 3
    best = min(trials, key=lambda t: (t["best_dev_error"], t["index"]))
    assert report.info["winner"] == best["index"]


def test_previous_starts_from_the_last_task(tmp_path: Path) -> None:
    first = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=0)
    second = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=1)
    second = SyntheticDataset(TaskKey("other", TaskKind.SINGLE_LABEL, 3),
                              {s: second.split(s) for s in STORED_SPLITS}, second.meta)
    learner = create_learner("previous", **OPTIONS)
    learner.train(_task(first, 0, tmp_path))
    report = learner.train(_task(second, 1, tmp_path))
    assert report.info["init"].startswith("task_0000_")
    independent = create_learner("independent", **OPTIONS)
    independent.train(_task(first, 0, tmp_path / "ind"))
    assert independent.train(_task(second, 1, tmp_path / "ind")).info["init"] == "random initialisation"


def test_every_learner_option_reaches_the_fit_or_is_declared_learner_only() -> None:
    # A renamed field on either side would silently fall back to a default; this fails instead.
    import dataclasses

    from nevisbench.learners.finetuning import FinetuneConfig
    from nevisbench.learners.search import FIT_DEFAULTED, FIT_OPTIONS, FIT_PER_TRIAL
    from nevisbench.learners.training import FitConfig

    learner_only = {"backbone", "trials", "search", "lr", "label_smoothing", "lr_min", "lr_max",
                    "label_smoothing_max", "init_from", "freeze_backbone"}
    options = {f.name for f in dataclasses.fields(FinetuneConfig)}
    fit_fields = {f.name for f in dataclasses.fields(FitConfig)}
    assert set(FIT_OPTIONS) | learner_only == options and not set(FIT_OPTIONS) & learner_only
    assert set(FIT_OPTIONS.values()) | set(FIT_PER_TRIAL) | set(FIT_DEFAULTED) == fit_fields
