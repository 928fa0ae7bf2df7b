"""Executors: the same outcomes wherever trials run; dead workers are retried once, then recorded."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from nevisbench.executors import (
    ExecutorConfig,
    LocalExecutor,
    ProcessExecutor,
    create_executor,
)


class Boom(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.flops = {"train": 7}


def square_or_fail(shared: int, job: int) -> int:
    if job < 0:
        raise Boom(f"negative job {job}")
    return shared + job * job


def die_once(marker_dir: str, job: int) -> int:
    """Kills its own process the first time it sees a job (a worker lost mid-trial); -1 always dies."""
    marker = Path(marker_dir) / f"seen-{job}"
    if job == -1 or not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return job * 10


def raise_bug(shared: int, job: int) -> int:
    raise KeyError("a bug, not a failed trial")


def test_process_workers_give_what_local_gives() -> None:
    jobs = [3, -2, 0, 5, 1]
    local = LocalExecutor().map(square_or_fail, 100, jobs, (Boom,))
    executor = ProcessExecutor(2, threads=1)
    try:
        remote = executor.map(square_or_fail, 100, jobs, (Boom,))
        again = executor.map(square_or_fail, 1, [2], (Boom,))  # new shared value reaches the workers
    finally:
        executor.close()
    assert [o.result for o in remote] == [o.result for o in local] == [109, None, 100, 125, 101]
    assert remote[1].error == local[1].error == "negative job -2"
    assert remote[1].flops == local[1].flops == {"train": 7}
    assert again[0].result == 5


def test_a_dead_worker_is_retried_once_then_recorded(tmp_path: Path) -> None:
    executor = ProcessExecutor(2, threads=1, retries=1)
    try:
        outcomes = executor.map(die_once, str(tmp_path), [1, -1, 2], (Boom,))
        # The pool replaced its dead workers and still works.
        after = executor.map(square_or_fail, 0, [4], (Boom,))
    finally:
        executor.close()
    assert [o.result for o in outcomes] == [10, None, 20]
    assert [o.attempts for o in outcomes] == [2, 2, 2]
    assert "died" in outcomes[1].error and "2 attempts" in outcomes[1].error
    assert after[0].result == 16


def test_a_bug_in_a_worker_is_raised_with_its_traceback() -> None:
    executor = ProcessExecutor(1, threads=1)
    try:
        with pytest.raises(RuntimeError, match="KeyError: 'a bug, not a failed trial'"):
            executor.map(raise_bug, 0, [1], (Boom,))
    finally:
        executor.close()


def test_executor_config_is_checked() -> None:
    with pytest.raises(ValueError, match="did you mean process"):
        ExecutorConfig(kind="proces")
    with pytest.raises(ValueError, match="executor.workers"):
        ExecutorConfig(kind="process", workers=0)
    assert create_executor(ExecutorConfig()).name == "local"
    process = create_executor(ExecutorConfig(kind="process"))
    assert process.name == "process" and process.size == 2
