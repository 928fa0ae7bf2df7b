"""SLURM executor (submitit): trials as jobs equal local trials, a cancelled job is retried, sbatch is required.

Tests marked by ``needs_sbatch`` use a real SLURM (``.ci/slurm-up.sh`` starts a one-node cluster; CI runs it)
and skip on a machine without ``sbatch``; the others go through submitit's ``local`` cluster (the same
pickles and job states, without SLURM).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_distributed import TWO_TASKS, _trials
from test_runner import tiny_config

import nevisbench
from nevisbench.config import apply_overrides
from nevisbench.executors import ExecutorConfig, LocalExecutor, create_executor
from nevisbench.protocol.runner import run

submitit = pytest.importorskip("submitit", reason="the slurm extra is not installed: pip install 'nevisbench[slurm]'")
cloudpickle = pytest.importorskip("cloudpickle")

from nevisbench.executors.slurm import SlurmExecutor, slurm_parameters  # noqa: E402

# Job functions are pickled by value: the job's Python need not import this test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])



def _no_slurm() -> str | None:
    """Why no real SLURM can run jobs here, or None."""
    if shutil.which("sbatch") is None:
        return "no sbatch on PATH: run .ci/slurm-up.sh (apt-get install slurm-wlm munge) or use a SLURM node"
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        states = ""
    if not any(state.strip("*~#") in ("idle", "mix", "alloc") for state in states.split()):
        return "sbatch is here but no SLURM node is up: run .ci/slurm-up.sh"
    return None


_WHY_NO_SLURM = _no_slurm()
needs_sbatch = pytest.mark.skipif(_WHY_NO_SLURM is not None, reason=str(_WHY_NO_SLURM))
CLUSTERS = ["local", pytest.param("slurm", marks=needs_sbatch)]


class Boom(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.flops = {"train": 7}


def square_or_fail(shared: int, job: int) -> int:
    if job < 0:
        raise Boom(f"negative job {job}")
    return shared + job * job


def slow_first_time(marker_dir: str, job: int) -> int:
    """Says it started, then sleeps through its first attempt (the test cancels it); later ones return."""
    marker = Path(marker_dir) / f"started-{job}"
    if not marker.exists():
        marker.touch()
        time.sleep(120)
    return job * 10


def raise_bug(shared: int, job: int) -> int:
    raise KeyError("a bug, not a failed trial")


class _Recording(SlurmExecutor):
    """Keeps the jobs it submits, so that a test can cancel one."""

    def submit(self, call, *args):  # type: ignore[no-untyped-def]
        job = super().submit(call, *args)
        self.jobs = [*getattr(self, "jobs", []), job]
        return job


def test_without_sbatch_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ValueError, match="sbatch, which is not on PATH.*executor.kind=local"):
        create_executor(ExecutorConfig(kind="slurm", log_folder=str(tmp_path / "logs")))


def test_resources_come_from_executor_settings() -> None:
    config = apply_overrides(tiny_config(), ["executor.kind=slurm", "executor.partition=gpu", "executor.mem=16G",
                                             "executor.time_minutes=30", "executor.cpus_per_trial=4"]).executor
    assert slurm_parameters(partition=config.partition, time_minutes=config.time_minutes, mem=config.mem,
                            cpus=config.cpus_per_trial, gpus=1, name="t") == {
        "timeout_min": 30, "name": "t", "nodes": 1, "tasks_per_node": 1, "cpus_per_task": 4,
        "slurm_partition": "gpu", "slurm_mem": "16G", "gpus_per_node": 1}
    with pytest.raises(ValueError, match="time_minutes"):
        ExecutorConfig(kind="slurm", time_minutes=0)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_jobs_give_what_local_gives_and_a_bug_is_raised(cluster: str, tmp_path: Path) -> None:
    jobs = [3, -2, 0]
    local = LocalExecutor().map(square_or_fail, 100, jobs, (Boom,))
    executor = SlurmExecutor(tmp_path / "logs", cpus=1, cluster=cluster)
    remote = executor.map(square_or_fail, 100, jobs, (Boom,))
    assert [o.result for o in remote] == [o.result for o in local] == [109, None, 100]
    assert remote[1].error == local[1].error == "negative job -2"
    assert remote[1].flops == {"train": 7}
    with pytest.raises(RuntimeError, match="a bug, not a failed trial"):
        executor.map(raise_bug, 0, [1], (Boom,))


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_a_job_cancelled_mid_trial_is_retried(cluster: str, tmp_path: Path) -> None:
    executor = _Recording(tmp_path / "logs", cpus=1, cluster=cluster, retries=1)
    started = tmp_path / "started-4"

    def cancel_when_started() -> None:
        for _ in range(600):
            if started.exists():
                executor.jobs[0].cancel()  # scancel on SLURM
                return
            time.sleep(0.1)

    canceller = threading.Thread(target=cancel_when_started)
    canceller.start()
    outcome = executor.map(slow_first_time, str(tmp_path), [4], ())[0]
    canceller.join()
    assert (outcome.result, outcome.error, outcome.attempts) == (40, None, 2)
    assert len(executor.jobs) == 2


@needs_sbatch
def test_a_run_with_trials_on_slurm_equals_the_local_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # executor.log_folder is relative
    # The jobs start in tmp_path: they must import this nevisbench wherever it lies.
    monkeypatch.setenv("PYTHONPATH", str(Path(nevisbench.__file__).parents[1]))
    run(tiny_config(*TWO_TASKS), tmp_path / "local")
    run(tiny_config(*TWO_TASKS, "executor.kind=slurm"), tmp_path / "slurm")
    assert _trials(tmp_path / "slurm") == _trials(tmp_path / "local")
    assert len([p for p in (tmp_path / "slurm_logs").iterdir() if p.is_dir()]) == 2 * 4  # one job per trial
