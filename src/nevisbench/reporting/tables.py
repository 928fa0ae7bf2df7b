"""Report tables from run directories: one summary row per run, one row per task of the stream."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from nevisbench.compute.throughput import THROUGHPUT_FIELDS
from nevisbench.records import PredictRecord, TrainRecord
from nevisbench.reporting.format import format_flops, format_rate, format_seconds, hardware_text
from nevisbench.reporting.runs import RunData, TaskPosition, load_run, load_runs, same_stream

__all__ = [
    "RunData", "TaskPosition", "common_positions", "compare_rows", "format_flops", "format_rate",
    "format_seconds", "hardware_text", "load_run", "load_runs", "notes", "same_stream", "summary_row",
    "task_rows", "task_score", "task_throughput",
]


def _config_text(config: dict[str, Any]) -> str:
    """The learner options that differ from the learner's defaults, as ``key=value, ...``."""
    from nevisbench.learners.registry import learner_config

    options = config.get("options")
    if not isinstance(options, dict):
        return "unknown (config.json has no options)"
    try:
        # A JSON round trip: defaults hold tuples where config.json holds lists.
        defaults = json.loads(json.dumps(dataclasses.asdict(learner_config(config["learner"]))))
    except (KeyError, ValueError, TypeError):
        defaults = {}
    changed = [f"{k}={json.dumps(v)}" for k, v in options.items() if k not in defaults or defaults[k] != v]
    return ", ".join(changed).replace('"', "") if changed else "learner defaults"


def summary_row(run: RunData) -> dict[str, Any]:
    """One run's line of the summary table: status, stream, learner, config, error, FLOPs, wall time, hardware.

    Rates are of the during-stream predictions of the headline split (``metrics.stream.summarize``).
    """
    summary = run.summary
    flops = dict(run.records[-1].cumulative_flops) if run.records else {}
    tasks_done = len({r.task_index for r in run.records if isinstance(r, TrainRecord)})
    failed = {r.task_index for r in run.records if isinstance(r, TrainRecord) and not r.ok}
    stop = f" before {run.stop_year}" if run.stop_year is not None else ""
    seed = run.config.get("seed", (run.saved_summary or {}).get("seed"))
    return {
        "run": run.label,
        "path": str(run.path),
        "status": run.status,
        "complete": run.complete,
        "stream": f"{run.stream}{stop}",
        "learner": run.learner,
        "config": _config_text(run.config),
        "split": summary.get("headline_split"),
        "mean_error": summary.get("mean_error"),
        "weighted_error": summary.get("weighted_error"),
        "mean_map": summary.get("mean_map"),
        "train_flops": flops.get("train", 0),
        "total_flops": sum(flops.values()),
        "wall_seconds": sum(r.wall_seconds.get("event", 0.0) for r in run.records),
        "hardware": hardware_text(run.provenance),
        # One run is one seed; a report of several seeds lists one run per seed.
        "seeds": "?" if seed is None else f"1 (seed {seed})",
        "tasks_done": tasks_done,
        # Failed tasks count at error 1.0 in mean_error (metrics/stream.py); shown beside every mean.
        "failed_tasks": len(failed),
        "tasks_planned": len(run.planned) if run.planned is not None else None,
        "comparability": "; ".join(run.comparability),
    }


def compare_rows(runs: Sequence[RunData]) -> list[dict[str, Any]]:
    """Summary rows sorted by mean error (runs without one last), with FLOPs ratios to the first run given."""
    rows = [summary_row(run) for run in runs]
    first = rows[0]
    for row in rows:
        for kind in ("train_flops", "total_flops"):
            row[f"{kind}_ratio"] = row[kind] / first[kind] if first[kind] else None
    return sorted(rows, key=lambda r: (r["mean_error"] is None, r["mean_error"] or 0.0))


def _positions(tasks: Sequence[tuple[int, int, str]]) -> dict[int, TaskPosition]:
    """Task index → position key, counting repeats of one (year, dataset) pair."""
    seen: dict[tuple[int, str], int] = {}
    out = {}
    for index, year, dataset in tasks:
        occurrence = seen.get((year, dataset), 0)
        seen[(year, dataset)] = occurrence + 1
        out[index] = (year, dataset, occurrence)
    return out


def task_rows(run: RunData) -> list[dict[str, Any]]:
    """One row per task of the stream (planned tasks not yet run included, with status ``not run``).

    Error and mAP are of the headline split when the task was learned; ``final_error`` / ``final_map``
    of the end-of-stream re-evaluation (absent for a task trained again later in the stream: its
    re-evaluation belongs to the later position). FLOPs and wall time are this task's own, not cumulative;
    ``images_per_second``, ``flops_per_second`` and ``mfu`` are ``task_throughput``'s.
    """
    split = run.summary.get("headline_split")
    trains: dict[int, TrainRecord] = {}
    during: dict[int, list[PredictRecord]] = {}
    final: dict[int, PredictRecord] = {}
    for record in run.records:
        index = record.task_index
        if isinstance(record, TrainRecord):
            trains[index] = record
        elif record.final:
            if record.split == split:
                final[index] = record
        else:
            during.setdefault(index, []).append(record)
    if run.planned is not None:
        known = [(t.index, t.year, t.dataset) for t in run.planned]
    else:
        seen = {r.task_index: (r.year, r.dataset) for r in run.records}
        known = [(i, *seen[i]) for i in sorted(seen)]
    positions = _positions(known)
    rows = []
    for index, year, dataset in known:
        train = trains.get(index)
        predicts = during.get(index, [])
        headline = next((r for r in predicts if r.split == split), None)
        task = train.task if train else headline.task if headline else None
        metrics = (headline.metrics if headline else None) or {}
        end = (final[index].metrics if index in final else None) or {}
        if train is None:
            status = "not run" if headline is None else "train record unreadable"
        elif not train.ok:
            status = "failed"
        elif headline is None:
            status = "not predicted"
        else:
            status = headline.status
        flops = {k: v.flops for k, v in train.usage.items()} if train else {}
        flops["predict"] = sum(r.usage["predict"].flops for r in predicts if "predict" in r.usage)
        wall = [r.wall_seconds.get("event") for r in ([train] if train else []) + predicts]
        info = train.info if train else {}
        rows.append({
            "index": index,
            "position": positions[index],
            "year": year,
            "dataset": dataset,
            "kind": task.kind.value if task else None,
            "classes": task.num_classes if task else None,
            "train_examples": train.num_train_examples if train else None,
            "status": status,
            "error": metrics.get("error"),
            "map": metrics.get("map"),
            "final_error": end.get("error"),
            "final_map": end.get("map"),
            "has_final": index in final,
            "train_flops": flops.get("train", 0) if train else None,
            "flops": sum(flops.values()) if train else None,
            "cumulative_train_flops": train.cumulative_flops.get("train") if train else None,
            "wall_seconds": sum(w for w in wall if w is not None) if train else None,
            # Which parameters training started from (e.g. ``previous``: the last task's; a
            # transfer-selecting learner: the source it chose), as the learner reports it.
            "init": info.get("init"),
            "dev_error": info.get("dev_error"),
            **task_throughput(info),
        })
    return rows


def task_throughput(info: dict[str, Any]) -> dict[str, float | None]:
    """A task's training throughput: the mean over its trials of images/s, FLOP/s and MFU
    (``compute/throughput.py``); None for each that no trial recorded (runs before these fields, a
    learner without trials, MFU without a known peak)."""
    trials = [t for t in info.get("trials") or [] if isinstance(t, dict)]
    out: dict[str, float | None] = {}
    for field in THROUGHPUT_FIELDS:
        values = [t[field] for t in trials if isinstance(t.get(field), (int, float))]
        out[field] = sum(values) / len(values) if values else None
    return out


def task_score(row: dict[str, Any], *, final: bool = False) -> float | None:
    """The one number a chart draws for a task: its error, or 1 − mAP for a multi-label task."""
    prefix = "final_" if final else ""
    if row["kind"] == "multi_label":
        value = row[f"{prefix}map"]
        return None if value is None else 1.0 - value
    return row[f"{prefix}error"]


def common_positions(runs: Sequence[RunData]) -> list[TaskPosition]:
    """The task positions of the charts' x axis: the first run's stream if all runs share it, else
    the tasks common to every run (in the first run's order)."""
    per_run = [[row["position"] for row in task_rows(run)] for run in runs]
    if same_stream(runs):
        return per_run[0]
    shared = set.intersection(*(set(p) for p in per_run))
    return [p for p in per_run[0] if p in shared]


def notes(runs: Sequence[RunData]) -> list[str]:
    """What a reader must know before trusting a comparison: partial runs, bad lines, mixed streams."""
    out = []
    for run in runs:
        if not run.complete:
            out.append(f"{run.label} is {run.status} (reported as far as it is readable)")
        for number, why in run.bad_lines:
            out.append(f"{run.label}: events.jsonl line {number} skipped: {why}")
        out.extend(f"{run.label}: {problem}" for problem in run.problems)
        out.extend(f"{run.label}: {mark}" for mark in run.comparability)
    if not same_stream(runs):
        streams = ", ".join(f"{r.label}: {summary_row(r)['stream']} ({len(r.stream_rows)} tasks)" for r in runs)
        out.append(
            f"the runs are of different streams ({streams}); charts compare the "
            f"{len(common_positions(runs))} tasks common to all of them"
        )
    return out
