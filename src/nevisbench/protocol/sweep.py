"""A grid of runs (learners × seeds × setting values), each in its own resumable workdir under one root.

Each point of the grid is an ordinary run: its workdir (``ROOT/NAME``, named by its settings) resumes
what was unfinished and a finished one (``summary.json`` written) is skipped, so running the same sweep
again continues it. Points run one after another in this process, on local subprocesses
(``python -m nevisbench.protocol.sweep CONFIG WORKDIR``), as Ray tasks, or as SLURM jobs (submitit).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from nevisbench.config import RunConfig, apply_overrides
from nevisbench.executors import ExecutorConfig

log = logging.getLogger(__name__)

LAUNCHERS = ("local", "ray", "slurm")
# Where the sweep keeps each point's config and, for subprocesses and jobs, its log.
SWEEP_FOLDER = ".sweep"


@dataclasses.dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep.

    Attributes:
        name: its workdir's name under the root, made of its settings.
        config: the run's configuration.
        settings: the assignments that made it from the base config (learner, seed, grid values).
    """

    name: str
    config: RunConfig
    settings: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PointOutcome:
    """How one point of a sweep ended.

    Attributes:
        name: the point's name.
        workdir: its run directory.
        status: ``skipped`` (complete before), ``done`` (complete now) or ``failed``.
        error: why it failed.
    """

    name: str
    workdir: Path
    status: str
    error: str | None = None


def parse_grid(items: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``KEY=V1,V2`` items as (key, values), in the order given.

    Raises:
        ValueError: an item is not ``KEY=VALUES`` or repeats a key.
    """
    grid: list[tuple[str, list[str]]] = []
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        parts = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not key or not parts:
            raise ValueError(f"--grid takes KEY=V1,V2,..., e.g. options.lr=0.1,0.01; got {item!r}")
        if key in {k for k, _ in grid}:
            raise ValueError(f"--grid {key} is given twice; list all its values in one --grid {key}=V1,V2")
        grid.append((key, parts))
    return grid


def point_name(settings: Sequence[str]) -> str:
    """A workdir name made of ``settings`` (``independent_seed0_options.lr=0.1``)."""
    parts = []
    for setting in settings:
        key, _, value = setting.partition("=")
        parts.append(value if key == "learner" else f"seed{value}" if key == "seed" else setting)
    return re.sub(r"[^A-Za-z0-9._=+-]", "-", "_".join(parts))


def plan_sweep(base: RunConfig, *, learners: Sequence[str] = (), seeds: Sequence[int] = (),
               grid: Sequence[tuple[str, Sequence[str]]] = (), sets: Sequence[str] = ()) -> list[SweepPoint]:
    """Every point of learners × seeds × grid values, each ``base`` with ``sets`` and its own settings.

    Args:
        base: the config every point starts from.
        learners: learner ids (empty: the base config's learner).
        seeds: run seeds (empty: the base config's seed).
        grid: (setting, values) pairs, e.g. ``("options.lr", ["0.1", "0.01"])``.
        sets: assignments every point shares (``--set``), applied after its learner.

    Raises:
        ValueError: a grid key or value is not a valid setting (the message names the key).
    """
    learners = list(learners) or [base.learner]
    seeds = list(seeds) or [base.seed]
    points: list[SweepPoint] = []
    for learner, seed, *values in itertools.product(learners, seeds, *(vals for _, vals in grid)):
        own = [f"learner={learner}", f"seed={seed}"]
        own += [f"{key}={value}" for (key, _), value in zip(grid, values, strict=True)]
        config = apply_overrides(base, [own[0]] + list(sets) + [own[1]])
        for assignment in own[2:]:
            try:
                config = apply_overrides(config, [assignment])
            except ValueError as error:
                raise ValueError(f"--grid {assignment.partition('=')[0]}: {error}") from None
        points.append(SweepPoint(point_name(own), config, tuple(own)))
    names = [p.name for p in points]
    if len(set(names)) != len(names):
        raise ValueError("two points of the grid have the same settings; give each value once")
    return points


def is_complete(workdir: Path) -> bool:
    """Whether the run in ``workdir`` finished: its ``summary.json`` (written last) says ``complete``."""
    try:
        return json.loads((Path(workdir) / "summary.json").read_text()).get("complete") is True
    except (OSError, ValueError, AttributeError):
        return False  # no summary yet, or a damaged one: the run resumes and writes it again


def run_sweep(points: Sequence[SweepPoint], root: Path, *, launcher: str = "local", jobs: int = 1,
              slurm_cluster: str = "slurm") -> list[PointOutcome]:
    """Runs every unfinished point of ``points`` under ``root`` and says how each ended.

    Args:
        points: the sweep's points (``plan_sweep``).
        root: the folder of their workdirs.
        launcher: ``local`` (this machine: in this process when ``jobs`` is 1, else ``jobs``
            concurrent subprocesses), ``ray`` (one Ray task per point on the cluster that
            ``ray.init()`` joins) or ``slurm`` (one SLURM job per point, with the first point's
            ``executor.*`` resources and retries).
        jobs: local points run at once.
        slurm_cluster: submitit's cluster for ``slurm``: ``slurm``, or ``local`` (tests).
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f"the sweep launcher must be one of {', '.join(LAUNCHERS)}, got {launcher!r}")
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    root = Path(root)
    todo = [p for p in points if not is_complete(root / p.name)]
    for point in points:
        if point not in todo:
            log.info("%s: complete, skipped", point.name)
    folder = root / SWEEP_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for point in todo:
        point.config.save(folder / f"{point.name}.json")
    if not todo:
        errors: dict[str, str | None] = {}
    elif launcher == "ray":
        errors = _on_ray(todo, root)
    elif launcher == "slurm":
        errors = _on_slurm(todo, root, slurm_cluster)
    elif jobs == 1:
        errors = {p.name: _in_process(p, root) for p in todo}
    else:
        errors = _on_subprocesses(todo, root, jobs)
    outcomes = []
    for point in points:
        workdir = root / point.name
        if point not in todo:
            outcomes.append(PointOutcome(point.name, workdir, "skipped"))
        elif errors.get(point.name) is None and is_complete(workdir):
            outcomes.append(PointOutcome(point.name, workdir, "done"))
        else:
            outcomes.append(PointOutcome(point.name, workdir, "failed",
                                         errors.get(point.name) or "the run ended without its summary"))
    return outcomes


def run_point(config_file: str, workdir: str) -> str | None:
    """Runs (or resumes) one point from its saved config; None when it completed, else why not.

    The body of a point wherever it runs: a subprocess, a Ray task, a SLURM job.
    """
    from nevisbench.protocol.runner import run

    try:
        run(RunConfig.load(Path(config_file)), Path(workdir))
    except (ValueError, KeyError, FileNotFoundError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def _in_process(point: SweepPoint, root: Path) -> str | None:
    log.info("%s: running", point.name)
    return run_point(str(root / SWEEP_FOLDER / f"{point.name}.json"), str(root / point.name))


def _on_subprocesses(points: Sequence[SweepPoint], root: Path, jobs: int) -> dict[str, str | None]:
    folder = root / SWEEP_FOLDER
    waiting, running, errors = list(points), {}, {}
    while waiting or running:
        while waiting and len(running) < jobs:
            point = waiting.pop(0)
            logfile = (folder / f"{point.name}.log").open("ab")
            command = [sys.executable, "-m", __name__, str(folder / f"{point.name}.json"), str(root / point.name)]
            log.info("%s: started (log %s)", point.name, logfile.name)
            running[point.name] = (subprocess.Popen(command, stdout=logfile, stderr=subprocess.STDOUT,
                                                    env=os.environ.copy()), logfile)
        for name, (process, logfile) in list(running.items()):
            if process.poll() is None:
                continue
            logfile.close()
            del running[name]
            errors[name] = None if process.returncode == 0 else (
                f"exit code {process.returncode}; see {folder / f'{name}.log'}")
        time.sleep(0.2)
    return errors


def _point_job(_shared: None, job: tuple[str, str]) -> str | None:
    return run_point(*job)


def _on_slurm(points: Sequence[SweepPoint], root: Path, cluster: str) -> dict[str, str | None]:
    from nevisbench.executors.slurm import SlurmExecutor

    config = points[0].config.executor
    # The default folder goes beside the sweep's own files rather than into the current directory.
    logs = root / SWEEP_FOLDER / "slurm" if config.log_folder == ExecutorConfig().log_folder else config.log_folder
    executor = SlurmExecutor(logs, partition=config.partition, time_minutes=config.time_minutes,
                             mem=config.mem, cpus=config.cpus_per_trial, gpus=config.gpus_per_trial,
                             retries=config.retries, cluster=cluster)
    folder = root / SWEEP_FOLDER
    jobs = [(str(folder / f"{p.name}.json"), str(root / p.name)) for p in points]
    outcomes = executor.map(_point_job, None, jobs, ())
    return {p.name: o.result if o.error is None else o.error for p, o in zip(points, outcomes, strict=True)}


def _on_ray(points: Sequence[SweepPoint], root: Path) -> dict[str, str | None]:
    try:
        import ray
    except ImportError:
        raise ValueError("sweep --on ray needs Ray: pip install 'nevisbench[ray]'") from None
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    remote = ray.remote(run_point).options(num_cpus=1)
    folder = root / SWEEP_FOLDER
    refs = {p.name: remote.remote(str(folder / f"{p.name}.json"), str(root / p.name)) for p in points}
    return {name: ray.get(ref) for name, ref in refs.items()}


def _main(argv: Sequence[str]) -> int:
    # `python -m nevisbench.protocol.sweep CONFIG WORKDIR`: one point, in a subprocess.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    error = run_point(argv[0], argv[1])
    if error:
        log.error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
