"""Report tables from run directories, read tolerantly: one summary row per run, one row per task of the stream."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nevisbench.metrics.stream import summarize
from nevisbench.protocol.workdir import Workdir

log = logging.getLogger(__name__)

# Identifies a task position across runs: (year, dataset, occurrence of that pair so far). Runs of one
# stream share every key; runs of different streams share the keys of their common tasks.
TaskPosition = tuple[int, str, int]

_KINDS = ("single_label", "multi_label")
_RUN_FILES = ("config.json", "events.jsonl", "summary.json")


# ------------------------------------------------------------------------------------- formatting


def format_flops(flops: float | None) -> str:
    """``93.5 GFLOPs``: three significant digits and an SI prefix (the CLI's convention)."""
    if flops is None:
        return "—"
    for unit, scale in (("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if flops >= scale:
            return f"{flops / scale:.3g} {unit}FLOPs"
    return f"{flops:.3g} FLOPs"


def format_seconds(seconds: float | None) -> str:
    """``48 s``, ``12.5 min``, ``3.2 h``."""
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def format_rate(value: float | None) -> str:
    """An error or mAP with four decimals (the precision of the CLI's tables); ``—`` when absent."""
    return "—" if value is None else f"{value:.4f}"


# --------------------------------------------------------------------------------------- reading


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_record(record: dict[str, Any]) -> str | None:
    """Why an event record cannot be reported (a field missing or of the wrong type), or None.

    Checks the fields that ``metrics.stream.summarize`` and the report read, so that a corrupt line
    that still parses as JSON is named as bad instead of failing the whole report.
    """
    for field, kind in (("event", int), ("task_index", int), ("year", int), ("dataset", str), ("type", str)):
        value = record.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"field {field!r} is missing or not {kind.__name__}"
    task = record.get("task")
    if not isinstance(task, dict) or task.get("kind") not in _KINDS or not isinstance(task.get("name"), str):
        return "field 'task' is missing or malformed"
    for field in ("cumulative_flops", "wall_seconds"):
        value = record.get(field, {})
        if not isinstance(value, dict) or not all(_number(v) for v in value.values()):
            return f"field {field!r} is malformed"
    if record["type"] == "train":
        usage = record.get("usage", {})
        if not isinstance(usage, dict) or not all(
            isinstance(u, dict) and _number(u.get("flops", 0)) for u in usage.values()
        ):
            return "field 'usage' is malformed"
        if not isinstance(record.get("info", {}), dict):
            return "field 'info' is malformed"
        return None
    if record["type"] != "predict":
        return f"unknown record type {record['type']!r}"
    if not isinstance(record.get("split"), str):
        return "predict record without a 'split'"
    if record.get("status", "ok") != "ok":
        return None
    metrics = record.get("metrics")
    if not isinstance(metrics, dict):
        return "predict record without 'metrics'"
    # The fields summarize() averages: numbers for single-label, number-or-null for multi-label.
    if task["kind"] == "single_label":
        needed = ("num_examples", "num_correct", "error", "top5_error", "nll")
        if not all(_number(metrics.get(k)) for k in needed):
            return f"single-label metrics need numbers {', '.join(needed)}"
    elif not all(metrics.get(k) is None or _number(metrics.get(k)) for k in ("map", "error")):
        return "multi-label metrics 'map' and 'error' must be numbers or null"
    return None


def _read_json(path: Path, problems: list[str]) -> dict[str, Any]:
    """A JSON object file, or ``{}`` with a note in ``problems`` when it is missing or unreadable."""
    if not path.exists():
        problems.append(f"{path.name} is missing")
        return {}
    try:
        data = json.loads(path.read_text(errors="replace"))
    except json.JSONDecodeError as error:
        problems.append(f"{path.name} is not valid JSON ({error})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name} is not a JSON object")
        return {}
    return data


def _is_running(path: Path) -> bool:
    """Whether a run holds the workdir's lock now.

    A shared non-blocking probe of the runner's flock: it is released at once, so a run starting in that
    same microsecond is the only one that could be refused.
    """
    lock = path / ".lock"
    if not lock.exists():
        return False
    with open(lock) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


@dataclasses.dataclass(frozen=True)
class PlannedTask:
    """One train event the run's stream plans: its position, year and dataset."""

    index: int
    year: int
    dataset: str


def _plan(config: dict[str, Any]) -> tuple[list[PlannedTask], int, int | None] | None:
    """The stream a config runs: its tasks, number of events and stop year; None if not buildable.

    Built as ``protocol.runner`` builds it, with placeholder task keys (a key is only needed to
    de-duplicate the end-of-stream re-evaluation, and the dataset id does that), so no dataset has to
    be prepared or even registered.
    """
    from nevisbench.streams.stream import build_stream
    from nevisbench.types import TaskKey, TaskKind

    stream = config.get("stream")
    if not isinstance(stream, dict) or not isinstance(stream.get("name"), str):
        return None
    kwargs: dict[str, Any] = {
        "predict_splits": stream.get("predict_splits", ["dev_test"]),
        "final_evaluation": stream.get("final_evaluation", True),
    }
    if stream.get("stop_year") is not None:
        kwargs["stop_year"] = stream["stop_year"]
    try:
        built = build_stream(stream["name"], **kwargs)
        events = built.events(lambda name: TaskKey(name, TaskKind.SINGLE_LABEL, 0))
    except (KeyError, ValueError, TypeError) as error:
        log.info("cannot rebuild the stream of %s: %s", stream, error)
        return None
    tasks = [PlannedTask(i, row.year, row.dataset) for i, row in enumerate(built.rows)]
    return tasks, len(events), built.stop_year


@dataclasses.dataclass(frozen=True)
class RunData:
    """What a report knows of one run directory.

    Attributes:
        path: the run directory.
        label: a short unique name for the run in a report (its directory name, lengthened on clashes).
        config: ``config.json`` (``{}`` when missing or corrupt).
        provenance: ``provenance.json`` (``{}`` when missing or corrupt).
        saved_summary: ``summary.json`` when present (written when a run ends or is stopped).
        records: the readable event records, in file order.
        bad_lines: ``(line number, why)`` for each line of ``events.jsonl`` that could not be used.
        problems: other defects found (a missing or corrupt file).
        summary: ``metrics.stream.summarize`` of ``records``.
        planned: the stream's tasks as configured, or None when the stream cannot be rebuilt.
        total_events: the number of events the stream plans, when known.
        stop_year: the stop year the stream ran with.
        running: whether a run holds the directory's lock now.
    """

    path: Path
    label: str
    config: dict[str, Any]
    provenance: dict[str, Any]
    saved_summary: dict[str, Any] | None
    records: list[dict[str, Any]]
    bad_lines: list[tuple[int, str]]
    problems: list[str]
    summary: dict[str, Any]
    planned: list[PlannedTask] | None
    total_events: int | None
    stop_year: int | None
    running: bool

    @property
    def stream(self) -> str:
        stream = self.config.get("stream")
        name = stream.get("name") if isinstance(stream, dict) else None
        return name or (self.saved_summary or {}).get("stream") or "?"

    @property
    def learner(self) -> str:
        # summary.json names a learner object passed in code by its class; config.json cannot.
        return (self.saved_summary or {}).get("learner") or self.config.get("learner") or "?"

    @property
    def complete(self) -> bool:
        return self.total_events is not None and len(self.records) >= self.total_events

    @property
    def status(self) -> str:
        """``complete``; ``damaged`` (every event written, some unreadable); or ``partial`` / ``running``
        with how far the run went."""
        if self.complete:
            return "complete"
        if self.total_events is not None and len(self.records) + len(self.bad_lines) >= self.total_events:
            return f"damaged: {len(self.records)} of {self.total_events} events readable"
        state = "running" if self.running else "partial"
        total = f" of {self.total_events}" if self.total_events is not None else ""
        return f"{state}: {len(self.records)}{total} events"

    @property
    def stream_rows(self) -> tuple[tuple[int, str], ...]:
        """(year, dataset) of every task of the stream (as far as known), to tell streams apart."""
        if self.planned is not None:
            return tuple((t.year, t.dataset) for t in self.planned)
        trains = {r["task_index"]: (r["year"], r["dataset"]) for r in self.records}
        return tuple(trains[i] for i in sorted(trains))


def load_run(path: Path, label: str | None = None) -> RunData:
    """Reads a run directory as far as it is readable.

    Raises:
        FileNotFoundError: ``path`` is not a run directory (none of config.json, events.jsonl,
            summary.json in it).
    """
    path = Path(path)
    if not path.is_dir() or not any((path / name).exists() for name in _RUN_FILES):
        raise FileNotFoundError(
            f"{path} is not a run directory: it holds none of {', '.join(_RUN_FILES)} "
            f"(`nevisbench run --workdir {path}` makes one)"
        )
    work = Workdir(path)
    problems: list[str] = []
    config = _read_json(work.config_file, problems)
    provenance = _read_json(work.provenance_file, problems)
    saved = _read_json(work.summary_file, []) if work.summary_file.exists() else None
    records, bad = work.read_events_tolerant(check_record)
    for number, why in bad:
        log.info("%s:%d skipped: %s", work.events_file, number, why)
    if not work.events_file.exists():
        problems.append("events.jsonl is missing")
    plan = _plan(config)
    planned, total, stop_year = plan if plan is not None else (None, None, None)
    if total is None and saved and isinstance(saved.get("events"), dict):
        total = saved["events"].get("total")
    if stop_year is None and saved:
        stop_year = saved.get("stop_year")
    return RunData(
        path=path,
        label=label or path.name,
        config=config,
        provenance=provenance,
        saved_summary=saved,
        records=records,
        bad_lines=bad,
        problems=problems,
        summary=summarize(records),
        planned=planned,
        total_events=total,
        stop_year=stop_year,
        running=_is_running(path),
    )


def _labels(paths: Sequence[Path]) -> list[str]:
    """Directory names, lengthened with parent directories until they are unique."""
    resolved = [Path(p).resolve() for p in paths]
    for depth in range(1, max(len(p.parts) for p in resolved) + 1):
        labels = ["/".join(p.parts[-depth:]) for p in resolved]
        if len(set(labels)) == len(labels):
            return labels
    return [str(p) for p in resolved]  # the same directory given twice: the labels stay equal


def load_runs(paths: Sequence[Path]) -> list[RunData]:
    """``load_run`` for each path, labelled uniquely."""
    if not paths:
        raise ValueError("name at least one run directory")
    return [load_run(Path(p), label) for p, label in zip(paths, _labels(paths), strict=True)]


def same_stream(runs: Sequence[RunData]) -> bool:
    """Whether every run ran the same tasks in the same order."""
    return len({run.stream_rows for run in runs}) <= 1


# ------------------------------------------------------------------------------------------ rows


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


def hardware_text(provenance: dict[str, Any]) -> str:
    """``cpu, 2 CPUs`` or ``cuda:0, NVIDIA H100 …``, from ``provenance.json`` (which has the rest)."""
    hardware = provenance.get("hardware") or {}
    if not hardware:
        return "unknown"
    device = hardware.get("device", "?")
    if hardware.get("gpu"):
        return f"{device}, {hardware['gpu']}"
    return f"{device}, {hardware.get('cpus', '?')} CPUs"


def summary_row(run: RunData) -> dict[str, Any]:
    """One run's line of the summary table: status, stream, learner, config, error, FLOPs, wall time, hardware.

    Rates are of the during-stream predictions of the headline split (``metrics.stream.summarize``).
    """
    summary = run.summary
    flops = {k: int(v) for k, v in (run.records[-1].get("cumulative_flops", {}) if run.records else {}).items()}
    tasks_done = len({r["task_index"] for r in run.records if r["type"] == "train"})
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
        "wall_seconds": sum(r.get("wall_seconds", {}).get("event", 0.0) for r in run.records),
        "hardware": hardware_text(run.provenance),
        # One run is one seed; a report of several seeds lists one run per seed.
        "seeds": "?" if seed is None else f"1 (seed {seed})",
        "tasks_done": tasks_done,
        "tasks_planned": len(run.planned) if run.planned is not None else None,
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
    re-evaluation belongs to the later position). FLOPs and wall time are this task's own, not cumulative.
    """
    split = run.summary.get("headline_split")
    trains: dict[int, dict[str, Any]] = {}
    during: dict[int, list[dict[str, Any]]] = {}
    final: dict[int, dict[str, Any]] = {}
    for record in run.records:
        index = record["task_index"]
        if record["type"] == "train":
            trains[index] = record
        elif record.get("final"):
            if record["split"] == split:
                final[index] = record
        else:
            during.setdefault(index, []).append(record)
    if run.planned is not None:
        known = [(t.index, t.year, t.dataset) for t in run.planned]
    else:
        seen = {r["task_index"]: (r["year"], r["dataset"]) for r in run.records}
        known = [(i, *seen[i]) for i in sorted(seen)]
    positions = _positions(known)
    rows = []
    for index, year, dataset in known:
        train = trains.get(index, {})
        predicts = during.get(index, [])
        headline = next((r for r in predicts if r["split"] == split), None)
        task = train.get("task") or (headline or {}).get("task") or {}
        usage = train.get("usage", {})
        metrics = (headline or {}).get("metrics") or {}
        end = (final.get(index) or {}).get("metrics") or {}
        if not train:
            status = "not run" if headline is None else "train record unreadable"
        elif train.get("status", "ok") != "ok":
            status = "failed"
        elif headline is None:
            status = "not predicted"
        else:
            status = headline.get("status", "ok")
        flops = {k: int(v.get("flops", 0)) for k, v in usage.items()}
        flops["predict"] = sum(int(r.get("usage", {}).get("predict", {}).get("flops", 0)) for r in predicts)
        wall = [r.get("wall_seconds", {}).get("event") for r in ([train] if train else []) + predicts]
        rows.append({
            "index": index,
            "position": positions[index],
            "year": year,
            "dataset": dataset,
            "kind": task.get("kind"),
            "classes": task.get("num_classes"),
            "train_examples": train.get("num_train_examples"),
            "status": status,
            "error": metrics.get("error"),
            "map": metrics.get("map"),
            "final_error": end.get("error"),
            "final_map": end.get("map"),
            "has_final": index in final,
            "train_flops": flops.get("train", 0) if train else None,
            "flops": sum(flops.values()) if train else None,
            "cumulative_train_flops": train.get("cumulative_flops", {}).get("train") if train else None,
            "wall_seconds": sum(w for w in wall if w is not None) if train else None,
            # Which parameters training started from (e.g. ``previous``: the last task's; a
            # transfer-selecting learner: the source it chose), as the learner reports it.
            "init": (train.get("info") or {}).get("init"),
            "dev_error": (train.get("info") or {}).get("dev_error"),
        })
    return rows


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
    if not same_stream(runs):
        streams = ", ".join(f"{r.label}: {summary_row(r)['stream']} ({len(r.stream_rows)} tasks)" for r in runs)
        out.append(
            f"the runs are of different streams ({streams}); charts compare the "
            f"{len(common_positions(runs))} tasks common to all of them"
        )
    return out
