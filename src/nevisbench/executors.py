"""Where a task's trials run: in this process (``local``), in worker processes (``process``), or on a
Ray cluster (``ray``).

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

import collections
import contextlib
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)

EXECUTORS = ("local", "process", "ray")


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
    """

    kind: str = "local"
    workers: int | None = None
    ray_address: str = "auto"
    cpus_per_trial: int | None = None
    gpus_per_trial: float | None = None
    ship_data: bool = False
    retries: int = 1

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


# ------------------------------------------------------------------------------------------- process


def _worker_main(connection: multiprocessing.connection.Connection, env: dict[str, str], threads: int) -> None:
    """A worker's loop: receive (fn, shared or None, job), run it, send back the outcome."""
    os.environ.update(env)
    os.environ["NEVISBENCH_TRIAL_WORKER"] = "1"
    import torch

    torch.set_num_threads(threads)
    shared: Any = None
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        fn, new_shared, failure_types, job = message
        if new_shared is not None:
            shared = pickle.loads(new_shared)
        try:
            reply: tuple[Any, ...] = ("ok", fn(shared, job))
        except failure_types as error:
            reply = ("failed", str(error), dict(getattr(error, "flops", {}) or {}))
        except BaseException as error:  # a bug: raised again in the parent with its traceback
            reply = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        connection.send(reply)


@dataclasses.dataclass
class _Worker:
    process: Any
    connection: multiprocessing.connection.Connection
    shared_token: int | None = None
    job: int | None = None


class ProcessExecutor:
    """Runs jobs on ``workers`` long-lived worker processes (spawned), one job per worker at a time.

    With CUDA each worker sees one GPU (``CUDA_VISIBLE_DEVICES``), round robin over the visible ones.
    """

    name = "process"

    def __init__(self, workers: int, *, gpus: int = 0, threads: int | None = None, retries: int = 1) -> None:
        self.size = workers
        self.gpus = gpus
        self.threads = threads or max(1, (os.cpu_count() or 1) // workers)
        self.retries = retries
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._token = 0

    def _start(self, slot: int) -> _Worker:
        parent, child = self._context.Pipe()
        env = {}
        if self.gpus:
            visible = os.environ.get("CUDA_VISIBLE_DEVICES")
            ids = visible.split(",") if visible else [str(i) for i in range(self.gpus)]
            env["CUDA_VISIBLE_DEVICES"] = ids[slot % len(ids)]
        process = self._context.Process(
            target=_worker_main, args=(child, env, self.threads), daemon=True, name=f"nevisbench-trial-{slot}"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]:
        while len(self._workers) < self.size:
            self._workers.append(self._start(len(self._workers)))
        self._token += 1
        token, shared_bytes = self._token, pickle.dumps(shared, protocol=pickle.HIGHEST_PROTOCOL)
        outcomes: list[JobOutcome | None] = [None] * len(jobs)
        attempts = [0] * len(jobs)
        queue = collections.deque(range(len(jobs)))
        try:
            while queue or any(w.job is not None for w in self._workers):
                for worker in self._workers:
                    if worker.job is None and queue:
                        index = queue.popleft()
                        attempts[index] += 1
                        worker.job = index
                        send = None if worker.shared_token == token else shared_bytes
                        worker.shared_token = token
                        worker.connection.send((fn, send, failure_types, jobs[index]))
                busy = [w for w in self._workers if w.job is not None]
                ready = multiprocessing.connection.wait(
                    [w.connection for w in busy] + [w.process.sentinel for w in busy]
                )
                for slot, worker in enumerate(self._workers):
                    if worker.job is None:
                        continue
                    index = worker.job
                    if worker.connection in ready:
                        try:
                            reply = worker.connection.recv()
                        except (EOFError, OSError):
                            reply = None
                        if reply is not None:
                            worker.job = None
                            if reply[0] == "ok":
                                outcomes[index] = JobOutcome(result=reply[1], attempts=attempts[index])
                            elif reply[0] == "failed":
                                outcomes[index] = JobOutcome(error=reply[1], flops=reply[2],
                                                             attempts=attempts[index])
                            else:
                                raise RuntimeError(f"trial {index} raised in worker {slot}: {reply[1]}")
                            _tell(on_outcome, index, outcomes[index])
                            continue
                    if worker.process.sentinel in ready or not worker.process.is_alive():
                        worker.process.join(1)
                        code = worker.process.exitcode
                        log.warning("worker %d died (exit code %s) running job %d (attempt %d)",
                                    slot, code, index, attempts[index])
                        worker.connection.close()
                        self._workers[slot] = self._start(slot)
                        if attempts[index] <= self.retries:
                            queue.appendleft(index)
                        else:
                            outcomes[index] = JobOutcome(
                                error=f"the worker process died (exit code {code}) in each of "
                                f"{attempts[index]} attempts",
                                attempts=attempts[index],
                            )
                            _tell(on_outcome, index, outcomes[index])
        except BaseException:
            # A bug or an interrupt: workers may hold half-done jobs; start clean next time.
            self.close()
            raise
        return [o if o is not None else JobOutcome(error="not run") for o in outcomes]

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(OSError, BrokenPipeError):
                worker.connection.send(None)
        for worker in self._workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.connection.close()
        self._workers = []


# ----------------------------------------------------------------------------------------------- ray


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RuntimeError(
            "--executor ray needs Ray: pip install 'nevisbench[ray]' (on every node of the cluster)"
        ) from None
    return ray


class RayExecutor:
    """Runs each job as a Ray task with its resources (``num_cpus``, ``num_gpus``).

    Ray retries a task whose worker died ``retries`` times (``max_retries``); our own failures
    (``failure_types``) are not retried. ``shared`` goes into the object store once per ``map``.
    """

    name = "ray"

    def __init__(self, address: str, *, cpus: int | None = None, gpus: float = 0, retries: int = 1,
                 ship_data: bool = False) -> None:
        ray = self._ray = _import_ray()
        if not ray.is_initialized():
            try:
                if address == "local":
                    ray.init(include_dashboard=False, log_to_driver=False)
                else:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False)
            except ConnectionError as error:
                raise RuntimeError(
                    f"cannot reach a Ray cluster at {address!r} ({error}); start one with `ray start "
                    f"--head` or pass --ray-address HOST:PORT (or local for a private instance)"
                ) from None
        self.cpus, self.gpus, self.retries, self.ship_data = cpus or 1, gpus, retries, ship_data
        self.threads = cpus

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]:
        ray = self._ray
        threads = self.threads
        remote = ray.remote(_ray_call).options(
            num_cpus=self.cpus, num_gpus=self.gpus, max_retries=self.retries, retry_exceptions=False
        )
        shared_ref = ray.put(shared)
        refs = [remote.remote(fn, shared_ref, job, failure_types, threads) for job in jobs]
        outcomes: list[JobOutcome | None] = [None] * len(refs)
        position = {ref: index for index, ref in enumerate(refs)}
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            index = position[ready[0]]
            try:
                status, *rest = ray.get(ready[0])
                outcome = JobOutcome(result=rest[0]) if status == "ok" else JobOutcome(error=rest[0], flops=rest[1])
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                    ray.exceptions.ObjectLostError, ray.exceptions.OwnerDiedError) as error:
                outcome = JobOutcome(
                    error=f"the Ray worker died in each of {self.retries + 1} attempts "
                    f"({type(error).__name__})",
                    attempts=self.retries + 1,
                )
            outcomes[index] = outcome
            _tell(on_outcome, index, outcome)
        return [o for o in outcomes if o is not None]

    def close(self) -> None:
        pass


def _ray_call(fn: Fn, shared: Any, job: Any, failure_types: tuple[type[BaseException], ...],
              threads: int | None) -> tuple[Any, ...]:
    os.environ["NEVISBENCH_TRIAL_WORKER"] = "1"
    if threads:
        import torch

        torch.set_num_threads(threads)
    try:
        return ("ok", fn(shared, job))
    except failure_types as error:
        return ("failed", str(error), dict(getattr(error, "flops", {}) or {}))


# ------------------------------------------------------------------------------------------- factory


def create_executor(config: ExecutorConfig, device_type: str = "cpu") -> Executor:
    """The executor ``config`` describes, for trials on ``device_type`` (``cpu`` or ``cuda``)."""
    if config.kind == "local":
        return LocalExecutor(config.cpus_per_trial)
    gpus = 0
    if device_type == "cuda":
        import torch

        gpus = torch.cuda.device_count()
    if config.kind == "process":
        workers = config.workers or (gpus if gpus else 2)
        return ProcessExecutor(workers, gpus=gpus, threads=config.cpus_per_trial, retries=config.retries)
    trial_gpus = config.gpus_per_trial if config.gpus_per_trial is not None else (1 if device_type == "cuda" else 0)
    return RayExecutor(config.ray_address, cpus=config.cpus_per_trial, gpus=trial_gpus, retries=config.retries,
                       ship_data=config.ship_data)
