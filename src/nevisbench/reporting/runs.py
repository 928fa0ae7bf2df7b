"""Run directories as reports read them: tolerantly, with what is damaged, partial or inconsistent named."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nevisbench.files import lock_holder
from nevisbench.metrics.stream import summarize
from nevisbench.protocol.workdir import Workdir
from nevisbench.records import Record
from nevisbench.values import TaskKey, TaskKind

log = logging.getLogger(__name__)

_RUN_FILES = ("config.json", "events.jsonl", "summary.json")

# Identifies a task position across runs: (year, dataset, occurrence of that pair so far). Runs of one
# stream share every key; runs of different streams share the keys of their common tasks.
TaskPosition = tuple[int, str, int]



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
    from nevisbench.protocol.runner import stream_of

    stream = config.get("stream")
    if not isinstance(stream, dict) or not isinstance(stream.get("name"), str):
        return None
    try:
        built = stream_of(stream["name"], stream.get("stop_year"), stream.get("predict_splits", ["dev_test"]),
                          stream.get("final_evaluation", True), stream.get("exclude") or ())
        events = built.events(lambda name: TaskKey(name, TaskKind.SINGLE_LABEL, 0))
    except (KeyError, ValueError, TypeError) as error:
        log.info("cannot rebuild the stream of %s: %s", stream, error)
        return None
    tasks = [PlannedTask(i, row.year, row.dataset) for i, row in enumerate(built.rows)]
    return tasks, len(events), built.stop_year


def _skipped_tasks(stream: dict[str, Any], skipped: list[str]) -> int | str:
    """How many of the stream's tasks (before its stop year) the left-out datasets were; ``?`` if unknown."""
    from nevisbench.streams.table import get_stream

    try:
        spec = get_stream(stream["name"])
        year = stream.get("stop_year") if stream.get("stop_year") is not None else spec.stop_year
        return sum(row.dataset in skipped for row in spec.rows_before(year))
    except (KeyError, TypeError):
        return "?"


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
    records: list[Record]
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
    def inconsistency(self) -> str | None:
        """Why the log cannot be one run's events in order (an event twice, or one missing), or None."""
        numbers = [r.event for r in self.records]
        duplicated = sorted({n for n in numbers if numbers.count(n) > 1})
        if duplicated:
            return f"event {duplicated[0]} is recorded {numbers.count(duplicated[0])} times"
        if numbers != sorted(numbers):
            return "its events are out of order"
        if not self.bad_lines and numbers != list(range(len(numbers))):
            return f"event {min(set(range(len(numbers))) - set(numbers))} is missing"
        if self.total_events is not None and len(numbers) > self.total_events:
            return f"it holds {len(numbers)} events, more than the {self.total_events} its stream has"
        return None

    @property
    def complete(self) -> bool:
        return (self.total_events is not None and len(self.records) >= self.total_events
                and self.inconsistency is None)

    @property
    def status(self) -> str:
        """``complete``; ``damaged`` (every event written, some unreadable); or ``partial`` / ``running``
        with how far the run went."""
        if self.inconsistency is not None:
            return f"inconsistent: {self.inconsistency}"
        if self.complete:
            return "complete"
        if self.total_events is not None and len(self.records) + len(self.bad_lines) >= self.total_events:
            return f"damaged: {len(self.records)} of {self.total_events} events readable"
        state = "running" if self.running else "partial"
        total = f" of {self.total_events}" if self.total_events is not None else ""
        return f"{state}: {len(self.records)}{total} events"

    @property
    def comparability(self) -> list[str]:
        """Why the run's numbers are not the paper's: datasets left out, stores of non-reference files."""
        stream = self.config.get("stream") if isinstance(self.config.get("stream"), dict) else {}
        skipped = [str(n) for n in stream.get("exclude") or (self.saved_summary or {}).get("skipped_datasets") or ()]
        marks = []
        if skipped:
            marks.append(f"not comparable: {_skipped_tasks(stream, skipped)} tasks skipped ({', '.join(skipped)})")
        kept = self.provenance.get("non_reference")
        if isinstance(kept, dict) and kept:
            marks.append(f"not paper-comparable: non-reference files for {', '.join(sorted(kept))}")
        return marks

    @property
    def stream_rows(self) -> tuple[tuple[int, str], ...]:
        """(year, dataset) of every task of the stream (as far as known), to tell streams apart."""
        if self.planned is not None:
            return tuple((t.year, t.dataset) for t in self.planned)
        trains = {r.task_index: (r.year, r.dataset) for r in self.records}
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
    records, bad = work.read_events_tolerant()
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
        running=lock_holder(path / ".lock") is not None,
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


