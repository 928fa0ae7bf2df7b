"""The `oracle` learner: start each task from the past task a given transfer matrix rates best.

The reference's TRANSFER_MATRIX strategy, for ablations: a JSON file with ``source_tasks`` and
``target_tasks`` (task keys, or plain task names) and ``matrix`` (rows: sources, columns: targets;
smaller is better, e.g. the error of finetuning the source's model on the target minus the error from
a fresh start). For each task, the trained source with the smallest value is used; a task that is not
a target, or has no trained source (or none below ``oracle_threshold``), starts fresh.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.learners.base import TrainTask
from nevisbench.learners.finetuning import FinetuneConfig, FinetuningLearner, Start
from nevisbench.learners.registry import register_learner


@dataclasses.dataclass(frozen=True)
class OracleConfig(FinetuneConfig):
    """Options of `oracle` (see FinetuneConfig).

    Attributes:
        transfer_matrix: the JSON file (required).
        oracle_threshold: use a source only if its value is below this; None: always use the best.
    """

    transfer_matrix: str = ""
    oracle_threshold: float | None = None


def _task_name(entry: Any, where: str) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        return entry["name"]
    raise ValueError(f"{where}: each task must be a name or a task key object with a name, got {entry!r}")


@dataclasses.dataclass(frozen=True)
class TransferMatrix:
    """Source tasks × target tasks values; smaller means a better source."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    values: np.ndarray

    @classmethod
    def load(cls, path: Path) -> TransferMatrix:
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ValueError(f"transfer matrix {path} does not exist") from None
        except json.JSONDecodeError as error:
            raise ValueError(f"transfer matrix {path} is not valid JSON: {error}") from None
        missing = [k for k in ("source_tasks", "target_tasks", "matrix") if k not in data]
        if missing:
            raise ValueError(f"transfer matrix {path} lacks the field(s) {missing}")
        sources = tuple(_task_name(e, f"{path} source_tasks") for e in data["source_tasks"])
        targets = tuple(_task_name(e, f"{path} target_tasks") for e in data["target_tasks"])
        values = np.asarray(data["matrix"], dtype=np.float64)
        if values.shape != (len(sources), len(targets)):
            raise ValueError(f"transfer matrix {path}: matrix has shape {values.shape}, but there are "
                             f"{len(sources)} source and {len(targets)} target tasks")
        return cls(sources, targets, values)

    def ranked_sources(self, target: str) -> list[tuple[str, float]]:
        """The sources for ``target``, best (smallest value) first; [] when it is not a target."""
        if target not in self.targets:
            return []
        column = self.values[:, self.targets.index(target)]
        return [(self.sources[i], float(column[i])) for i in np.argsort(column, kind="stable")]


class OracleLearner(FinetuningLearner):
    """Finetunes the trained source task a transfer matrix ranks best for each task."""

    config: OracleConfig

    def __init__(self, config: OracleConfig) -> None:
        super().__init__(config)
        if not config.transfer_matrix:
            raise ValueError("learner oracle needs options.transfer_matrix=PATH (a JSON transfer matrix)")
        self.matrix = TransferMatrix.load(Path(config.transfer_matrix))

    def _start(self, task: TrainTask) -> Start:
        threshold = self.config.oracle_threshold
        for source, value in self.matrix.ranked_sources(task.key.name):
            if threshold is not None and value >= threshold:
                break
            if source in self.tasks:
                file = self.tasks[source]["file"]
                info = {"selection": {"chosen": file, "source_task": source, "value": value}}
                return Start(self._state_from(task, file), file, info)
        info = {"selection": {"chosen": self.fresh_source, "source_task": None}}
        return Start(self._fresh_state(task), self.fresh_source, info)


register_learner(
    "oracle",
    OracleConfig,
    OracleLearner,
    "start each task from the trained task a given transfer matrix ranks best (reference: TRANSFER_MATRIX)",
)
