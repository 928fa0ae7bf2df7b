"""Trials as Ray tasks on an existing Ray cluster (or a private local instance), each with its resources."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from nevisbench.executors.base import Fn, JobOutcome, OnOutcome, _tell, remote_call

log = logging.getLogger(__name__)


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
        remote = ray.remote(remote_call).options(
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


