"""The run loop: for each event of the stream, train or predict, record one JSON line, checkpoint.

A run resumes after its last checkpointed event and reproduces an uninterrupted run exactly: every
random choice derives from the run seed and the task index, never from state carried between events.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nevisbench import __version__
from nevisbench.config import RunConfig
from nevisbench.learners.base import Learner, PredictTask, TrainReport, TrainTask
from nevisbench.learners.registry import create_learner
from nevisbench.learners.training import TrialFailed
from nevisbench.metrics.classification import single_label_metrics
from nevisbench.metrics.multilabel import multi_label_metrics
from nevisbench.metrics.stream import summarize
from nevisbench.protocol.executors import Executor, create_executor
from nevisbench.protocol.workdir import Workdir
from nevisbench.streams.stream import Stream, build_stream
from nevisbench.types import PredictEvent, ResourceUsage, TaskKind, TrainEvent

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]


def resolve_device(name: str) -> torch.device:
    """``auto`` → CUDA when available, else CPU; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"device must be auto, cpu or cuda[:N], got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "--device cuda was asked for, but no CUDA device is visible to PyTorch "
            "(torch.cuda.is_available() is False); use --device cpu"
        )
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda[:N], got {name!r}")
    return device


def provenance(device: torch.device) -> dict[str, Any]:
    """Where and with what a run ran: git commit, package versions, hardware."""
    source = Path(__file__).resolve().parents[3]
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    hardware = {
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": str(device),
    }
    if device.type == "cuda":
        hardware["gpu"] = torch.cuda.get_device_name(device)
    return {
        "git_commit": commit,
        "versions": {
            "nevisbench": __version__,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "platform": platform.platform(),
        "hardware": hardware,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _stream(config: RunConfig) -> Stream:
    kwargs: dict[str, Any] = {
        "predict_splits": config.stream.predict_splits,
        "final_evaluation": config.stream.final_evaluation,
    }
    if config.stream.stop_year is not None:
        kwargs["stop_year"] = config.stream.stop_year
    return build_stream(config.stream.name, **kwargs)


class _Datasets:
    """Opens each dataset of the stream once, preparing it first if it is not in the store."""

    def __init__(self, resolution: int, progress: Progress) -> None:
        self.resolution = resolution
        self.progress = progress
        self.opened: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        if name not in self.opened:
            from nevisbench.data.prepare import prepare_dataset

            self.progress({"phase": "prepare", "dataset": name})
            self.opened[name], _ = prepare_dataset(name, resolution=self.resolution)
        return self.opened[name]


def _usage_dict(usage: dict[str, ResourceUsage]) -> dict[str, dict[str, int]]:
    return {category: value.to_dict() for category, value in usage.items()}


def run(
    config: RunConfig,
    workdir: Path,
    *,
    progress: Progress | None = None,
    stop_after: int | None = None,
    learner: Learner | None = None,
) -> dict[str, Any]:
    """Runs (or resumes) ``config`` in ``workdir`` and returns the summary.

    Args:
        config: the run configuration.
        workdir: the run directory; a directory holding another config's run is refused.
        progress: called with dicts describing live progress.
        stop_after: stop after this many events in all (tests use it to interrupt a run).
        learner: a learner object to use instead of creating ``config.learner`` (your own learner).
    """
    progress = progress or (lambda info: None)
    work = Workdir(workdir)
    device = resolve_device(config.device)
    stream = _stream(config)
    from nevisbench.data.spec import list_datasets

    missing = [name for name in stream.datasets if name not in set(list_datasets())]
    if missing:
        raise ValueError(f"stream {stream.name} (before {stream.stop_year}) needs {len(missing)} dataset(s) that "
                         f"have no handler yet: {', '.join(missing)}; `nevisbench streams show {stream.name}` "
                         f"lists them")
    with work.lock(), contextlib.closing(create_executor(config.executor, device.type)) as executor:
        if work.config_file.exists():
            saved = RunConfig.load(work.config_file)
            if saved.identity() != config.identity():
                raise ValueError(
                    f"{work.path} holds a run of another configuration; resume it with "
                    f"`nevisbench run --workdir {work.path}` alone, or choose a new --workdir"
                )
        else:
            config.save(work.config_file)
            work.write_json(work.provenance_file, provenance(device))
        # A learner object given by the caller is named by its class (config.learner then is unused).
        learner_name = config.learner if learner is None else f"{type(learner).__module__}.{type(learner).__qualname__}"
        learner = learner or create_learner(config.learner, config.options)
        datasets = _Datasets(config.resolution, progress)
        events = stream.events(lambda name: datasets(name).task)

        checkpoint = work.load_checkpoint()
        completed, totals = (
            0,
            {"train": ResourceUsage(), "selection": ResourceUsage(), "predict": ResourceUsage()},
        )
        pretraining = _pretraining_usage(config)
        if pretraining is not None:
            totals["pretraining"] = pretraining
        if checkpoint is not None:
            completed = int(checkpoint["completed"])
            learner.load_state_dict(checkpoint["learner"])
            totals = {k: ResourceUsage(**v) for k, v in checkpoint["totals"].items()}
            work.truncate_events(int(checkpoint["events_bytes"]))
            log.info("resuming %s after event %d of %d", work.path, completed, len(events))
        failed_tasks = set(checkpoint["failed_tasks"]) if checkpoint else set()
        train_events = sum(isinstance(e, TrainEvent) for e in events)

        for number, event in enumerate(events):
            if number < completed:
                continue
            if stop_after is not None and number >= stop_after:
                break
            started = time.perf_counter()
            base = {
                "event": number,
                "task_index": event.index,
                "year": event.year,
                "dataset": event.dataset,
                "task": event.task.to_dict(),
            }
            if isinstance(event, TrainEvent):
                progress(
                    {
                        "phase": "train",
                        "event": number,
                        "events": len(events),
                        "task_index": event.index,
                        "tasks": train_events,
                        "dataset": event.dataset,
                    }
                )
                record = _train(
                    learner, event, number, datasets(event.dataset), config, device, work, progress, executor
                )
                if record["status"] == "failed":
                    failed_tasks.add(event.task.name)
                else:
                    failed_tasks.discard(event.task.name)
                for category, usage in record["usage"].items():
                    totals[category] = totals[category] + ResourceUsage(**usage)
            else:
                progress(
                    {
                        "phase": "predict",
                        "event": number,
                        "events": len(events),
                        "dataset": event.dataset,
                        "split": event.split.value,
                        "final": event.final,
                    }
                )
                record = _predict(
                    learner,
                    event,
                    number,
                    datasets(event.dataset),
                    device,
                    work,
                    failed=event.task.name in failed_tasks,
                )
                if "usage" in record:
                    totals["predict"] = totals["predict"] + ResourceUsage(
                        **record["usage"]["predict"]
                    )
            record = {
                **base,
                **record,
                "cumulative_flops": {k: v.flops for k, v in totals.items()},
                "wall_seconds": {
                    **record.get("wall_seconds", {}),
                    "event": time.perf_counter() - started,
                },
            }
            length = work.append_event(record)
            work.save_checkpoint(
                {
                    "completed": number + 1,
                    "events_bytes": length,
                    "learner": learner.state_dict(),
                    "totals": {k: v.to_dict() for k, v in totals.items()},
                    "failed_tasks": sorted(failed_tasks),
                }
            )
            work.clear_task_checkpoint()
            progress({"phase": "done_event", "record": record})

        records = work.read_events()
        summary = summarize(records)
        summary.update(
            {
                "failed_tasks": list(
                    dict.fromkeys(
                        r["dataset"]
                        for r in records
                        if r["type"] == "train" and r["status"] != "ok"
                    )
                ),
                "stream": stream.name,
                "stop_year": stream.stop_year,
                "learner": learner_name,
                "seed": config.seed,
                "complete": len(records) == len(events),
                "events": {"completed": len(records), "total": len(events)},
                "usage": {k: v.to_dict() for k, v in totals.items()},
                "wall_seconds": _sum_wall(records),
            }
        )
        work.write_json(work.summary_file, summary)
        return summary


def _pretraining_usage(config: RunConfig) -> ResourceUsage | None:
    """The FLOPs of the run's pretrained checkpoint, when ``compute.include_pretraining`` asks for them."""
    if not config.compute.include_pretraining:
        return None
    init_from = getattr(config.options, "init_from", None)
    if not init_from:
        raise ValueError("compute.include_pretraining=true needs options.init_from=PATH (a checkpoint "
                         "written by `nevisbench pretrain`)")
    from nevisbench.learners.pretrained import pretraining_flops

    return ResourceUsage(pretraining_flops(Path(init_from)))


def _sum_wall(records: list[dict[str, Any]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for record in records:
        for key, value in record.get("wall_seconds", {}).items():
            out[key] = out.get(key, 0.0) + value
    out["total"] = out.pop("event", 0.0)
    return out


def _train(
    learner: Learner,
    event: TrainEvent,
    number: int,
    data: Any,
    config: RunConfig,
    device: torch.device,
    work: Workdir,
    progress: Progress,
    executor: Executor,
) -> dict[str, Any]:
    task = TrainTask(
        key=event.task,
        index=event.index,
        data=data,
        device=device,
        seed=config.seed,
        scratch=work.learner_dir,
        progress=lambda info: progress({"phase": "trial", **info}),
        executor=executor,
        checkpoint=lambda state: work.save_task_checkpoint(number, state),
        resume=work.load_task_checkpoint(number),
    )
    started = time.perf_counter()
    try:
        report = learner.train(task)
    except TrialFailed as error:
        log.warning("task %s failed: %s", event.task.name, error)
        usage = {category: ResourceUsage(flops).to_dict() for category, flops in error.flops.items()}
        return {"type": "train", "status": "failed", "error": str(error), "usage": usage,
                "wall_seconds": {"train": time.perf_counter() - started}}
    if isinstance(report, ResourceUsage):
        report = TrainReport(
            usage={"train": report}, wall_seconds={"train": time.perf_counter() - started}
        )
    unknown = set(report.usage) - {"train", "selection"}
    if unknown:
        raise ValueError(
            f"learner reported usage of unknown categories {sorted(unknown)}; "
            f"use train and selection"
        )
    return {
        "type": "train",
        "status": "ok",
        "usage": _usage_dict(report.usage),
        "wall_seconds": dict(report.wall_seconds),
        "info": report.info,
        "num_train_examples": data.num_examples("train"),
        "num_dev_examples": data.num_examples("dev"),
    }


def _predict(
    learner: Learner,
    event: PredictEvent,
    number: int,
    data: Any,
    device: torch.device,
    work: Workdir,
    *,
    failed: bool,
) -> dict[str, Any]:
    base = {"type": "predict", "split": event.split.value, "final": event.final}
    if failed:
        return {**base, "status": "skipped", "error": "the task failed to train"}
    split = data.split(event.split)
    started = time.perf_counter()
    predictions = learner.predict(PredictTask(event.task, event.index, event.split, split, device, work.learner_dir))
    probabilities = np.asarray(predictions.probabilities, dtype=np.float32)
    expected = (len(split), event.task.num_classes)
    if probabilities.shape != expected:
        raise ValueError(
            f"learner returned predictions of shape {probabilities.shape} for "
            f"{event.dataset}/{event.split.value}; expected {expected}"
        )
    targets = np.asarray(split.labels)
    if event.task.kind is TaskKind.SINGLE_LABEL:
        metrics = single_label_metrics(probabilities, targets)
    else:
        metrics = multi_label_metrics(probabilities, targets)
    path = work.save_predictions(number, probabilities, targets)
    return {
        **base,
        "status": "ok",
        "metrics": metrics,
        "predictions": path,
        "usage": {"predict": predictions.usage.to_dict()},
        "wall_seconds": {"predict": time.perf_counter() - started},
    }


def strip_wall_clock(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its wall-clock fields (they are the only thing resumption may change)."""
    return {k: v for k, v in record.items() if k != "wall_seconds"}
