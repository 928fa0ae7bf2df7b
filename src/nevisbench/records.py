"""The typed records of a run: one line of ``events.jsonl`` per event, and the live progress updates.

``events.jsonl`` is the run's ground truth, read by the runner (resume), the metrics (summaries), the
reports and the CLI. Its schema is stated once, here: :class:`TrainRecord` and :class:`PredictRecord`
write themselves with ``to_json`` (strict JSON, fields in a fixed order) and read themselves back with
``from_json``, which names the first field that is missing or of the wrong type.

Versions: a record of version 1 carries no ``version`` field (every run written before the field
existed is version 1); a later version writes it, and an older nevisbench refuses such a line by name.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from typing import Any

from nevisbench.values import ResourceUsage, TaskKey, TaskKind

RECORD_VERSION = 1


class RecordError(ValueError):
    """An ``events.jsonl`` line that is not a record this version can read."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RecordError(f"field {name!r} is missing or not {names}")
    return value


def _numbers(data: Mapping[str, Any], name: str) -> dict[str, float]:
    value = data.get(name, {})
    if not isinstance(value, dict) or not all(_number(v) for v in value.values()):
        raise RecordError(f"field {name!r} is malformed")
    return dict(value)


def _usage(data: Mapping[str, Any]) -> dict[str, ResourceUsage]:
    value = data.get("usage", {})
    if not isinstance(value, dict):
        raise RecordError("field 'usage' is malformed")
    try:
        return {category: ResourceUsage(**{k: int(v) for k, v in usage.items()}) for category, usage in value.items()}
    except (AttributeError, TypeError, ValueError):
        raise RecordError("field 'usage' is malformed") from None


def _task(data: Mapping[str, Any]) -> TaskKey:
    task = data.get("task")
    if not isinstance(task, dict) or not isinstance(task.get("name"), str):
        raise RecordError("field 'task' is missing or malformed")
    try:
        return TaskKey.from_dict(task)
    except (KeyError, TypeError, ValueError):
        raise RecordError("field 'task' is missing or malformed") from None


def _metrics(data: Mapping[str, Any], kind: TaskKind) -> dict[str, Any]:
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        raise RecordError("predict record without 'metrics'")
    # The fields the summaries average: numbers for single-label, number-or-null for multi-label.
    if kind is TaskKind.SINGLE_LABEL:
        needed = ("num_examples", "num_correct", "error", "top5_error", "nll")
        if not all(_number(metrics.get(k)) for k in needed):
            raise RecordError(f"single-label metrics need numbers {', '.join(needed)}")
    elif not all(metrics.get(k) is None or _number(metrics.get(k)) for k in ("map", "error")):
        raise RecordError("multi-label metrics 'map' and 'error' must be numbers or null")
    return metrics


@dataclasses.dataclass(frozen=True)
class _Base:
    """The fields every record has: where in the stream the event is, and the compute spent so far."""

    event: int
    task_index: int
    year: int
    dataset: str
    task: TaskKey
    status: str
    cumulative_flops: dict[str, int]
    wall_seconds: dict[str, float]

    def _head(self) -> dict[str, Any]:
        return {"event": self.event, "task_index": self.task_index, "year": self.year, "dataset": self.dataset,
                "task": self.task.to_dict()}

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def total_flops(self) -> int:
        return sum(self.cumulative_flops.values())

    def to_line(self) -> str:
        """The record as one strict-JSON line (NaN and infinities are refused: they are not JSON)."""
        return json.dumps(self.to_json(), allow_nan=False) + "\n"

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - each record type has its own
        raise NotImplementedError


def _base_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    version = data.get("version", 1)
    if version != RECORD_VERSION:
        raise RecordError(f"record version {version!r}: written by another nevisbench version "
                          f"(this one reads version {RECORD_VERSION}); upgrade nevisbench to read it")
    return {
        "event": _field(data, "event", int),
        "task_index": _field(data, "task_index", int),
        "year": _field(data, "year", int),
        "dataset": _field(data, "dataset", str),
        "task": _task(data),
        "status": data.get("status", "ok") if isinstance(data.get("status", "ok"), str) else "?",
        "cumulative_flops": {k: int(v) for k, v in _numbers(data, "cumulative_flops").items()},
        "wall_seconds": _numbers(data, "wall_seconds"),
    }


@dataclasses.dataclass(frozen=True)
class TrainRecord(_Base):
    """One train event: ``status`` ``ok`` (with ``info`` and the data sizes) or ``failed`` (with ``error``).

    Attributes:
        usage: this event's compute per category (``train``, ``selection``).
        info: what the learner reported (trials, winner, chosen source, dev error, ...).
        error: why the task failed to train.
    """

    usage: dict[str, ResourceUsage] = dataclasses.field(default_factory=dict)
    info: dict[str, Any] = dataclasses.field(default_factory=dict)
    num_train_examples: int | None = None
    num_dev_examples: int | None = None
    error: str | None = None

    type = "train"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self._head(), "type": "train", "status": self.status}
        if self.error is not None:
            out["error"] = self.error
        out["usage"] = {k: v.to_dict() for k, v in self.usage.items()}
        out["wall_seconds"] = self.wall_seconds
        if self.ok:
            out.update(info=strict(self.info), num_train_examples=self.num_train_examples,
                       num_dev_examples=self.num_dev_examples)
        out["cumulative_flops"] = self.cumulative_flops
        return out


@dataclasses.dataclass(frozen=True)
class PredictRecord(_Base):
    """One predict event: ``status`` ``ok`` (with ``metrics`` and the predictions file) or ``skipped``
    (the task failed to train; ``error`` says so and ``num_examples`` counts the split).

    Attributes:
        split: the split predicted.
        final: True for the end-of-stream re-evaluation.
        metrics: ``metrics.classification.single_label_metrics`` or ``multilabel.multi_label_metrics``.
        predictions: the workdir-relative ``.npz`` of probabilities and targets.
    """

    split: str = ""
    final: bool = False
    metrics: dict[str, Any] | None = None
    predictions: str | None = None
    usage: dict[str, ResourceUsage] = dataclasses.field(default_factory=dict)
    error: str | None = None
    num_examples: int | None = None

    type = "predict"

    @property
    def kind(self) -> TaskKind:
        return self.task.kind

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self._head(), "type": "predict", "split": self.split, "final": self.final,
                               "status": self.status}
        if not self.ok:
            out["error"] = self.error
            if self.num_examples is not None:
                out["num_examples"] = self.num_examples
            # A skipped prediction spends nothing: its wall clock comes last, as the runner adds it.
            return {**out, "cumulative_flops": self.cumulative_flops, "wall_seconds": self.wall_seconds}
        out.update(metrics=strict(self.metrics), predictions=self.predictions,
                   usage={k: v.to_dict() for k, v in self.usage.items()}, wall_seconds=self.wall_seconds,
                   cumulative_flops=self.cumulative_flops)
        return out


Record = TrainRecord | PredictRecord


def record_from_json(data: Any) -> Record:
    """Reads one parsed ``events.jsonl`` line.

    Raises:
        RecordError: naming the first field that is missing or of the wrong type.
    """
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    kind = data.get("type")
    base = _base_fields(data)
    if kind == "train":
        if not isinstance(data.get("info", {}), dict):
            raise RecordError("field 'info' is malformed")
        return TrainRecord(**base, usage=_usage(data), info=data.get("info") or {},
                           num_train_examples=data.get("num_train_examples"),
                           num_dev_examples=data.get("num_dev_examples"), error=data.get("error"))
    if kind == "predict":
        if not isinstance(data.get("split"), str):
            raise RecordError("predict record without a 'split'")
        ok = base["status"] == "ok"
        return PredictRecord(**base, split=data["split"], final=bool(data.get("final", False)),
                             metrics=_metrics(data, base["task"].kind) if ok else None,
                             predictions=data.get("predictions"), usage=_usage(data), error=data.get("error"),
                             num_examples=data.get("num_examples"))
    raise RecordError(f"unknown record type {kind!r}" if isinstance(kind, str) else "field 'type' is missing")


def record_from_line(line: str) -> Record:
    """Parses and reads one ``events.jsonl`` line (strict JSON: a ``NaN`` token is an error)."""
    try:
        data = json.loads(line, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, ValueError) as error:
        raise RecordError(f"not valid JSON ({error})") from None
    return record_from_json(data)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def strict(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None, so that it stays strict JSON.

    For what a learner reports (``info``: a diverged trial's dev error may be NaN): JSON has no NaN, and
    Python's ``NaN`` token would make ``events.jsonl`` unreadable to every other JSON reader.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


# ----------------------------------------------------------------------------------------- progress


class Phase(str, enum.Enum):
    """What a live progress update is about."""

    PREPARE = "prepare"  # a dataset is being put in the store
    TRAIN = "train"  # a train event starts
    TRIAL = "trial"  # a trial of the current task made progress
    PREDICT = "predict"  # a predict event starts
    DONE = "done_event"  # an event ended and was recorded


@dataclasses.dataclass(frozen=True)
class Progress:
    """One live progress update, from the runner (and, for trials, from the learner).

    Attributes:
        phase: what the update is about.
        dataset: the dataset concerned.
        event: the event's number; ``events``: how many events the stream has.
        task_index: the task's index; ``tasks``: how many tasks the stream has.
        split: the split predicted (predict); ``final``: the end-of-stream re-evaluation.
        trial: the learner's trial info (``trial``, ``trials``, ``step``, ``max_steps``, ``dev_error``).
        record: the record written (``Phase.DONE``).
    """

    phase: Phase
    dataset: str | None = None
    event: int | None = None
    events: int | None = None
    task_index: int | None = None
    tasks: int | None = None
    split: str | None = None
    final: bool = False
    trial: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    record: Record | None = None
