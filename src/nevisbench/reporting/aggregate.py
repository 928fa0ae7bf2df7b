"""Runs of one config over several seeds, as one result: mean, 95% bootstrap interval, missing and partial seeds."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.records import PredictRecord
from nevisbench.reporting.runs import RunData, load_run
from nevisbench.values import TaskKind

# Fixed, so that the same runs always print the same interval.
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 10_000
# The file `nevisbench run --seeds` writes in the parent directory: the seeds it was asked for, so
# that a seed whose run never started is reported as missing rather than silently dropped.
SEEDS_FILE = "seeds.json"
_SEED_DIR = re.compile(r"seed_(\d+)")
# config.json fields that do not make two runs different experiments: where trials ran, and the seed.
_NOT_IDENTITY = ("executor", "seed")


def seed_dir(parent: Path, seed: int) -> Path:
    """The run directory of ``seed`` under a ``--seeds`` parent directory."""
    return Path(parent) / f"seed_{seed}"


def parse_seeds(text: str) -> list[int]:
    """``--seeds`` as a list: ``0,1,2`` as given, or a single number ``N`` meaning seeds 0 to N−1.

    Raises:
        ValueError: not a count or comma-separated seeds, or a seed given twice.
    """
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--seeds {text!r}: give a count (--seeds 3 runs seeds 0,1,2) or seeds "
                         f"separated by commas (--seeds 0,1,2)") from None
    if not values or min(values) < 0:
        raise ValueError(f"--seeds {text!r}: give a positive count or non-negative seeds, e.g. --seeds 3")
    seeds = list(range(values[0])) if "," not in text else values
    if not seeds:
        raise ValueError(f"--seeds {text!r}: give a positive count, e.g. --seeds 3")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds {text!r} names a seed twice; give each seed once")
    return seeds


def is_seeds_dir(path: Path) -> bool:
    """Whether ``path`` is a ``--seeds`` parent directory (its seeds file, or ``seed_<k>`` run dirs)."""
    path = Path(path)
    if not path.is_dir() or (path / "config.json").exists():
        return False
    return (path / SEEDS_FILE).exists() or any(_SEED_DIR.fullmatch(p.name) for p in path.iterdir() if p.is_dir())


def planned_seeds(parent: Path) -> list[int]:
    """The seeds of a parent directory: its seeds file's, plus any other ``seed_<k>`` directory in it."""
    parent = Path(parent)
    seeds: list[int] = []
    if (parent / SEEDS_FILE).exists():
        data = json.loads((parent / SEEDS_FILE).read_text())
        seeds = [int(s) for s in data.get("seeds", [])]
    found = sorted(int(m.group(1)) for p in parent.iterdir() if p.is_dir() and (m := _SEED_DIR.fullmatch(p.name)))
    return seeds + [s for s in found if s not in seeds]


def identity(run: RunData) -> dict[str, Any]:
    """What must match for runs to be seeds of one experiment: the config less the seed and executor."""
    return {k: v for k, v in run.config.items() if k not in _NOT_IDENTITY}


def _first_difference(a: Any, b: Any, prefix: str = "") -> str | None:
    """The dotted name of the first field where two config dicts differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if found:
                return found
        return None
    return None if a == b else prefix.rstrip(".")


def task_errors(run: RunData) -> list[float]:
    """The during-stream error of each single-label prediction of the headline split, in stream order
    (a failed task at 1.0): the values whose mean is the run's ``mean_error``."""
    split = run.summary.get("headline_split")
    return [(r.metrics or {}).get("error", 1.0) if r.ok else 1.0 for r in run.records
            if isinstance(r, PredictRecord) and not r.final and r.split == split
            and r.kind is TaskKind.SINGLE_LABEL]


def bootstrap_interval(values: Sequence[float], *, seed: int = BOOTSTRAP_SEED,
                       resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """The 95% percentile-bootstrap interval of the mean of ``values`` (deterministic for a given seed).

    Raises:
        ValueError: ``values`` is empty.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("a bootstrap needs at least one value")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def difference_interval(a: Sequence[float], b: Sequence[float], *, paired: bool = False,
                        seed: int = BOOTSTRAP_SEED, resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """The 95% percentile-bootstrap interval of mean(a) − mean(b).

    Args:
        a: one group's values (per seed, or per task).
        b: the other's.
        paired: resample the same indices of both (per-task errors of one stream: task i of ``a`` and of
            ``b`` are the same task); else each group is resampled on its own (per-seed means).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size == 0 or y.size == 0:
        raise ValueError("a bootstrap needs at least one value in each group")
    rng = np.random.default_rng(seed)
    if paired:
        if x.size != y.size:
            raise ValueError(f"paired values must be as many in each group, got {x.size} and {y.size}")
        pick = rng.integers(0, x.size, size=(resamples, x.size))
        diffs = x[pick].mean(axis=1) - y[pick].mean(axis=1)
    else:
        diffs = (x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
                 - y[rng.integers(0, y.size, size=(resamples, y.size))].mean(axis=1))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


@dataclasses.dataclass(frozen=True)
class SeedGroup:
    """Runs of one config differing only in their seed.

    Attributes:
        label: the group's name in a report (the parent directory's, or the first run's).
        runs: every run of the group, complete or not, in seed order.
        missing: seeds planned whose run directory does not exist.
    """

    label: str
    runs: tuple[RunData, ...]
    missing: tuple[int, ...] = ()

    @property
    def complete(self) -> list[RunData]:
        """The runs averaged in: complete ones with a mean error."""
        return [r for r in self.runs if r.complete and r.summary.get("mean_error") is not None]

    @property
    def partial(self) -> list[RunData]:
        return [r for r in self.runs if r not in self.complete]

    @property
    def learner(self) -> str:
        return self.runs[0].learner if self.runs else "?"

    @property
    def seed_errors(self) -> list[float]:
        return [r.summary["mean_error"] for r in self.complete]

    def statistics(self) -> dict[str, Any]:
        """``mean_error``, ``low``/``high`` (95% interval), ``interval_over`` (``seeds``, ``tasks`` with one
        seed, or None), ``seeds`` (averaged), ``missing`` and ``partial`` (seed numbers)."""
        errors = self.seed_errors
        out: dict[str, Any] = {"mean_error": None, "low": None, "high": None, "interval_over": None,
                               "seeds": len(errors), "missing": list(self.missing),
                               "partial": [_seed(r) for r in self.partial]}
        if len(errors) > 1:
            out.update(mean_error=float(np.mean(errors)), interval_over="seeds")
            out["low"], out["high"] = bootstrap_interval(errors)
        elif errors:
            # One seed: the spread over the stream's tasks is the only noise there is to show.
            tasks = task_errors(self.complete[0])
            out.update(mean_error=errors[0], interval_over="tasks")
            out["low"], out["high"] = bootstrap_interval(tasks)
        return out


def _seed(run: RunData) -> int | None:
    seed = run.config.get("seed")
    return seed if isinstance(seed, int) else None


def _check_same(runs: Sequence[RunData], where: str) -> None:
    """Refuses runs of different configs or streams, naming the first differing field."""
    first = runs[0]
    for run in runs[1:]:
        field = _first_difference(identity(first), identity(run))
        if field is None and run.stream_rows != first.stream_rows:
            field = "stream (its tasks)"
        if field is not None:
            raise ValueError(f"{where}: {first.label} and {run.label} differ in {field}; only runs that "
                             f"differ in their seed alone are averaged (give them as separate runs to compare)")


def load_seed_group(parent: Path) -> SeedGroup:
    """The runs of a ``--seeds`` parent directory, missing seeds named.

    Raises:
        ValueError: its runs differ in more than their seed.
    """
    parent = Path(parent)
    runs, missing = [], []
    for seed in planned_seeds(parent):
        path = seed_dir(parent, seed)
        try:
            runs.append(load_run(path, f"{parent.name}/{path.name}"))
        except FileNotFoundError:
            missing.append(seed)
    if runs:
        _check_same(runs, str(parent))
    return SeedGroup(label=parent.name, runs=tuple(runs), missing=tuple(missing))


def load_groups(paths: Sequence[Path]) -> list[SeedGroup]:
    """Run directories and ``--seeds`` parent directories as groups: a parent is one group; plain run
    directories of the same config (less the seed) and stream are grouped together, in order given.

    Raises:
        FileNotFoundError: a path is neither a run directory nor a parent of seed runs.
        ValueError: no path is given, or a parent holds runs of different configs.
    """
    from nevisbench.reporting.runs import load_runs

    if not paths:
        raise ValueError("name at least one run directory")
    groups: list[SeedGroup] = []
    plain = [Path(p) for p in paths if not is_seeds_dir(Path(p))]
    loaded = iter(load_runs(plain)) if plain else iter(())
    for path in paths:
        if is_seeds_dir(Path(path)):
            groups.append(load_seed_group(Path(path)))
            continue
        run = next(loaded)
        for i, group in enumerate(groups):
            if group.runs and not group.missing and _joins(group, run):
                groups[i] = dataclasses.replace(group, runs=(*group.runs, run))
                break
        else:
            groups.append(SeedGroup(label=run.label, runs=(run,)))
    return groups


def _joins(group: SeedGroup, run: RunData) -> bool:
    first = group.runs[0]
    return (identity(first) == identity(run) and first.stream_rows == run.stream_rows
            and _seed(run) not in {_seed(r) for r in group.runs})


def expand(paths: Sequence[Path]) -> list[Path]:
    """Each ``--seeds`` parent replaced by its seeds' existing run directories (for per-run views)."""
    out: list[Path] = []
    for path in paths:
        if is_seeds_dir(Path(path)):
            out += [d for s in planned_seeds(Path(path)) if (d := seed_dir(Path(path), s)).is_dir()]
        else:
            out.append(Path(path))
    return out


def noise_verdict(a: SeedGroup, b: SeedGroup) -> dict[str, Any] | None:
    """Whether group ``a``'s mean error differs from ``b``'s beyond the noise: the bootstrap interval of
    mean(a) − mean(b), over seeds when both have several, else paired over tasks; None without numbers."""
    if not a.complete or not b.complete:
        return None
    if len(a.complete) > 1 and len(b.complete) > 1:
        low, high = difference_interval(a.seed_errors, b.seed_errors)
        over = "seeds"
    else:
        x, y = task_errors(a.complete[0]), task_errors(b.complete[0])
        if len(x) != len(y) or not x:
            return None
        low, high = difference_interval(x, y, paired=True)
        over = "tasks"
    difference = float(np.mean(a.seed_errors) - np.mean(b.seed_errors)) if over == "seeds" else \
        float(np.mean(x) - np.mean(y))
    return {"difference": difference, "low": low, "high": high, "interval_over": over,
            "within_noise": low <= 0.0 <= high}


def interval_points(groups: Sequence[SeedGroup]) -> list[dict[str, Any]]:
    """For each group of several averaged seeds: its label, mean end-of-stream train FLOPs, mean error,
    95% interval and number of seeds (what the error-vs-FLOPs figure draws as error bars)."""
    out = []
    for group in groups:
        stats = group.statistics()
        if stats["interval_over"] != "seeds":
            continue
        flops = [r.records[-1].cumulative_flops.get("train", 0) for r in group.complete]
        out.append({"label": group.label, "train_flops": float(np.mean(flops)), "mean_error": stats["mean_error"],
                    "low": stats["low"], "high": stats["high"], "seeds": stats["seeds"]})
    return out
