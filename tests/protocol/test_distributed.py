"""Trials on worker processes and on Ray give what local trials give; pretraining end to end from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_runner import tiny_config

from nevisbench.cli import main
from nevisbench.protocol.runner import run
from nevisbench.protocol.workdir import Workdir

# Trials compute with one thread wherever they run, so results are equal bit for bit (see executors.py).
TWO_TASKS = ["stream.stop_year=2007", "options.trials=4", "executor.cpus_per_trial=1"]


def _trials(workdir: Path) -> list[tuple]:
    """Per train event: the winner, every trial's dev error, and the FLOPs."""
    out = []
    for record in [r.to_json() for r in Workdir(workdir).read_events()]:
        if record["type"] == "train":
            info = record["info"]
            out.append((record["dataset"], info["winner"],
                         [round(t["best_dev_error"], 6) for t in info["trials"]], record["usage"]))
    return out


def test_process_workers_equal_local(tmp_path: Path) -> None:
    local = run(tiny_config(*TWO_TASKS), tmp_path / "local")
    process = run(tiny_config(*TWO_TASKS, "executor.kind=process", "executor.workers=2"), tmp_path / "process")
    assert _trials(tmp_path / "process") == _trials(tmp_path / "local")
    assert len(_trials(tmp_path / "local")) == 2
    assert process["usage"] == local["usage"]
    assert [r["info"]["executor"] for r in [r.to_json() for r in Workdir(tmp_path / "process").read_events()] if r["type"] == "train"] \
        == ["process", "process"]


def test_ray_trials_equal_local(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed (CI installs it)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for kind, extra in (("local", []), ("ray", ["executor.kind=ray", "executor.ship_data=true"])):
            run(tiny_config(*TWO_TASKS, *extra), tmp_path / kind)
        assert _trials(tmp_path / "ray") == _trials(tmp_path / "local")
        # Without shipping, Ray tasks read the store from the shared NEVISBENCH_HOME path.
        run(tiny_config(*TWO_TASKS, "executor.kind=ray"), tmp_path / "ray_path")
        assert _trials(tmp_path / "ray_path") == _trials(tmp_path / "local")
        _ray_worker_death_is_retried_once(tmp_path)
    finally:
        ray.shutdown()


def _ray_worker_death_is_retried_once(tmp_path: Path) -> None:
    from nevisbench.executors import RayExecutor

    def die_once(marker_dir: str, job: int) -> int:  # a closure: Ray ships it by value
        import os
        import signal

        marker = Path(marker_dir) / f"ray-seen-{job}"
        if job == -1 or not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return job * 10

    outcomes = RayExecutor("auto", retries=1).map(die_once, str(tmp_path), [1, -1, 2], (RuntimeError,))
    assert [o.result for o in outcomes] == [10, None, 20]
    assert "died" in outcomes[1].error


def test_a_run_resumes_on_another_executor(tmp_path: Path) -> None:
    run(tiny_config(*TWO_TASKS), tmp_path / "whole")
    part = tmp_path / "part"
    run(tiny_config(*TWO_TASKS), part, stop_after=2)
    run(tiny_config(*TWO_TASKS, "executor.kind=process"), part)
    assert _trials(part) == _trials(tmp_path / "whole")


def test_pretrain_then_init_from_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint = tmp_path / "digits.pt"
    assert main(["pretrain", "--dataset", "uci_digits", "--out", str(checkpoint), "--backbone", "small_cnn",
                 "--steps", "12", "--image-size", "16", "--batch-size", "32", "--validate-every", "6"]) == 0
    assert "options.init_from=" in capsys.readouterr().out
    record = json.loads(checkpoint.with_suffix(".pt.json").read_text())
    workdir = tmp_path / "run"
    argv = ["run", "--workdir", str(workdir), "--set", "stream.stop_year=2007"]
    for setting in ("options.backbone=small_cnn", "options.image_size=16", "options.max_steps=12",
                    "options.validate_every=6", "options.trials=1", "options.batch_size=32",
                    f"options.init_from={checkpoint}", "compute.include_pretraining=true"):
        argv += ["--set", setting]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "pretraining" in out
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["usage"]["pretraining"]["flops"] == record["flops"]["total"] > 0
    trains = [r for r in [r.to_json() for r in Workdir(workdir).read_events()] if r["type"] == "train"]
    assert all(r["info"]["init"] == f"pretrained {checkpoint}" for r in trains)
    # The cumulative FLOPs of every event include the pretraining.
    assert all(r["cumulative_flops"]["pretraining"] == record["flops"]["total"] for r in trains)


def test_dynamic_from_the_cli_shows_the_chosen_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workdir = tmp_path / "dynamic"
    argv = ["run", "--learner", "dynamic", "--workdir", str(workdir), "--set", "stream.stop_year=2008"]
    for setting in ("options.backbone=small_cnn", "options.image_size=16", "options.max_steps=12",
                    "options.validate_every=6", "options.trials=1", "options.batch_size=32",
                    "options.knn_train_examples=200", "options.knn_dev_examples=100"):
        argv += ["--set", setting]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "started from:" in out and "mnist_5k ← " in out
    trains = [r for r in [r.to_json() for r in Workdir(workdir).read_events()] if r["type"] == "train"]
    assert [len(r["info"]["selection"]["scores"]) for r in trains] == [0, 2, 3]
