"""Stream-level results from the event records of a run: mean and example-weighted error, mean mAP, FLOPs per event.

Records are the dicts of ``events.jsonl``. The fields read here: ``event``, ``type`` (``train`` or
``predict``), ``status`` (``ok``, or ``failed`` / ``skipped``), ``task`` (``{"name", "kind", ...}``),
``task_index``, ``year``, ``dataset``, ``cumulative_flops`` (``{"train", "selection", "predict"}``) and, for
predict events, ``split``, ``final`` and ``metrics`` (from ``single_label_metrics`` or
``multi_label_metrics``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nevisbench.types import TaskKind

# The split whose during-stream predictions give the headline numbers, by preference: the paper's
# numbers are test errors; dev_test is the split of method development.
HEADLINE_SPLITS: tuple[str, ...] = ("test", "dev_test")


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def aggregate(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregates predict-event records (of one split) as the reference's ``nevis_metrics`` does.

    Returns:
        ``mean_error`` (mean over single-label events of their error: the reference's
        ``average_single_label_accuracy`` as an error), ``weighted_error`` (1 − Σ correct / Σ examples
        over single-label events), ``mean_top5_error``, ``mean_nll``, ``mean_map`` (mean over multi-label
        events of their mAP), ``mean_multi_label_error``, and the counts ``single_label_events``,
        ``multi_label_events``, ``num_examples`` (single-label) and ``skipped_events`` (predictions of
        tasks that failed to train: they are counted here and left out of every mean). A rate with
        no event to average is left out rather than written as null.
    """
    ok = [r for r in records if r.get("status", "ok") == "ok"]
    single = [r["metrics"] for r in ok if TaskKind(r["task"]["kind"]) is TaskKind.SINGLE_LABEL]
    multi = [r["metrics"] for r in ok if TaskKind(r["task"]["kind"]) is TaskKind.MULTI_LABEL]
    num_examples = sum(m["num_examples"] for m in single)
    num_correct = sum(m["num_correct"] for m in single)
    out: dict[str, Any] = {
        "mean_error": _mean(m["error"] for m in single),
        "weighted_error": 1.0 - num_correct / num_examples if num_examples else None,
        "mean_top5_error": _mean(m["top5_error"] for m in single),
        "mean_nll": _mean(m["nll"] for m in single),
        "mean_map": _mean(m["map"] for m in multi),
        "mean_multi_label_error": _mean(m["error"] for m in multi),
    }
    out = {k: v for k, v in out.items() if v is not None}
    out.update(
        {
            "single_label_events": len(single),
            "multi_label_events": len(multi),
            "num_examples": num_examples,
            "skipped_events": len(records) - len(ok),
        }
    )
    return out


def _by_split(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    splits: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        splits.setdefault(record["split"], []).append(record)
    return {split: aggregate(group) for split, group in splits.items()}


def _flops(record: dict[str, Any]) -> dict[str, int]:
    flops = {k: int(v) for k, v in record.get("cumulative_flops", {}).items()}
    flops["total"] = sum(flops.values())
    return flops


def cumulative_flops(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FLOPs spent up to and including each event: ``{"event", "type", "train", "selection", "predict", "total"}``."""
    return [{"event": r["event"], "type": r["type"], **_flops(r)} for r in records]


def _row(record: dict[str, Any]) -> dict[str, Any]:
    metrics = record.get("metrics", {}) if record.get("status", "ok") == "ok" else {}
    flops = _flops(record)
    return {
        "event": record["event"],
        "task_index": record["task_index"],
        "year": record["year"],
        "dataset": record["dataset"],
        "kind": record["task"]["kind"],
        "split": record["split"],
        "final": bool(record.get("final", False)),
        "status": record.get("status", "ok"),
        "error": metrics.get("error"),
        "map": metrics.get("map"),
        "num_examples": metrics.get("num_examples"),
        "train_flops": flops.get("train", 0),
        "cumulative_flops": flops,
    }


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The results of a run, as ``summary.json`` shows them.

    Returns:
        ``headline_split`` (``test`` if the stream predicted it, else ``dev_test``, else the first
        split predicted) and, for the during-stream predictions of that split, the keys of
        ``aggregate`` at the top level (``mean_error``, ``weighted_error``, ``mean_map``, ...);
        ``by_split``: ``aggregate`` of the during-stream predictions of every split;
        ``final_by_split``: the same for the end-of-stream re-evaluation; ``tasks``: one row per
        predict event (error, mAP, cumulative FLOPs at that event).
    """
    predictions = [r for r in records if r["type"] == "predict"]
    during = [r for r in predictions if not r.get("final", False)]
    final = [r for r in predictions if r.get("final", False)]
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
