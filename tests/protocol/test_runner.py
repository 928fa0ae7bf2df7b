"""The run loop: learning happens, resume equals an uninterrupted run, failures, locks, bad input."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from nevisbench.config import RunConfig, StreamConfig, apply_overrides
from nevisbench.configs import load_config
from nevisbench.protocol.runner import resolve_device, run, strip_wall_clock
from nevisbench.protocol.workdir import Workdir
from nevisbench.records import Phase, Progress

# A few seconds on 2 CPU cores: the demo stream with a tiny budget.
TINY = [
    "options.backbone=small_cnn",
    "options.image_size=16",
    "options.max_steps=12",
    "options.validate_every=6",
    "options.trials=2",
    "options.batch_size=32",
    "options.eval_batch_size=128",
]


def tiny_config(*extra: str) -> RunConfig:
    return apply_overrides(load_config("demo"), [*TINY, *extra])


def _records(workdir: Path) -> list[dict]:
    return [strip_wall_clock(r) for r in Workdir(workdir).read_events()]


def _summary(workdir: Path) -> dict:
    summary = json.loads((workdir / "summary.json").read_text())
    summary.pop("wall_seconds")
    return summary


def test_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    config = tiny_config("learner=previous", *TINY, "stream.stop_year=2008")
    whole = run(config, tmp_path / "whole")
    assert whole["complete"]
    events = whole["events"]["total"]
    # 3 rows before 2008 → 3 × (train + predict) + 3 final predictions.
    assert events == 9
    for stop in (1, 4):
        part = tmp_path / f"part{stop}"
        partial = run(config, part, stop_after=stop)
        assert not partial["complete"] and partial["events"]["completed"] == stop
        # An event written after the last checkpoint (a kill between the two) is dropped on resume.
        with open(part / "events.jsonl", "a") as handle:
            handle.write('{"event": 999, "half": ')
        resumed = run(config, part)
        assert resumed["complete"]
        assert _records(part) == _records(tmp_path / "whole")
        assert _summary(part) == _summary(tmp_path / "whole")
        for name in sorted(p.name for p in (tmp_path / "whole" / "predictions").iterdir()):
            a = np.load(tmp_path / "whole" / "predictions" / name)
            b = np.load(part / "predictions" / name)
            np.testing.assert_array_equal(a["probabilities"], b["probabilities"])


def test_run_records_events_usage_and_workdir_files(tmp_path: Path) -> None:
    summary = run(tiny_config("stream.stop_year=1999"), tmp_path / "run")
    work = Workdir(tmp_path / "run")
    records = [r.to_json() for r in work.read_events()]
    assert [r["type"] for r in records] == ["train", "predict", "train", "predict", "predict", "predict"]
    train = records[0]
    assert train["status"] == "ok" and len(train["info"]["trials"]) == 2
    assert train["usage"]["train"]["flops"] > 0 and train["usage"]["selection"]["flops"] > 0
    predict = records[1]
    assert predict["split"] == "dev_test" and 0 <= predict["metrics"]["error"] <= 1
    saved = np.load(tmp_path / "run" / predict["predictions"])
    assert saved["probabilities"].shape == (236, 10) and saved["targets"].shape == (236,)
    assert records[-1]["final"] and records[-2]["final"]
    flops = [r["cumulative_flops"]["train"] for r in records]
    assert flops == sorted(flops) and flops[-1] == summary["usage"]["train"]["flops"]
    assert RunConfig.load(work.config_file) == tiny_config("stream.stop_year=1999")
    provenance = json.loads(work.provenance_file.read_text())
    assert provenance["versions"]["torch"] and provenance["hardware"]["cpus"]
    assert summary["complete"] and summary["stream"] == "demo"


def test_a_second_run_in_the_same_workdir_is_refused(tmp_path: Path) -> None:
    work = Workdir(tmp_path / "run")
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with work.lock():
            started.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait(10)
    try:
        with pytest.raises(RuntimeError, match="another run .* is using"):
            run(tiny_config(), tmp_path / "run")
    finally:
        release.set()
        thread.join()


def test_another_config_in_a_used_workdir_is_refused(tmp_path: Path) -> None:
    run(tiny_config("stream.stop_year=1999"), tmp_path / "run", stop_after=1)
    with pytest.raises(ValueError, match="holds a run of another configuration"):
        run(tiny_config("stream.stop_year=1999", "seed=1"), tmp_path / "run")


def test_diverging_trials_fail_and_the_stream_goes_on(tmp_path: Path) -> None:
    # lr 1e12 makes the loss overflow: every trial fails, so the task fails; later tasks still run.
    config = tiny_config("stream.stop_year=1999", "options.search=none", "options.lr=1e12")
    summary = run(config, tmp_path / "run")
    records = [r.to_json() for r in Workdir(tmp_path / "run").read_events()]
    train = [r for r in records if r["type"] == "train"]
    assert all(r["status"] == "failed" and "loss became" in r["error"] for r in train)
    assert all(r["status"] == "skipped" for r in records if r["type"] == "predict")
    assert summary["complete"] and summary["failed_tasks"] == ["uci_digits", "mnist_5k"]
    # The failed trials' compute still counts.
    assert all(r["usage"]["train"]["flops"] > 0 for r in train)
    assert summary["usage"]["train"]["flops"] == sum(r["usage"]["train"]["flops"] for r in train)


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA device"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("tpu")
    assert resolve_device("auto").type == "cpu"


def test_stream_config_defaults_follow_the_reference() -> None:
    assert StreamConfig().predict_splits == ("dev_test",) and StreamConfig().final_evaluation


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    config = tiny_config("stream.stop_year=2008", "options.max_steps=30")
    run(config, tmp_path / "whole")
    killed = tmp_path / "killed"
    args = [sys.executable, "-m", "nevisbench.cli", "run", "--workdir", str(killed), "--config",
            str(_saved(config, tmp_path))]
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ}) as process:
        deadline = time.monotonic() + 120
        events = killed / "events.jsonl"
        while time.monotonic() < deadline and (not events.exists() or events.read_text().count("\n") < 3):
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
    done = events.read_text().count("\n")
    assert 3 <= done < 9, "the kill came too late to test anything"
    resumed = run(config, killed)
    assert resumed["complete"]
    assert _records(killed) == _records(tmp_path / "whole")


def _saved(config: RunConfig, tmp_path: Path) -> Path:
    path = tmp_path / "config.json"
    config.save(path)
    return path


class _Crash(Exception):
    pass


def test_a_run_killed_inside_a_task_keeps_its_finished_trials(tmp_path: Path) -> None:
    config = tiny_config("stream.stop_year=2007", "options.trials=3")
    whole = run(config, tmp_path / "whole")
    started: list[tuple[int, int]] = []

    def crash_at_third_trial(update: Progress) -> None:
        # The second task's third trial is starting: the machine goes down.
        if update.phase is Phase.TRIAL and update.trial.get("step") == 0:
            started.append(update.trial["trial"])
            if len(started) == 3 + 3:
                raise _Crash

    part = tmp_path / "part"
    with pytest.raises(_Crash):
        run(config, part, progress=crash_at_third_trial)
    assert (part / "checkpoints" / "task.pt").exists()
    resumed_trials: list[int] = []

    def watch(update: Progress) -> None:
        if update.phase is Phase.TRIAL and update.trial.get("step") == 0:
            resumed_trials.append(update.trial["trial"])

    resumed = run(config, part, progress=watch)
    assert resumed["complete"]
    assert resumed_trials == [2]  # the two finished trials of that task were not run again
    assert _records(part) == _records(tmp_path / "whole")
    # The trials kept across the kill still have their throughput (FitResult.train_images survived
    # the task checkpoint); only wall-clock-derived fields may differ from the whole run's.
    trained = [r for r in Workdir(part).read_events() if r.to_json()["type"] == "train"]
    assert all(t["images_per_second"] > 0 and t["flops_per_second"] > 0
               for r in trained for t in r.info["trials"])
    assert _summary(part) == _summary(tmp_path / "whole")
    assert whole["complete"]
    assert not (part / "checkpoints" / "task.pt").exists()
    assert not list((part / "checkpoints" / "learner").glob("trial_*.pt"))
