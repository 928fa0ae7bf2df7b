"""Small frozen value types shared by every layer: splits, task keys, resource usage and events."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Split(str, enum.Enum):
    """The five splits every dataset exposes (reference §2.3).

    Learners train on ``train``, tune on ``dev``; ``train_and_dev`` is their union; ``dev_test`` is the
    prediction split during method development and ``test`` the final one.
    """

    TRAIN = "train"
    DEV = "dev"
    TRAIN_AND_DEV = "train_and_dev"
    DEV_TEST = "dev_test"
    TEST = "test"

    @classmethod
    def parse(cls, value: str | Split) -> Split:
        """Returns the split named ``value`` (accepts the reference's ``dev-test`` spelling)."""
        if isinstance(value, Split):
            return value
        name = str(value).strip().lower().replace("-", "_")
        for split in cls:
            if split.value == name:
                return split
        raise ValueError(f"unknown split {value!r}; expected one of {[s.value for s in cls]}")


# The splits a converted store holds on disk; train_and_dev is read as train followed by dev.
STORED_SPLITS: tuple[Split, ...] = (Split.TRAIN, Split.DEV, Split.DEV_TEST, Split.TEST)


class TaskKind(str, enum.Enum):
    """Single-label (softmax) or multi-label (one Bernoulli per class) classification."""

    SINGLE_LABEL = "single_label"
    MULTI_LABEL = "multi_label"


@dataclasses.dataclass(frozen=True)
class TaskKey:
    """Identifies a task; a dataset repeated in a stream keeps the same key (as the reference)."""

    name: str
    kind: TaskKind
    num_classes: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "num_classes": self.num_classes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskKey:
        return cls(data["name"], TaskKind(data["kind"]), int(data["num_classes"]))


@dataclasses.dataclass(frozen=True)
class ResourceUsage:
    """Compute a learner spent.

    Attributes:
        flops: floating-point operations, a count (1 multiply-add = 2 FLOPs).
        peak_parameter_count: the largest number of parameters held at once.
        peak_parameter_bytes: the largest parameter memory held at once, in bytes.
    """

    flops: int = 0
    peak_parameter_count: int = 0
    peak_parameter_bytes: int = 0

    def __add__(self, other: ResourceUsage) -> ResourceUsage:
        # FLOPs accumulate; peaks are peaks, so they take the maximum.
        return ResourceUsage(
            flops=self.flops + other.flops,
            peak_parameter_count=max(self.peak_parameter_count, other.peak_parameter_count),
            peak_parameter_bytes=max(self.peak_parameter_bytes, other.peak_parameter_bytes),
        )

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class TrainEvent:
    """Learn the task of one stream row.

    Attributes:
        index: position of this row among the stream's train events (the task index).
        year: the stream year of the row.
        dataset: the dataset id.
        task: the task key.
    """

    index: int
    year: int
    dataset: str
    task: TaskKey


@dataclasses.dataclass(frozen=True)
class PredictEvent:
    """Predict one split of a task learned before.

    Attributes:
        index: the index of the train event this prediction evaluates.
        year: the stream year of that row.
        dataset: the dataset id.
        task: the task key.
        split: the split predicted.
        final: True for the end-of-stream re-evaluation of every seen task.
    """

    index: int
    year: int
    dataset: str
    task: TaskKey
    split: Split
    final: bool = False


Event = TrainEvent | PredictEvent
