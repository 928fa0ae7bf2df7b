"""Data-parallel training of one fit: N processes under torch.distributed DDP, each on its share of every batch.

``fit`` with ``FitConfig.data_parallel`` = N > 1 calls :func:`fit_data_parallel`, which starts N rank
processes on this machine (gloo on CPU; NCCL on CUDA with one GPU per rank) and waits for them. Every
rank reads the same global batch as one process would (same seed, same sample order) and trains on its
contiguous 1/N slice of it (reading and augmenting only that slice, exactly as those rows of the whole
batch); DDP averages the gradients, so a step is one process's step on the global
batch up to summation order, except for BatchNorm, whose batch statistics are each rank's own
(``SyncBatchNorm`` is refused by DDP on CPU) and whose running statistics are rank 0's (DDP broadcasts
them at every forward). Rank 0 alone validates on dev, keeps the best-dev parameters, counts FLOPs
(the global batch's, as one process counts them) and returns the ``FitResult``.

The ranks are plain subprocesses (``python -c``), not ``multiprocessing`` children, so that a trial
can train data-parallel inside a process executor's worker (a daemonic process, which may not have
multiprocessing children) as well as in a Ray task or a SLURM job. They exchange files in a temporary
folder: the job, rank 0's progress lines and result, and a failed rank's pickled exception, which the
parent raises again as the same type (a NaN loss stays a ``TrialFailed``). A rank that fails ends the
others at once; a rank dies with its parent (``PR_SET_PDEATHSIG`` on Linux); and every collective has
a timeout, so no process is left waiting.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import json
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn

from nevisbench.data.batches import adaptive_batch_size
from nevisbench.files import atomic_path

if TYPE_CHECKING:
    from nevisbench.data.store import StoredSplit
    from nevisbench.learners.training import FitConfig, FitResult, TaskModel
    from nevisbench.values import TaskKind

log = logging.getLogger(__name__)

# Every collective gives up after this long (a rank lost without its parent noticing cannot leave the
# others waiting for ever); long enough for rank 0 to validate a large dev split while the others wait.
COLLECTIVE_TIMEOUT_S = 1800.0
_POLL_S = 0.05


class Ranks(Protocol):
    """What ``fit`` asks of the processes that train together (one process: ``ONE_PROCESS``).

    Attributes:
        rank / world: this process's number and how many there are; each reads and trains on the
            ``rank``-th of ``world`` equal shares of every batch.
        is_main: rank 0, which validates.
    """

    rank: int
    world: int
    is_main: bool

    def wrap(self, model: nn.Module) -> nn.Module:
        """The module to train through (DDP's wrapper, which averages gradients)."""
        ...

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        """The mean of ``value`` over the processes (each one's loss: the global batch's loss)."""
        ...

    def agree(self, flag: bool) -> bool:
        """The first process's ``flag``, for every process (e.g. to stop early together)."""
        ...


class _OneProcess:
    rank, world, is_main = 0, 1, True

    def wrap(self, model: nn.Module) -> nn.Module:
        return model

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        return value

    def agree(self, flag: bool) -> bool:
        return flag


ONE_PROCESS: Ranks = _OneProcess()


class DataParallelRanks:
    """Rank ``rank`` of ``world`` processes of an initialised torch.distributed process group."""

    def __init__(self, rank: int, world: int, device: torch.device) -> None:
        self.rank, self.world, self.device = rank, world, device
        self.is_main = rank == 0

    def wrap(self, model: nn.Module) -> nn.Module:
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(model, device_ids=[self.device] if self.device.type == "cuda" else None)

    def mean(self, value: torch.Tensor) -> torch.Tensor:
        import torch.distributed as dist

        total = value.detach().float().reshape(1).clone()
        dist.all_reduce(total)
        return total[0] / self.world

    def agree(self, flag: bool) -> bool:
        import torch.distributed as dist

        shared = torch.tensor([int(flag)], device=self.device)
        dist.broadcast(shared, 0)
        return bool(shared.item())


# ------------------------------------------------------------------------------------------- parent


def fit_data_parallel(
    model: TaskModel,
    train: StoredSplit,
    dev: StoredSplit,
    kind: TaskKind,
    config: FitConfig,
    *,
    seed: int,
    device: torch.device,
    progress: Callable[[dict[str, Any]], None] | None = None,
    timeout_s: float = COLLECTIVE_TIMEOUT_S,
) -> FitResult:
    """``fit`` on ``config.data_parallel`` processes; leaves ``model`` with the final parameters.

    Each rank computes with this process's torch threads divided among the ranks (at least one).

    Raises:
        ValueError: the global batch does not divide by the number of processes, or CUDA has too
            few GPUs for one per process.
        TrialFailed: the loss became NaN or infinite (in any rank: the ranks agree on it).
    """
    world = config.data_parallel
    batch_size = config.batch_size or adaptive_batch_size(len(train), max_batch_size=config.max_batch_size)
    if batch_size % world:
        where = "options.batch_size" if config.batch_size else "the adaptive batch-size rule"
        raise ValueError(
            f"compute.data_parallel={world} splits each batch among {world} processes, but the batch size "
            f"{batch_size} (from {where}) does not divide by {world}: set options.batch_size to a multiple "
            f"of {world}, or compute.data_parallel to a divisor of {batch_size}")
    _check_devices(device, world)
    threads = max(1, torch.get_num_threads() // world)
    with tempfile.TemporaryDirectory(prefix="nevisbench-ddp-") as name:
        folder = Path(name)
        job = {"model": model.to("cpu"), "train": train, "dev": dev, "kind": kind, "config": config,
               "seed": seed, "device": str(device), "world": world, "port": _free_port(), "threads": threads,
               "timeout_s": timeout_s, "parent": os.getpid()}
        torch.save(job, folder / "job.pt")
        processes = [_start(folder, rank, threads) for rank in range(world)]
        try:
            _wait(processes, folder, progress)
        finally:
            _stop(processes)
        output = torch.load(folder / "result.pt", map_location="cpu", weights_only=False)
    model.to(device)
    model.load_state_dict(output["final"])
    return output["result"]


def _check_devices(device: torch.device, world: int) -> None:
    if device.type == "cpu":
        return
    if device.type != "cuda":
        raise ValueError(f"compute.data_parallel trains on cpu or cuda, not {device.type}")
    first, count = device.index or 0, torch.cuda.device_count()
    if first + world > count:
        raise ValueError(
            f"compute.data_parallel={world} needs {world} GPUs, one per process, from {device}; "
            f"{count} are visible to the trial (a process executor gives each worker one: use "
            f"executor.kind=local, or ray/slurm with executor.gpus_per_trial={world})")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(folder: Path, rank: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ)
    # The ranks import this very package, wherever it was imported from (an editable checkout too).
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["OMP_NUM_THREADS"] = str(threads)
    code = "from nevisbench.learners.distributed import rank_main; rank_main()"
    return subprocess.Popen([sys.executable, "-c", code, str(folder), str(rank)], env=env)


def _wait(processes: list[subprocess.Popen], folder: Path, progress: Callable[[dict[str, Any]], None] | None) -> None:
    """Relays rank 0's progress until every rank ended; raises the first failure."""
    offset = 0
    while True:
        offset = _relay(folder / "progress.jsonl", offset, progress)
        codes = [process.poll() for process in processes]
        failed = [rank for rank, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            _stop(processes)  # the others may wait in a collective for the failed one
            raise _failure(folder, {rank: codes[rank] for rank in failed})
        if all(code == 0 for code in codes):
            _relay(folder / "progress.jsonl", offset, progress)
            if not (folder / "result.pt").exists():
                raise RuntimeError("the data-parallel fit's first process ended without a result")
            return
        time.sleep(_POLL_S)


def _relay(path: Path, offset: int, progress: Callable[[dict[str, Any]], None] | None) -> int:
    if progress is None or not path.exists():
        return offset
    with path.open("rb") as lines:
        lines.seek(offset)
        text = lines.read()
    done = text.rfind(b"\n") + 1  # a line being written is read next time
    for line in text[:done].splitlines():
        progress(json.loads(line))
    return offset + done


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _RemoteTraceback(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f"\n\"\"\"\n{self.text}\"\"\""


def _failure(folder: Path, failed: dict[int, int | None]) -> BaseException:
    """The exception that ended the fit, raised as its type; ``failed``: the ranks seen ended, by exit code.

    The first cause wins: a rank that ended without a Python error (killed) before the others' errors
    (which follow from it: a peer reset), else the error reported first (a NaN loss: rank 0's alone).
    """
    for rank, code in failed.items():
        if not (folder / f"error_{rank}.pkl").exists():
            return RuntimeError(f"process {rank} of the data-parallel fit ended with exit code {code} and no "
                                f"Python error (killed, or out of memory?)")
    reports = sorted(folder.glob("error_*.pkl"), key=lambda path: (path.stat().st_mtime_ns, path.name))
    error, text = pickle.loads(reports[0].read_bytes())
    error.__cause__ = _RemoteTraceback(text)
    return error


# -------------------------------------------------------------------------------------------- ranks


def rank_main() -> None:
    """A rank's process: ``python -c '…rank_main()' FOLDER RANK`` (started by ``fit_data_parallel``)."""
    folder, rank = Path(sys.argv[1]), int(sys.argv[2])
    job = torch.load(folder / "job.pt", map_location="cpu", weights_only=False)
    _die_with_parent(job["parent"])
    try:
        _train(folder, rank, job)
    except BaseException as error:
        from nevisbench.learners.training import TrialFailed

        if isinstance(error, TrialFailed) and rank != 0:
            # The ranks agree on a NaN loss (its mean over ranks): rank 0 reports it, with the FLOPs.
            os._exit(0)
        _report(folder / f"error_{rank}.pkl", error)
        os._exit(1)  # at once: a process group may still wait on the others
    os._exit(0)


def _train(folder: Path, rank: int, job: dict[str, Any]) -> None:
    import torch.distributed as dist

    from nevisbench.learners.training import fit

    torch.set_num_threads(job["threads"])
    device = torch.device(job["device"])
    if device.type == "cuda":
        device = torch.device("cuda", (device.index or 0) + rank)
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                            init_method=f"tcp://127.0.0.1:{job['port']}", rank=rank, world_size=job["world"],
                            timeout=datetime.timedelta(seconds=job["timeout_s"]))
    progress = None
    if rank == 0:
        lines = (folder / "progress.jsonl").open("a")

        def progress(info: dict[str, Any]) -> None:
            lines.write(json.dumps(info) + "\n")
            lines.flush()

    model = job["model"]
    result = fit(model, job["train"], job["dev"], job["kind"], job["config"], seed=job["seed"], device=device,
                 progress=progress, ranks=DataParallelRanks(rank, job["world"], device))
    if rank == 0:
        lines.close()
        final = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        with atomic_path(folder / "result.pt") as tmp:
            torch.save({"result": result, "final": final}, tmp)
    dist.destroy_process_group()


def _report(path: Path, error: BaseException) -> None:
    text = "".join(traceback.format_exception(error))
    try:
        payload = pickle.dumps((error, text))
        pickle.loads(payload)  # an exception whose constructor takes other arguments cannot come back
    except Exception:  # any failure to pickle: send what can be said
        payload = pickle.dumps((RuntimeError(f"{type(error).__name__}: {error}"), text))
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)


def _die_with_parent(parent: int) -> None:
    """Ends this process when its parent ends (Linux), so that a killed run leaves no rank behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)  # the parent ended before the line above
