"""Trials as SLURM jobs through submitit (extra ``slurm``), each with the resources of ``executor.*``.

Each job unpickles ``(fn, shared, job)`` from ``executor.log_folder`` (a folder every node must see,
like ``NEVISBENCH_HOME``), runs it with ``cpus_per_trial`` threads and pickles its result back. A job
that ends without a result (``scancel``, a node failure, out of memory, its time limit) is submitted
again ``retries`` times, then recorded as failed; an exception from ``fn`` outside the failure types
is a bug and is raised here, with the job's traceback.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nevisbench.executors.base import Fn, JobOutcome, OnOutcome, _tell, remote_call

log = logging.getLogger(__name__)

# How often finished jobs are looked for (submitit caches squeue/sacct itself).
_POLL_SECONDS = 1.0
# submitit's cluster names: ``slurm`` submits with sbatch; ``local`` runs each job as a subprocess
# of this machine (the same pickles and job states, for tests and machines without SLURM).
CLUSTERS = ("slurm", "local")
# squeue states of a job that may still produce its result.
_ACTIVE_STATES = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED",
                  "STAGE_OUT", "SIGNALING", "REQUEUE_HOLD", "REQUEUE_FED"}


def import_submitit() -> Any:
    """submitit, or a ValueError saying how to install it."""
    try:
        import submitit
    except ImportError:
        raise ValueError("executor.kind=slurm needs submitit: pip install 'nevisbench[slurm]'") from None
    return submitit


def check_sbatch() -> None:
    """Raises a ValueError saying what to install when SLURM's ``sbatch`` is not on PATH."""
    if shutil.which("sbatch") is None:
        raise ValueError("executor.kind=slurm submits with SLURM's sbatch, which is not on PATH: run on a "
                         "SLURM login node (or apt-get install slurm-client with a slurm.conf for your "
                         "cluster), or use executor.kind=local, process or ray")


def slurm_parameters(*, partition: str | None, time_minutes: int, mem: str | None, cpus: int | None,
                     gpus: float | None, name: str) -> dict[str, Any]:
    """submitit's ``update_parameters`` for one trial's resources."""
    parameters: dict[str, Any] = {"timeout_min": time_minutes, "name": name, "nodes": 1, "tasks_per_node": 1,
                                  "cpus_per_task": cpus or 1}
    if partition:
        parameters["slurm_partition"] = partition
    if mem:
        parameters["slurm_mem"] = mem
    if gpus:
        parameters["gpus_per_node"] = int(gpus)
    return parameters


class SlurmExecutor:
    """Runs each job as one SLURM job (submitit), ``retries`` more times when it ends without a result."""

    name = "slurm"

    def __init__(self, folder: str | Path, *, partition: str | None = None, time_minutes: int = 60,
                 mem: str | None = None, cpus: int | None = None, gpus: float | None = None, retries: int = 1,
                 cluster: str = "slurm") -> None:
        if cluster not in CLUSTERS:
            raise ValueError(f"cluster must be one of {', '.join(CLUSTERS)}, got {cluster!r}")
        submitit = self._submitit = import_submitit()
        if cluster == "slurm":
            check_sbatch()
        self.folder, self.threads, self.retries, self.cluster = Path(folder), cpus, retries, cluster
        self.executor = submitit.AutoExecutor(folder=str(self.folder / "%j"), cluster=cluster)
        parameters = slurm_parameters(partition=partition, time_minutes=time_minutes, mem=mem, cpus=cpus,
                                      gpus=gpus, name="nevisbench-trial")
        if cluster != "slurm":  # the local cluster knows only the generic parameters
            parameters = {k: v for k, v in parameters.items() if not k.startswith("slurm_")}
        self.executor.update_parameters(**parameters)

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        """Submits ``call(*args)`` as one job and returns submitit's job."""
        job = self.executor.submit(call, *args)
        log.info("submitted SLURM job %s", job.job_id)
        return job

    def map(
        self,
        fn: Fn,
        shared: Any,
        jobs: Sequence[Any],
        failure_types: tuple[type[BaseException], ...],
        on_outcome: OnOutcome | None = None,
    ) -> list[JobOutcome]:
        submitit = self._submitit

        def submit(index: int) -> Any:
            return self.submit(remote_call, fn, shared, jobs[index], failure_types, self.threads)

        running = {index: submit(index) for index in range(len(jobs))}
        finished = self._finished
        attempts = dict.fromkeys(running, 1)
        outcomes: list[JobOutcome | None] = [None] * len(jobs)
        while running:
            for index, job in list(running.items()):
                if not finished(job):
                    continue
                del running[index]
                try:
                    if self.cluster == "slurm" and not Path(job.paths.result_pickle).exists():
                        # Ended without a result; submitit's result() would wait for sacct to say so.
                        raise submitit.core.utils.UncompletedJobError(f"job {job.job_id} left no result")
                    status, *rest = job.result()
                except submitit.core.utils.FailedJobError as error:
                    raise RuntimeError(f"SLURM job {job.job_id} raised (a bug):\n{error}") from None
                except submitit.core.utils.UncompletedJobError as error:
                    status, rest = "died", [str(error).splitlines()[0]]
                if status == "died" and attempts[index] <= self.retries:
                    log.warning("SLURM job %s ended without a result (%s); submitting it again", job.job_id, rest[0])
                    attempts[index] += 1
                    running[index] = submit(index)
                    continue
                if status == "ok":
                    outcome = JobOutcome(result=rest[0], attempts=attempts[index])
                elif status == "failed":
                    outcome = JobOutcome(error=rest[0], flops=rest[1], attempts=attempts[index])
                else:
                    outcome = JobOutcome(error=f"the SLURM job ended without a result in each of "
                                         f"{attempts[index]} attempts ({rest[0]})", attempts=attempts[index])
                outcomes[index] = outcome
                _tell(on_outcome, index, outcome)
            if running:
                time.sleep(_POLL_SECONDS)
        return [o for o in outcomes if o is not None]

    def _finished(self, job: Any) -> bool:
        # submitit reads job states from sacct; a cluster without accounting storage (sacct fails)
        # never reports a cancelled job as done, so squeue, which lists ended jobs for MinJobAge
        # (300 s by default), and the result file decide too.
        if job.done() or self.cluster != "slurm":
            return job.done()
        if Path(job.paths.result_pickle).exists():
            return True
        state = subprocess.run(["squeue", "-h", "-t", "all", "-j", str(job.job_id), "-o", "%T"],
                               capture_output=True, text=True, check=False).stdout.strip()
        return state not in _ACTIVE_STATES

    def close(self) -> None:
        pass
