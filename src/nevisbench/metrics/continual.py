"""Continual-learning metrics from a run's event records: forgetting, forward transfer, error at FLOPs budgets, area.

Every function reads the during-stream predictions of one split (by default the headline split of
``metrics.stream.summarize``) and, where it needs them, the end-of-stream re-evaluation and the train
records' cumulative FLOPs. A task's error is its prediction's ``error`` (single- and multi-label tasks
both record one); a task that failed to train counts at ``stream.FAILED_ERROR`` in the means, as in
``metrics.stream``, and has no forgetting (it was never learned).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from nevisbench.metrics.stream import FAILED_ERROR, HEADLINE_SPLITS
from nevisbench.records import PredictRecord, Record, TrainRecord


def headline_split(records: Sequence[Record]) -> str | None:
    """The split the headline numbers are of: ``test`` if predicted, else ``dev_test``, else the first."""
    splits = list(dict.fromkeys(r.split for r in records if isinstance(r, PredictRecord) and not r.final))
    return next((s for s in HEADLINE_SPLITS if s in splits), splits[0] if splits else None)


def _error(record: PredictRecord) -> float | None:
    if not record.ok:
        return FAILED_ERROR
    return (record.metrics or {}).get("error")


def learned_errors(records: Sequence[Record], split: str | None = None) -> dict[int, float]:
    """Task index → error when the task was learned (its during-stream prediction of ``split``)."""
    split = split or headline_split(records)
    out = {}
    for r in records:
        if isinstance(r, PredictRecord) and not r.final and r.split == split and (e := _error(r)) is not None:
            out[r.task_index] = e
    return out


def final_errors(records: Sequence[Record], split: str | None = None) -> dict[int, float]:
    """Task index → error at the end-of-stream re-evaluation (tasks that learned and were re-evaluated)."""
    split = split or headline_split(records)
    return {r.task_index: r.metrics["error"] for r in records
            if isinstance(r, PredictRecord) and r.final and r.split == split and r.ok
            and (r.metrics or {}).get("error") is not None}


def forgetting(records: Sequence[Record], split: str | None = None) -> dict[int, float]:
    """Task index → final error minus the error when learned (positive: forgotten), for every task that
    trained and was re-evaluated at the end of the stream. Backward transfer is its negative."""
    failed = {r.task_index for r in records if isinstance(r, TrainRecord) and not r.ok}
    learned, final = learned_errors(records, split), final_errors(records, split)
    return {i: final[i] - learned[i] for i in sorted(final) if i in learned and i not in failed}


def backward_transfer(records: Sequence[Record], split: str | None = None) -> float | None:
    """The mean over tasks of (error when learned − final error): negative when the learner forgets."""
    values = forgetting(records, split)
    return 0.0 - sum(values.values()) / len(values) if values else None  # 0.0 -: never -0.0


def forward_transfer(records: Sequence[Record], baseline: Sequence[Record],
                     split: str | None = None) -> dict[int, float]:
    """Task index → the baseline's error minus this run's error when the task was learned (positive: this
    run learned the task better than the baseline, e.g. an ``independent`` run of the same stream).

    Raises:
        ValueError: the runs put different datasets at one task index (they are of different streams).
    """
    split = split or headline_split(records)
    mine, theirs = learned_errors(records, split), learned_errors(baseline, split)
    names = {r.task_index: r.dataset for r in records}
    for r in baseline:
        if r.task_index in names and names[r.task_index] != r.dataset:
            raise ValueError(f"the baseline is of another stream: task {r.task_index} is {r.dataset} there and "
                             f"{names[r.task_index]} here; give a baseline run of the same stream")
    return {i: theirs[i] - mine[i] for i in sorted(mine) if i in theirs}


def error_curve(records: Sequence[Record], split: str | None = None) -> list[tuple[int, float]]:
    """After each learned task, in stream order: (cumulative train FLOPs, mean error of the tasks so far)."""
    errors = learned_errors(records, split)
    points, seen = [], []
    for r in records:
        if isinstance(r, TrainRecord) and r.task_index in errors:
            seen.append(errors[r.task_index])
            points.append((r.cumulative_flops.get("train", 0), sum(seen) / len(seen)))
    return points


def error_at_budgets(records: Sequence[Record], budgets: Sequence[float],
                     split: str | None = None) -> dict[float, float | None]:
    """Budget → the mean error of the tasks learned within that many cumulative train FLOPs (None when
    the first task alone needed more)."""
    curve = error_curve(records, split)
    out: dict[float, float | None] = {}
    for budget in budgets:
        within = [error for flops, error in curve if flops <= budget]
        out[budget] = within[-1] if within else None
    return out


def error_flops_area(records: Sequence[Record], split: str | None = None) -> float | None:
    """The area under the error-vs-cumulative-train-FLOPs curve (``error_curve``), with a log10 FLOPs
    axis, divided by the axis's width: a mean error over the compute spent, lower is better.

    One learned task (no width) gives its error; None without a learned task with FLOPs.
    """
    points = [(math.log10(f), e) for f, e in error_curve(records, split) if f > 0]
    if not points:
        return None
    width = points[-1][0] - points[0][0]
    if width <= 0:
        return points[-1][1]
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in itertools.pairwise(points))
    return area / width


def decade_budgets(records: Sequence[Record]) -> list[float]:
    """Powers of ten of train FLOPs from the first learned task's to the last's, as budgets to report."""
    flops = [f for f, _ in error_curve(records) if f > 0]
    if not flops:
        return []
    low, high = math.ceil(math.log10(flops[0])), math.ceil(math.log10(flops[-1]))
    return [10.0 ** k for k in range(low, high + 1)]


def continual_summary(records: Sequence[Record], baseline: Sequence[Record] | None = None) -> dict[str, Any]:
    """Every continual metric of a run: ``forgetting`` (per task index), ``mean_forgetting``,
    ``backward_transfer``, ``forward_transfer`` (per task, with a baseline) and its mean,
    ``error_at_budgets`` (at ``decade_budgets``) and ``error_flops_area``."""
    forgot = forgetting(records)
    out: dict[str, Any] = {
        "forgetting": forgot,
        "mean_forgetting": sum(forgot.values()) / len(forgot) if forgot else None,
        "backward_transfer": backward_transfer(records),
        "error_at_budgets": error_at_budgets(records, decade_budgets(records)),
        "error_flops_area": error_flops_area(records),
    }
    if baseline is not None:
        forward = forward_transfer(records, baseline)
        out["forward_transfer"] = forward
        out["mean_forward_transfer"] = sum(forward.values()) / len(forward) if forward else None
    return out
