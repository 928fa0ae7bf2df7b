"""Trials on long-lived worker processes of this machine, one GPU each when there are GPUs."""

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
from collections.abc import Sequence
from typing import Any

from nevisbench.executors.base import (
    Fn,
    JobOutcome,
    OnOutcome,
    _tell,
)

log = logging.getLogger(__name__)


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


