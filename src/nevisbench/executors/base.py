"""Where a task's trials run: in this process (``local``), in worker processes (``process``), on a
Ray cluster (``ray``), or as SLURM jobs (``slurm``).

Every executor runs ``fn(shared, job)`` for each job and returns one ``JobOutcome`` per job, in job
order; ``on_outcome(position, outcome)``, when given, is called as each job ends (a learner keeps
finished trials there, so that a crash loses at most the trials that were running). A job that raises one of the ``failure_types`` (e.g. TrialFailed: a NaN loss) is recorded as
failed with the FLOPs its exception carries. A worker that dies mid-job (killed, out of memory, a lost
Ray node) has its job retried ``retries`` times (once by default), then recorded as failed; the
other jobs go on. Any other exception is a bug and is raised in the caller.

Jobs are seeded by their index, not by where they run, so every executor gives the same FLOPs, and
the same results (same winner) as long as each trial computes with the same number of CPU threads:
PyTorch's CPU kernels may sum in another order with another thread count. ``cpus_per_trial`` fixes
that number for every executor; on a GPU it does not matter.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)

EXECUTORS = ("local", "process", "ray", "slurm")


@dataclasses.dataclass(frozen=True)
class ExecutorConfig:
    """How trials run (``--set executor.<field>=...``; ``--executor``, ``--workers``, ``--ray-address``).

    Attributes:
        kind: ``local`` (one trial after another in the run's process), ``process`` (``workers``
            worker processes on this machine) or ``ray`` (tasks on a Ray cluster; extra ``ray``).
        workers: process workers; None: one per visible GPU when the run's device is CUDA, else 2.
        ray_address: the cluster to join: ``auto`` (a cluster started with ``ray start`` on this
            machine), ``HOST:PORT``, or ``local`` (start a private Ray instance for this run).
        cpus_per_trial: CPU threads of each trial (torch.set_num_threads), and the CPUs a Ray trial
            asks for; None: local trials use PyTorch's default, process workers share the machine's
            cores, Ray trials ask for 1.
        gpus_per_trial: GPUs a Ray trial asks for; None: 1 when the run's device is CUDA, else 0.
        ship_data: Ray: send the task's arrays through the object store instead of letting each
            trial read them from the shared ``NEVISBENCH_HOME`` path.
        retries: how many times a job whose worker died is run again before it counts as failed.
        partition: SLURM: the partition of trial jobs (None: the cluster's default).
        time_minutes: SLURM: each trial job's time limit.
        mem: SLURM: each trial job's memory (``--mem``, e.g. ``16G``; None: the partition's default).
        log_folder: SLURM: submitit's folder of job pickles and logs, one subfolder per job (every
            node must see it; relative to the current directory).
    """

    kind: str = "local"
    workers: int | None = None
    ray_address: str = "auto"
    cpus_per_trial: int | None = None
    gpus_per_trial: float | None = None
    ship_data: bool = False
    retries: int = 1
    partition: str | None = None
    time_minutes: int = 60
    mem: str | None = None
    log_folder: str = "slurm_logs"

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            import difflib

            close = difflib.get_close_matches(self.kind, EXECUTORS, 1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"executor.kind must be one of {', '.join(EXECUTORS)}, got {self.kind!r}{hint}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"executor.workers must be at least 1, got {self.workers}")
        if self.cpus_per_trial is not None and self.cpus_per_trial < 1:
            raise ValueError(f"executor.cpus_per_trial must be at least 1, got {self.cpus_per_trial}")
        if self.gpus_per_trial is not None and self.gpus_per_trial < 0:
            raise ValueError(f"executor.gpus_per_trial must be ≥ 0, got {self.gpus_per_trial}")
        if self.retries < 0:
            raise ValueError(f"executor.retries must be ≥ 0, got {self.retries}")
        if self.time_minutes < 1:
            raise ValueError(f"executor.time_minutes must be at least 1, got {self.time_minutes}")


@dataclasses.dataclass
class JobOutcome:
    """A job's result, or why it failed.

    Attributes:
        result: what ``fn`` returned (None when it failed).
        error: why it failed.
        flops: the compute a failed job spent, per category, when its exception told.
        attempts: how many times it ran (more than 1 after a worker died).
    """

    result: Any = None
    error: str | None = None
    flops: dict[str, int] = dataclasses.field(default_factory=dict)
    attempts: int = 1


class WorkerDied(RuntimeError):
    """A worker process ended (or a Ray node was lost) while it ran a job."""


Fn = Callable[[Any, Any], Any]
OnOutcome = Callable[[int, JobOutcome], None]


class Executor(Protocol):
    name: str

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]: ...

    def close(self) -> None: ...


def _failed(error: BaseException) -> JobOutcome:
    return JobOutcome(error=str(error), flops=dict(getattr(error, "flops", {}) or {}))


def _tell(on_outcome: OnOutcome | None, position: int, outcome: JobOutcome) -> None:
    if on_outcome is not None:
        on_outcome(position, outcome)


# --------------------------------------------------------------------------------------------- local


class LocalExecutor:
    """Runs the jobs one after another in this process (the reference's default)."""

    name = "local"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]:
        import torch

        before = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            outcomes = []
            for position, job in enumerate(jobs):
                try:
                    outcomes.append(JobOutcome(result=fn(shared, job)))
                except failure_types as error:
                    outcomes.append(_failed(error))
                _tell(on_outcome, position, outcomes[-1])
            return outcomes
        finally:
            torch.set_num_threads(before)

    def close(self) -> None:
        pass


# ------------------------------------------------------------------------------------------- factory


class FitSettingsExecutor:
    """Another executor whose jobs train with run-level fit settings (``compute.compile``,
    ``compute.data_parallel``).

    A job that carries fit settings (a dataclass ``job.fit`` with those fields, as a trial does) gets
    them set; other jobs go through unchanged. The run's settings thus reach the trials wherever they
    run, without each learner passing them on.
    """

    def __init__(self, inner: Executor, **settings: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.settings = settings

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]:
        jobs = [_with_fit_settings(job, self.settings) for job in jobs]
        return self.inner.map(fn, shared, jobs, failure_types, on_outcome)

    def close(self) -> None:
        self.inner.close()


def _with_fit_settings(job: Any, settings: dict[str, Any]) -> Any:
    fit = getattr(job, "fit", None)
    if not (dataclasses.is_dataclass(job) and dataclasses.is_dataclass(fit)
            and set(settings) <= {f.name for f in dataclasses.fields(fit)}):
        return job
    return dataclasses.replace(job, fit=dataclasses.replace(fit, **settings))


def create_executor(config: ExecutorConfig, device_type: str = "cpu", *, compile: bool = False,
                    data_parallel: int = 1) -> Executor:
    """The executor ``config`` describes, for trials on ``device_type`` (``cpu`` or ``cuda``).

    Args:
        compile: train every trial through ``torch.compile`` (``compute.compile``).
        data_parallel: train every trial with this many processes (``compute.data_parallel``); on
            CUDA a Ray or SLURM trial then asks for that many GPUs unless ``gpus_per_trial`` says.
    """
    executor = _create(config, device_type, data_parallel)
    settings: dict[str, Any] = {}
    if compile:
        settings["compile"] = True
    if data_parallel != 1:
        settings["data_parallel"] = data_parallel
    return FitSettingsExecutor(executor, **settings) if settings else executor


def _create(config: ExecutorConfig, device_type: str, data_parallel: int = 1) -> Executor:
    if config.kind == "local":
        return LocalExecutor(config.cpus_per_trial)
    gpus = 0
    if device_type == "cuda":
        import torch

        gpus = torch.cuda.device_count()
    if config.kind == "process":
        from nevisbench.executors.process import ProcessExecutor

        workers = config.workers or (gpus if gpus else 2)
        return ProcessExecutor(workers, gpus=gpus, threads=config.cpus_per_trial, retries=config.retries)
    # One GPU per data-parallel rank.
    trial_gpus = (config.gpus_per_trial if config.gpus_per_trial is not None
                  else (data_parallel if device_type == "cuda" else 0))
    if config.kind == "slurm":
        from nevisbench.executors.slurm import SlurmExecutor

        return SlurmExecutor(config.log_folder, partition=config.partition, time_minutes=config.time_minutes,
                             mem=config.mem, cpus=config.cpus_per_trial, gpus=trial_gpus, retries=config.retries)
    from nevisbench.executors.ray import RayExecutor

    return RayExecutor(config.ray_address, cpus=config.cpus_per_trial, gpus=trial_gpus, retries=config.retries,
                       ship_data=config.ship_data)


def remote_call(fn: Fn, shared: Any, job: Any, failure_types: tuple[type[BaseException], ...],
                threads: int | None) -> tuple[Any, ...]:
    """Runs one job on a remote worker (a Ray task, a SLURM job): ``("ok", result)`` or ``("failed", why,
    flops)`` for an expected failure; anything else raises, as a bug."""
    os.environ["NEVISBENCH_TRIAL_WORKER"] = "1"
    if threads:
        import torch

        torch.set_num_threads(threads)
    try:
        return ("ok", fn(shared, job))
    except failure_types as error:
        return ("failed", str(error), dict(getattr(error, "flops", {}) or {}))
