"""Where a task's trials run: in this process (``local``), on worker processes (``process``), or on Ray (``ray``).

See ``executors/base.py`` for the contract every executor keeps.
"""

from __future__ import annotations

from nevisbench.executors.base import (
    EXECUTORS,
    Executor,
    ExecutorConfig,
    JobOutcome,
    LocalExecutor,
    WorkerDied,
    create_executor,
)

__all__ = ["EXECUTORS", "Executor", "ExecutorConfig", "JobOutcome", "LocalExecutor", "WorkerDied", "create_executor"]


def __getattr__(name: str) -> object:
    # The process and Ray executors import on first use (Ray is an optional extra).
    if name == "ProcessExecutor":
        from nevisbench.executors.process import ProcessExecutor

        return ProcessExecutor
    if name == "RayExecutor":
        from nevisbench.executors.ray import RayExecutor

        return RayExecutor
    raise AttributeError(name)
