"""The `efficient` learner: steps, input side and search sized per task; resume and executors as the baselines."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
import torch

from nevisbench.compute.flops import forward_flops, train_step_flops
from nevisbench.data.synthetic import make_dominant_colour
from nevisbench.learners import PredictTask, TrainTask, create_learner
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.training import TaskModel
from nevisbench.protocol.runner import run, strip_wall_clock
from nevisbench.protocol.workdir import Workdir
from nevisbench.records import Phase, Progress
from nevisbench.values import Split, TaskKind

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from test_runner import tiny_config  # noqa: E402

OPTIONS = dict(backbone="small_cnn", image_size=32, max_steps=200, validate_every=50, trials=2, search="grid",
               lr_min=0.03, lr_max=0.1, batch_size=16, eval_batch_size=64)


def _task(data, index: int, scratch: Path) -> TrainTask:
    return TrainTask(key=data.task, index=index, data=data, device=torch.device("cpu"), seed=0, scratch=scratch)


def test_steps_input_side_and_search_are_sized_to_each_task(tmp_path: Path) -> None:
    # 8 px images, 48 train examples, batch 16: 3 steps per epoch.
    first = make_dominant_colour(num_classes=3, examples_per_split=48, size=8, seed=0)
    second = make_dominant_colour(num_classes=4, examples_per_split=48, size=32, seed=1)
    learner = create_learner("efficient", **OPTIONS, epochs=20, min_steps=10, min_image_size=16, start="previous")
    report = learner.train(_task(first, 0, tmp_path))
    steps = math.ceil(20 * 48 / 16)
    assert [t["steps"] for t in report.info["trials"]] == [steps, steps]  # the first task: the whole grid
    # Train FLOPs: every trial's steps at the task's side, 8 px rounded up to 16 (min_image_size).
    model = TaskModel(create_backbone("small_cnn"), 3)
    per_step = train_step_flops(model, TaskKind.SINGLE_LABEL, (16, 3, 16, 16))
    assert report.usage["train"].flops == 2 * steps * per_step
    winner = report.info["trials"][report.info["winner"]]

    report = learner.train(_task(second, 1, tmp_path))
    # One trial with the winner's hyperparameters, from the previous task's parameters; 32 px stays 32.
    assert [(t["lr"], t["label_smoothing"]) for t in report.info["trials"]] == \
        [(winner["lr"], winner["label_smoothing"])]
    assert report.info["init"].startswith("task_0000_")
    assert report.info["trials"][0]["steps"] == 60
    # Prediction runs at each task's own side; the side survives a state round trip.
    clone = create_learner("efficient", **OPTIONS, epochs=20, min_steps=10, min_image_size=16, start="previous")
    clone.load_state_dict(learner.state_dict())
    test = first.split(Split.TEST)
    predictions = clone.predict(PredictTask(first.task, 0, Split.TEST, test, torch.device("cpu"), tmp_path))
    assert predictions.usage.flops == forward_flops(model, (48, 3, 16, 16))


@pytest.mark.parametrize("side, expected", [(8, 16), (16, 16), (25, 16), (28, 16), (32, 32), (96, 32)])
def test_the_input_side_is_the_stored_side_rounded_down_to_a_power_of_two(side: int, expected: int) -> None:
    data = make_dominant_colour(num_classes=2, examples_per_split=4, size=side, seed=0)
    learner = create_learner("efficient", **OPTIONS, min_image_size=16)  # image_size 32 caps it
    assert learner._input_size(_task(data, 0, Path("unused"))) == expected


def test_the_knn_start_counts_its_selection(tmp_path: Path) -> None:
    first = make_dominant_colour(num_classes=3, examples_per_split=48, size=16, seed=0)
    second = make_dominant_colour(num_classes=3, examples_per_split=48, size=16, seed=1)
    selection = {}
    for start in ("previous", "knn"):
        learner = create_learner("efficient", **OPTIONS, epochs=2, min_steps=5, start=start,
                                 knn_train_examples=40, knn_dev_examples=20)
        learner.train(_task(first, 0, tmp_path / start))
        report = learner.train(_task(second, 1, tmp_path / start))
        selection[start] = report.usage["selection"].flops
    # The kNN embeds 40 train and 20 dev examples at 16 px with each of 2 candidates (fresh, task 0) at least.
    model = TaskModel(create_backbone("small_cnn"), 3)
    embedding = 2 * (forward_flops(model.backbone, (40, 3, 16, 16)) + forward_flops(model.backbone, (20, 3, 16, 16)))
    assert selection["knn"] - selection["previous"] >= embedding


def test_each_idea_can_be_switched_off(tmp_path: Path) -> None:
    data = make_dominant_colour(num_classes=3, examples_per_split=48, size=8, seed=0)
    learner = create_learner("efficient", **OPTIONS, epochs=None, min_image_size=None, transfer_hparams=False,
                             start="fresh")
    for index in range(2):
        report = learner.train(_task(data, index, tmp_path))
        assert [t["steps"] for t in report.info["trials"]] == [200, 200]
        assert report.info["init"] == "random initialisation"
    model = TaskModel(create_backbone("small_cnn"), 3)
    assert report.usage["train"].flops == 2 * 200 * train_step_flops(model, TaskKind.SINGLE_LABEL, (16, 3, 32, 32))


@pytest.mark.parametrize("setting, message", [
    ("start=nearest", "options.start must be one of previous, knn, fresh"),
    ("epochs=0", "options.epochs must be positive"),
    ("min_image_size=64", "options.min_image_size must be in [1, options.image_size=32]"),
])
def test_bad_options_are_named(setting: str, message: str) -> None:
    key, value = setting.split("=")
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_learner("efficient", **{**OPTIONS, key: int(value) if value.isdigit() else value})


EFFICIENT = ["learner=efficient", "stream.stop_year=2008", "options.min_steps=6", "options.epochs=0.2",
             "executor.cpus_per_trial=1"]


def _events(workdir: Path) -> list[dict]:
    return [strip_wall_clock(r) for r in Workdir(workdir).read_events()]


class _Crash(Exception):
    pass


def test_a_run_killed_inside_a_task_resumes_to_the_same_result(tmp_path: Path) -> None:
    config = tiny_config(*EFFICIENT)
    whole = run(config, tmp_path / "whole")
    assert whole["complete"]  # learning itself: the contract tests (tests/learners/test_learners.py)
    started: list[int] = []

    def crash_in_second_trial(update: Progress) -> None:
        if update.phase is Phase.TRIAL and update.trial.get("step") == 0:
            started.append(update.trial["trial"])
            if len(started) == 2:  # the first task's second trial starts: the machine goes down
                raise _Crash

    with pytest.raises(_Crash):
        run(config, tmp_path / "part", progress=crash_in_second_trial)
    resumed = run(config, tmp_path / "part")
    assert _events(tmp_path / "part") == _events(tmp_path / "whole")
    assert resumed["usage"] == whole["usage"]


def test_process_workers_give_the_local_result(tmp_path: Path) -> None:
    local = run(tiny_config(*EFFICIENT), tmp_path / "local")
    process = run(tiny_config(*EFFICIENT, "executor.kind=process", "executor.workers=2"), tmp_path / "process")
    strip = [{k: v for k, v in e.items() if k != "info"} for e in _events(tmp_path / "local")]
    assert [{k: v for k, v in e.items() if k != "info"} for e in _events(tmp_path / "process")] == strip
    assert process["usage"] == local["usage"] and process["mean_error"] == local["mean_error"]
