"""One event of a run: train the learner on a task, or score its predictions of a split; each returns its record.

The runner owns the accounting (the cumulative FLOPs written into each record) and the files; the
learner sees only a ``TrainTask`` or a ``PredictTask``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from nevisbench.compute.throughput import Peak, with_mfu
from nevisbench.learners.base import Learner, PredictTask, TrainReport, TrainTask
from nevisbench.learners.training import TrialFailed
from nevisbench.metrics.classification import non_finite_rows, single_label_metrics
from nevisbench.metrics.multilabel import multi_label_metrics
from nevisbench.protocol.workdir import Workdir
from nevisbench.records import Phase, PredictRecord, Progress, TrainRecord
from nevisbench.values import PredictEvent, ResourceUsage, TaskKind, TrainEvent

log = logging.getLogger(__name__)

# The categories a learner may report for a train event (predict compute is the runner's to measure).
TRAIN_CATEGORIES = ("train", "selection")


def _head(event: TrainEvent | PredictEvent, number: int) -> dict[str, Any]:
    return {"event": number, "task_index": event.index, "year": event.year, "dataset": event.dataset,
            "task": event.task}


def train_event(
    learner: Learner,
    event: TrainEvent,
    number: int,
    *,
    data: Any,
    device: torch.device,
    seed: int,
    work: Workdir,
    executor: Any,
    progress: Callable[[Progress], None],
    cumulative: Callable[[dict[str, ResourceUsage]], dict[str, int]],
    peak_for: Callable[[str], Peak | None] = lambda precision: None,
) -> TrainRecord:
    """Trains ``learner`` on ``event``'s task; a task whose every trial failed gives a ``failed`` record.

    Args:
        cumulative: the run's FLOPs per category once this event's usage is added.
        peak_for: the device's peak for a precision (``compute.throughput.resolve_peak``): the trials'
            MFU is measured against it here, from the FLOP/s the learner recorded.
    """
    task = TrainTask(
        key=event.task, index=event.index, data=data, device=device, seed=seed, scratch=work.learner_dir,
        progress=lambda info: progress(Progress(Phase.TRIAL, dataset=event.dataset, event=number,
                                                task_index=event.index, trial=info)),
        executor=executor,
        checkpoint=lambda state: work.save_task_checkpoint(number, state),
        resume=work.load_task_checkpoint(number),
    )
    started = time.perf_counter()
    try:
        report = learner.train(task)
    except TrialFailed as error:
        log.warning("task %s failed: %s", event.task.name, error)
        usage = {category: ResourceUsage(flops) for category, flops in error.flops.items()}
        wall = {"train": time.perf_counter() - started}
        return TrainRecord(**_head(event, number), status="failed", error=str(error), usage=usage,
                           wall_seconds=wall, cumulative_flops=cumulative(usage))
    if isinstance(report, ResourceUsage):
        report = TrainReport(usage={"train": report}, wall_seconds={"train": time.perf_counter() - started})
    unknown = set(report.usage) - set(TRAIN_CATEGORIES)
    if unknown:
        raise ValueError(f"learner reported usage of unknown categories {sorted(unknown)}; "
                         f"use {' and '.join(TRAIN_CATEGORIES)}")
    return TrainRecord(**_head(event, number), status="ok", usage=dict(report.usage),
                       wall_seconds=dict(report.wall_seconds), info=with_mfu(report.info, peak_for),
                       num_train_examples=data.num_examples("train"), num_dev_examples=data.num_examples("dev"),
                       cumulative_flops=cumulative(dict(report.usage)))


def predict_event(
    learner: Learner,
    event: PredictEvent,
    number: int,
    *,
    data: Any,
    device: torch.device,
    work: Workdir,
    failed: bool,
    cumulative: Callable[[dict[str, ResourceUsage]], dict[str, int]],
) -> PredictRecord:
    """Scores ``learner``'s predictions of ``event``'s split and saves them; skipped if the task failed."""
    head = {**_head(event, number), "split": event.split.value, "final": event.final}
    split = data.split(event.split)
    if failed:
        return PredictRecord(**head, status="skipped", error="the task failed to train", num_examples=len(split),
                             cumulative_flops=cumulative({}), wall_seconds={})
    started = time.perf_counter()
    predictions = learner.predict(PredictTask(event.task, event.index, event.split, split, device, work.learner_dir))
    probabilities = np.asarray(predictions.probabilities, dtype=np.float32)
    expected = (len(split), event.task.num_classes)
    if probabilities.shape != expected:
        raise ValueError(f"learner returned predictions of shape {probabilities.shape} for "
                         f"{event.dataset}/{event.split.value}; expected {expected}")
    targets = np.asarray(split.labels)
    if event.task.kind is TaskKind.SINGLE_LABEL:
        metrics = single_label_metrics(probabilities, targets)
    else:
        metrics = multi_label_metrics(probabilities, targets)
    non_finite = non_finite_rows(probabilities)
    if non_finite:
        # Scored as wrong (metrics/classification.py) and flagged: a diverged model, not a result.
        log.warning("%s/%s: %d of %d predictions hold NaN or infinite probabilities; each counts as wrong",
                    event.dataset, event.split.value, non_finite, len(probabilities))
        metrics["num_non_finite"] = non_finite
    path = work.save_predictions(number, probabilities, targets)
    usage = {"predict": predictions.usage}
    return PredictRecord(**head, status="ok", metrics=metrics, predictions=path, usage=usage,
                         wall_seconds={"predict": time.perf_counter() - started}, cumulative_flops=cumulative(usage))
