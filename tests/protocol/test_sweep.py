"""`nevisbench sweep`: a grid of tiny runs, each in its own workdir, resumed and skipped on a second call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nevisbench.cli import main
from nevisbench.config import RunConfig
from nevisbench.configs import load_config
from nevisbench.protocol.runner import run
from nevisbench.protocol.sweep import parse_grid, plan_sweep, run_sweep

TINY = ["--set", "options.backbone=small_cnn", "--set", "options.image_size=16", "--set", "options.max_steps=6",
        "--set", "options.validate_every=3", "--set", "options.search=none", "--set", "options.batch_size=32",
        "--set", "stream.stop_year=1999", "--set", "executor.cpus_per_trial=1"]
GRID = ["--seeds", "0", "--grid", "options.lr=0.1,0.01"]
NAMES = ["independent_seed0_options.lr=0.1", "independent_seed0_options.lr=0.01"]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _errors(workdir: Path) -> list[float]:
    """Every event's error: the winner's dev error of a train event, the error of a predict event."""
    events = map(json.loads, (workdir / "events.jsonl").read_text().splitlines())
    return [e["info"]["dev_error"] if e["type"] == "train" else e["metrics"]["error"] for e in events]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Path:
    """A finished two-run sweep, run in this process."""
    root = tmp_path_factory.mktemp("sweep")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(home))
        assert main(["sweep", "--root", str(root), *GRID, *TINY]) == 0
    return root


def test_the_grid_is_learners_by_seeds_by_values_each_named_by_its_settings() -> None:
    points = plan_sweep(RunConfig(), learners=["independent", "previous"], seeds=[0, 1],
                        grid=parse_grid(["options.lr=0.1,0.01"]), sets=["options.max_steps=7"])
    assert len(points) == 8
    assert points[0].name == "independent_seed0_options.lr=0.1"
    assert points[-1].name == "previous_seed1_options.lr=0.01"
    last = points[-1].config
    assert (last.learner, last.seed, last.options.lr, last.options.max_steps) == ("previous", 1, 0.01, 7)


def test_a_bad_grid_key_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"--grid options.lrr: unknown setting 'options.lrr' \(did you mean lr"):
        plan_sweep(RunConfig(), grid=parse_grid(["options.lrr=0.1"]))
    with pytest.raises(ValueError, match="--grid options.lr: options.lr must be"):
        plan_sweep(RunConfig(), grid=parse_grid(["options.lr=fast"]))
    with pytest.raises(ValueError, match="--grid takes KEY=V1,V2"):
        parse_grid(["options.lr"])
    with pytest.raises(ValueError, match="given twice"):
        parse_grid(["options.lr=0.1", "options.lr=0.2"])


def test_a_bad_grid_key_is_a_usage_error_on_the_command_line(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--root", str(tmp_path), "--grid", "options.lrr=0.1"]) == 2
    assert "options.lrr" in _flat(capsys.readouterr().err)
    assert not (tmp_path / "independent_seed0_options.lrr=0.1").exists()


def test_each_run_has_its_workdir_and_the_sweep_ends_with_compare(swept: Path) -> None:
    for name in NAMES:
        assert (swept / name / "summary.json").is_file()
        assert RunConfig.load(swept / name / "config.json").options.lr == float(name.rpartition("=")[2])
    # Another learning rate, another run.
    assert _errors(swept / NAMES[0]) != _errors(swept / NAMES[1])


def test_running_the_same_sweep_again_skips_complete_runs_and_resumes_the_others(
        swept: Path, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEVISBENCH_HOME", str(home))
    capsys.readouterr()
    finished = [(swept / name / "events.jsonl").stat().st_mtime_ns for name in NAMES]
    # A third value whose run was stopped after its first two events (as if killed).
    grid = ["--seeds", "0", "--grid", "options.lr=0.1,0.01,0.05"]
    third = "independent_seed0_options.lr=0.05"
    sets = [value for flag, value in zip(TINY[::2], TINY[1::2], strict=True) if flag == "--set"]
    point = plan_sweep(load_config("demo"), seeds=[0], grid=parse_grid(["options.lr=0.05"]), sets=sets)[0]
    assert point.name == third
    run(point.config, swept / third, stop_after=2)
    started = (swept / third / "events.jsonl").read_text().splitlines()
    assert len(started) == 2 and not json.loads((swept / third / "summary.json").read_text())["complete"]

    assert main(["sweep", "--root", str(swept), *grid, *TINY]) == 0
    out = _flat(capsys.readouterr().out)
    assert f"skipped {NAMES[0]}" in out and f"skipped {NAMES[1]}" in out and f"done {third}" in out
    assert [(swept / name / "events.jsonl").stat().st_mtime_ns for name in NAMES] == finished
    resumed = (swept / third / "events.jsonl").read_text().splitlines()
    assert resumed[:2] == started and len(resumed) == len(_errors(swept / NAMES[0]))
    assert "3 runs, lowest mean error first" in out


def test_runs_on_concurrent_subprocesses_equal_the_in_process_ones(
        swept: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEVISBENCH_HOME", str(home))
    assert main(["sweep", "--root", str(tmp_path), *GRID, *TINY, "--jobs", "2"]) == 0
    for name in NAMES:
        assert (tmp_path / ".sweep" / f"{name}.log").is_file()
        assert _errors(tmp_path / name) == _errors(swept / name)


def test_runs_as_submitit_jobs_equal_the_in_process_ones(swept: Path, home: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("submitit", reason="the slurm extra is not installed: pip install 'nevisbench[slurm]'")
    monkeypatch.setenv("NEVISBENCH_HOME", str(home))
    points = plan_sweep(load_config("demo"), seeds=[0], grid=parse_grid(["options.lr=0.1,0.01"]),
                        sets=[v for f, v in zip(TINY[::2], TINY[1::2], strict=True) if f == "--set"])
    # submitit's local cluster: the jobs and pickles of `sweep --on slurm`, without a SLURM.
    outcomes = run_sweep(points, tmp_path, launcher="slurm", slurm_cluster="local")
    assert [o.status for o in outcomes] == ["done", "done"]
    assert len(list((tmp_path / ".sweep" / "slurm").iterdir())) >= 2
    for name in NAMES:
        assert _errors(tmp_path / name) == _errors(swept / name)


def test_runs_as_ray_tasks_equal_the_in_process_ones(swept: Path, home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'nevisbench[ray]'")
    monkeypatch.setenv("NEVISBENCH_HOME", str(home))  # before ray.init: its workers inherit the environment
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert main(["sweep", "--root", str(tmp_path), *GRID, *TINY, "--on", "ray"]) == 0
    finally:
        ray.shutdown()
    for name in NAMES:
        assert _errors(tmp_path / name) == _errors(swept / name)
