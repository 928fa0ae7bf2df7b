"""Stream-level results from the event records of a run: mean and example-weighted error, mean mAP, FLOPs per event.

Records are ``records.TrainRecord`` / ``records.PredictRecord`` (the lines of ``events.jsonl``).

A task that failed to train never improves a mean: its predictions (recorded as ``skipped``) count as
error 1.0 (every example wrong; top-5 error 1.0; NLL at the probability floor) in the single-label
means and as mAP 0 / error 1.0 in the multi-label ones. Error 1.0 rather than chance: a learner that
gives up on a task must not score like one that guesses, and 1.0 needs no class prior.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from nevisbench.metrics.classification import NLL_PROBABILITY_FLOOR
from nevisbench.records import PredictRecord, Record
from nevisbench.values import TaskKind

# The split whose during-stream predictions give the headline numbers, by preference: the paper's
# numbers are test errors; dev_test is the split of method development.
HEADLINE_SPLITS: tuple[str, ...] = ("test", "dev_test")

# What a failed task's prediction counts as in each mean (see the module docstring).
FAILED_ERROR = 1.0
FAILED_MAP = 0.0
FAILED_NLL = -math.log(NLL_PROBABILITY_FLOOR)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def aggregate(records: Sequence[PredictRecord]) -> dict[str, Any]:
    """Aggregates predict-event records (of one split) as the reference's ``nevis_metrics`` does.

    Returns:
        ``mean_error`` (mean over single-label events of their error: the reference's
        ``average_single_label_accuracy`` as an error), ``weighted_error`` (1 − Σ correct / Σ examples
        over single-label events), ``mean_top5_error``, ``mean_nll``, ``mean_map`` (mean over multi-label
        events of their mAP), ``mean_multi_label_error``, and the counts ``single_label_events``,
        ``multi_label_events``, ``num_examples`` (single-label) and ``skipped_events`` (predictions of
        tasks that failed to train: counted in every mean at error 1.0 / mAP 0, see the module
        docstring). A rate with no event to average is left out rather than written as null.
    """
    single = [r for r in records if r.kind is TaskKind.SINGLE_LABEL]
    multi = [r for r in records if r.kind is TaskKind.MULTI_LABEL]

    def rate(group: list[PredictRecord], key: str, failed: float) -> float | None:
        return _mean(r.metrics[key] if r.ok else failed for r in group)

    num_examples = sum(r.metrics["num_examples"] if r.ok else r.num_examples or 0 for r in single)
    num_correct = sum(r.metrics["num_correct"] for r in single if r.ok)
    out: dict[str, Any] = {
        "mean_error": rate(single, "error", FAILED_ERROR),
        "weighted_error": 1.0 - num_correct / num_examples if num_examples else None,
        "mean_top5_error": rate(single, "top5_error", FAILED_ERROR),
        "mean_nll": rate(single, "nll", FAILED_NLL),
        "mean_map": rate(multi, "map", FAILED_MAP),
        "mean_multi_label_error": rate(multi, "error", FAILED_ERROR),
    }
    out = {k: v for k, v in out.items() if v is not None}
    out.update(
        {
            "single_label_events": sum(r.ok for r in single),
            "multi_label_events": sum(r.ok for r in multi),
            "num_examples": num_examples,
            "skipped_events": sum(not r.ok for r in records),
        }
    )
    return out


def _by_split(records: Sequence[PredictRecord]) -> dict[str, dict[str, Any]]:
    splits: dict[str, list[PredictRecord]] = {}
    for record in records:
        splits.setdefault(record.split, []).append(record)
    return {split: aggregate(group) for split, group in splits.items()}


def _flops(record: Record) -> dict[str, int]:
    flops = dict(record.cumulative_flops)
    flops["total"] = sum(flops.values())
    return flops


def cumulative_flops(records: Sequence[Record]) -> list[dict[str, Any]]:
    """FLOPs spent up to and including each event: ``{"event", "type", "train", "selection", "predict", "total"}``."""
    return [{"event": r.event, "type": r.type, **_flops(r)} for r in records]


def _row(record: PredictRecord) -> dict[str, Any]:
    metrics = record.metrics if record.ok and record.metrics else {}
    flops = _flops(record)
    return {
        "event": record.event,
        "task_index": record.task_index,
        "year": record.year,
        "dataset": record.dataset,
        "kind": record.task.kind.value,
        "split": record.split,
        "final": record.final,
        "status": record.status,
        "error": metrics.get("error"),
        "map": metrics.get("map"),
        "num_examples": metrics.get("num_examples"),
        "train_flops": flops.get("train", 0),
        "cumulative_flops": flops,
    }


def flagged_tasks(records: Sequence[Record]) -> list[str]:
    """Datasets with a prediction holding NaN or infinite probabilities (scored as wrong, but a sign of
    a diverged model), in stream order, each once."""
    return list(dict.fromkeys(r.dataset for r in records
                              if isinstance(r, PredictRecord) and r.ok and (r.metrics or {}).get("num_non_finite")))


def summarize(records: Sequence[Record]) -> dict[str, Any]:
    """The results of a run, as ``summary.json`` shows them.

    Returns:
        ``headline_split`` (``test`` if the stream predicted it, else ``dev_test``, else the first
        split predicted) and, for the during-stream predictions of that split, the keys of
        ``aggregate`` at the top level (``mean_error``, ``weighted_error``, ``mean_map``, ...);
        ``by_split``: ``aggregate`` of the during-stream predictions of every split;
        ``final_by_split``: the same for the end-of-stream re-evaluation; ``tasks``: one row per
        predict event (error, mAP, cumulative FLOPs at that event).
    """
    predictions = [r for r in records if isinstance(r, PredictRecord)]
    during = [r for r in predictions if not r.final]
    final = [r for r in predictions if r.final]
    by_split = _by_split(during)
    headline = next((s for s in HEADLINE_SPLITS if s in by_split), next(iter(by_split), None))
    summary: dict[str, Any] = {"headline_split": headline}
    if headline is not None:
        summary.update(by_split[headline])
    summary.update(
        {
            "by_split": by_split,
            "final_by_split": _by_split(final),
            "tasks": [_row(r) for r in predictions],
        }
    )
    return summary
