"""Continual-learning metrics against closed forms on hand-made records."""

from __future__ import annotations

import pytest

from nevisbench.metrics.continual import (
    backward_transfer,
    continual_summary,
    decade_budgets,
    error_at_budgets,
    error_curve,
    error_flops_area,
    forgetting,
    forward_transfer,
)
from nevisbench.records import PredictRecord, Record, TrainRecord
from nevisbench.values import TaskKey, TaskKind


def _stream(learned: list[float], final: list[float | None], flops: list[int], *,
            failed: tuple[int, ...] = (), datasets: list[str] | None = None) -> list[Record]:
    """Train and predict records of tasks with the given errors when learned and at the end, and the
    cumulative train FLOPs after each task."""
    names = datasets or [f"d{i}" for i in range(len(learned))]
    records: list[Record] = []
    for i, (error, total) in enumerate(zip(learned, flops, strict=True)):
        key = TaskKey(names[i], TaskKind.SINGLE_LABEL, 10)
        head = {"task_index": i, "year": 2000 + i, "dataset": names[i], "task": key,
                "cumulative_flops": {"train": total}, "wall_seconds": {}}
        status = "failed" if i in failed else "ok"
        records.append(TrainRecord(event=len(records), status=status, **head))
        metrics = None if i in failed else {"error": error}
        records.append(PredictRecord(event=len(records), status="skipped" if i in failed else "ok",
                                     split="test", metrics=metrics, **head))
    for i, error in enumerate(final):
        if error is None:
            continue
        train = records[2 * i]
        records.append(PredictRecord(event=len(records), task_index=i, year=train.year, dataset=train.dataset,
                                     task=train.task, status="ok", cumulative_flops={"train": flops[-1]},
                                     wall_seconds={}, split="test", final=True, metrics={"error": error}))
    return records


def test_forgetting_and_backward_transfer() -> None:
    records = _stream([0.2, 0.3, 0.4], [0.5, 0.3, 0.3], [10, 100, 1000])
    assert forgetting(records) == pytest.approx({0: 0.3, 1: 0.0, 2: -0.1})
    assert backward_transfer(records) == pytest.approx(-(0.3 + 0.0 - 0.1) / 3)


def test_failed_and_unevaluated_tasks_have_no_forgetting() -> None:
    records = _stream([0.2, 0.3, 0.4], [0.5, None, 0.9], [10, 100, 1000], failed=(2,))
    assert forgetting(records) == pytest.approx({0: 0.3})


def test_forward_transfer_against_a_baseline() -> None:
    records = _stream([0.2, 0.3], [None, None], [10, 100])
    baseline = _stream([0.5, 0.25], [None, None], [10, 100])
    assert forward_transfer(records, baseline) == pytest.approx({0: 0.3, 1: -0.05})
    other = _stream([0.5, 0.25], [None, None], [10, 100], datasets=["x", "y"])
    with pytest.raises(ValueError, match="same stream"):
        forward_transfer(records, other)


def test_error_at_budgets_is_the_mean_of_the_tasks_learned_within() -> None:
    # Failed task 1 counts at error 1.0, as in the stream means.
    records = _stream([0.2, 0.0, 0.4], [None] * 3, [10, 100, 1000], failed=(1,))
    curve = error_curve(records)
    assert [flops for flops, _ in curve] == [10, 100, 1000]
    assert [error for _, error in curve] == pytest.approx([0.2, 0.6, 1.6 / 3])
    at = error_at_budgets(records, [5, 10, 500, 1e6])
    assert at[5] is None and set(at) == {5, 10, 500, 1e6}
    assert [at[10], at[500], at[1e6]] == pytest.approx([0.2, 0.6, 1.6 / 3])
    assert decade_budgets(records) == [10.0, 100.0, 1000.0]


def test_error_flops_area_is_normalised_trapezoid_on_log_axis() -> None:
    # Running means 0.5, 0.3, 0.2 at 1e9, 1e10, 1e11: area (0.4 + 0.25) / 2 decades wide.
    records = _stream([0.5, 0.1, 0.0], [None] * 3, [10**9, 10**10, 10**11])
    assert error_flops_area(records) == pytest.approx(0.325)
    assert error_flops_area(_stream([0.7], [None], [10**9])) == pytest.approx(0.7)
    assert error_flops_area([]) is None


def test_continual_summary_has_every_metric() -> None:
    records = _stream([0.2, 0.4], [0.3, 0.4], [10, 100])
    summary = continual_summary(records, baseline=_stream([0.3, 0.4], [None, None], [10, 100]))
    assert summary["mean_forgetting"] == pytest.approx(0.05)
    assert summary["mean_forward_transfer"] == pytest.approx(0.05)
    assert summary["error_at_budgets"] == pytest.approx({10.0: 0.2, 100.0: 0.3})
