"""The run loop: for each event of the stream, train or predict, record one JSON line, checkpoint.

A run resumes after its last checkpointed event and reproduces an uninterrupted run exactly: every
random choice derives from the run seed and the task index, never from state carried between events.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nevisbench.compute.throughput import THROUGHPUT_FIELDS, Peak, device_name, resolve_peak
from nevisbench.config import RunConfig
from nevisbench.executors import create_executor
from nevisbench.learners.base import Learner
from nevisbench.learners.registry import create_learner
from nevisbench.metrics.stream import flagged_tasks, summarize
from nevisbench.protocol.provenance import provenance, resolve_device
from nevisbench.protocol.state import RunState, resume_state
from nevisbench.protocol.steps import predict_event, train_event
from nevisbench.protocol.workdir import Workdir, WorkdirError
from nevisbench.records import Phase, Progress, Record, TrainRecord
from nevisbench.streams.stream import Stream, build_stream
from nevisbench.values import ResourceUsage, TrainEvent

log = logging.getLogger(__name__)

__all__ = ["Progress", "resolve_device", "run", "strip_wall_clock"]


def stream_of(name: str, stop_year: int | None, predict_splits: Any, final_evaluation: bool,
              exclude: Any = ()) -> Stream:
    """The stream a run's ``stream`` settings describe (also rebuilt by reports from ``config.json``).

    ``exclude`` names datasets whose rows are left out (``StreamConfig.exclude``).
    """
    spec: Any = name
    if exclude:
        from nevisbench.streams.table import get_stream

        whole = get_stream(name)
        spec = dataclasses.replace(whole, rows=tuple(row for row in whole.rows if row.dataset not in set(exclude)))
    return build_stream(spec, stop_year=stop_year, predict_splits=predict_splits, final_evaluation=final_evaluation)


def _stream(config: RunConfig) -> Stream:
    return stream_of(config.stream.name, config.stream.stop_year, config.stream.predict_splits,
                     config.stream.final_evaluation, config.stream.exclude)


class DatasetsUnavailableError(ValueError):
    """Some datasets of a run's stream cannot be prepared; the message names each and its fix."""


def _prepare_all(names: list[str], resolution: int, progress: Callable[[Progress], None]) -> tuple[
        dict[str, Any], dict[str, str]]:
    """Prepares every dataset before any training: ``({name: opened store}, {name: why it failed})``."""
    from nevisbench.data.prepare import NoSpaceError, prepare_dataset
    from nevisbench.data.sources import ChecksumError, SourceError

    opened, failed = {}, {}
    for name in names:
        progress(Progress(Phase.PREPARE, dataset=name))
        try:
            opened[name], _ = prepare_dataset(name, resolution=resolution)
        # What a prepare raises for the user to fix (each message says how); a bug still propagates.
        except (ValueError, KeyError, FileNotFoundError, SourceError, ChecksumError, NoSpaceError) as error:
            failed[name] = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
            log.warning("dataset %s cannot be prepared: %s", name, failed[name])
    return opened, failed


def _unavailable(stream: Stream, failed: dict[str, str]) -> DatasetsUnavailableError:
    lines = "\n".join(f"  {name}: {why}" for name, why in failed.items())
    return DatasetsUnavailableError(
        f"{len(failed)} dataset(s) of stream {stream.name} cannot be prepared, so the run did not start:\n{lines}\n"
        f"fix each as its line says (`nevisbench datasets prepare NAME`), or run with --skip-unavailable to "
        f"leave them out (the run is then not comparable to the paper's)")


def run(
    config: RunConfig,
    workdir: Path,
    *,
    progress: Callable[[Progress], None] | None = None,
    stop_after: int | None = None,
    learner: Learner | None = None,
    skip_unavailable: bool = False,
) -> dict[str, Any]:
    """Runs (or resumes) ``config`` in ``workdir`` and returns the summary.

    Args:
        config: the run configuration.
        workdir: the run directory; a directory holding another config's run is refused.
        progress: called with a ``records.Progress`` for each step of live progress.
        stop_after: stop after this many events in all (tests use it to interrupt a run).
        learner: a learner object to use instead of creating ``config.learner`` (your own learner).
        skip_unavailable: leave out the datasets that cannot be prepared (recorded in the config's
            ``stream.exclude``, so a resume runs the same stream) instead of failing.

    Raises:
        DatasetsUnavailableError: some datasets cannot be prepared (without ``skip_unavailable``);
            raised before any training, naming all of them.
    """
    progress = progress or (lambda update: None)
    work, device = Workdir(workdir), resolve_device(config.device)
    config = _resumed_exclusions(work, config) if skip_unavailable else config
    stream = _stream(config)
    _check_handlers(stream)
    with work.lock(), contextlib.closing(create_executor(
            config.executor, device.type, compile=config.compute.compile,
            data_parallel=config.compute.data_parallel)) as executor:
        opened, failed = _prepare_all(stream.datasets, config.store_resolution, progress)
        if failed and (not skip_unavailable or not opened):
            raise _unavailable(stream, failed)  # with every dataset left out there would be no stream
        if failed:
            log.warning("leaving out %d dataset(s) that cannot be prepared: %s", len(failed), ", ".join(failed))
            config = dataclasses.replace(
                config, stream=dataclasses.replace(config.stream, exclude=(*config.stream.exclude, *failed)))
            stream = _stream(config)
        # Refuse what cannot be resumed before any work: another config, a missing or damaged checkpoint.
        _claim(work, config, device, _non_reference(opened))
        state, learner_state = resume_state(work, config.identity(), _pretraining_usage(config))
        learner_name = config.learner if learner is None else f"{type(learner).__module__}.{type(learner).__qualname__}"
        learner = learner or create_learner(config.learner, config.options)
        if learner_state is not None:
            learner.load_state_dict(learner_state)
            log.info("resuming %s after event %d", work.path, state.completed)
        events = stream.events(lambda name: opened[name].task)
        gpu = device_name(device)

        def peak_for(precision: str) -> Peak | None:
            return resolve_peak(gpu, precision, config.compute.peak_tflops)

        tasks = sum(isinstance(e, TrainEvent) for e in events)

        for number, event in enumerate(events):
            if number < state.completed:
                continue
            if stop_after is not None and number >= stop_after:
                break
            started = time.perf_counter()
            train = isinstance(event, TrainEvent)
            progress(Progress(Phase.TRAIN if train else Phase.PREDICT, dataset=event.dataset, event=number,
                              events=len(events), task_index=event.index, tasks=tasks,
                              split=None if train else event.split.value, final=not train and event.final))
            common = {"data": opened[event.dataset], "device": device, "work": work,
                      "cumulative": state.cumulative_flops}
            if train:
                record: Record = train_event(learner, event, number, seed=config.seed, executor=executor,
                                             progress=progress, peak_for=peak_for, **common)
            else:
                record = predict_event(learner, event, number, failed=event.task.name in state.failed_tasks,
                                       **common)
            record = dataclasses.replace(
                record, wall_seconds={**record.wall_seconds, "event": time.perf_counter() - started})
            # The line first, then the checkpoint that vouches for it: a kill between the two is redone.
            work.append_event(record)
            state = state.after(record, record.to_line())
            work.save_checkpoint(state.to_checkpoint(learner.state_dict(), config.identity()))
            work.clear_task_checkpoint()
            progress(Progress(Phase.DONE, dataset=event.dataset, event=number, events=len(events), record=record))

        summary = _summary(work.read_events(), state, stream, learner_name, config, len(events))
        work.write_json(work.summary_file, summary)
        return summary


def _check_handlers(stream: Stream) -> None:
    from nevisbench.data.spec import list_datasets

    missing = [name for name in stream.datasets if name not in set(list_datasets())]
    if missing:
        raise ValueError(f"stream {stream.name} (before {stream.stop_year}) needs {len(missing)} dataset(s) that "
                         f"have no handler yet: {', '.join(missing)}; `nevisbench streams show {stream.name}` "
                         f"lists them")


def _resumed_exclusions(work: Workdir, config: RunConfig) -> RunConfig:
    """``config`` with the datasets a resumed run left out already, so that its stream stays the same."""
    try:
        saved = RunConfig.load(work.config_file) if work.config_file.exists() else None
    except (ValueError, KeyError, TypeError):
        return config  # _claim says what is wrong with it
    if saved is None or not saved.stream.exclude:
        return config
    exclude = (*config.stream.exclude, *(n for n in saved.stream.exclude if n not in config.stream.exclude))
    return dataclasses.replace(config, stream=dataclasses.replace(config.stream, exclude=exclude))


def _non_reference(opened: dict[str, Any]) -> dict[str, list[str]]:
    """``{dataset: raw files}`` of the stores converted from files whose checksum is not the reference's."""
    from nevisbench.data.meta import non_reference

    return {name: files for name, stored in opened.items() if (files := non_reference(stored.meta))}


def _claim(work: Workdir, config: RunConfig, device: Any, non_reference: dict[str, list[str]]) -> None:
    """Writes a new run's config and provenance, or checks that a resumed run's config is this one.

    provenance.json records ``non_reference``: the datasets whose stores hold non-reference raw files.
    """
    if work.config_file.exists():
        try:
            saved = RunConfig.load(work.config_file)
        except (ValueError, KeyError, TypeError) as error:
            raise WorkdirError(f"{work.config_file} cannot be read ({error}); restore it, or delete it and "
                               f"resume with the same settings: `nevisbench run --workdir {work.path} "
                               f"--config FILE` (the run's checkpoint checks them)") from None
        if saved.identity() != config.identity():
            raise WorkdirError(
                f"{work.path} holds a run of another configuration; resume it with "
                f"`nevisbench run --workdir {work.path}` alone, or choose a new --workdir"
            )
    else:
        work.path.mkdir(parents=True, exist_ok=True)
        config.save(work.config_file)
    if not work.provenance_file.exists():
        work.write_json(work.provenance_file,
                        {**provenance(device, config.compute.peak_tflops), "non_reference": non_reference})
    else:
        _note_non_reference(work, non_reference)


def _note_non_reference(work: Workdir, non_reference: dict[str, list[str]]) -> None:
    """Adds the datasets that hold non-reference files now to a resumed run's provenance.json."""
    import json

    try:
        saved = json.loads(work.provenance_file.read_text())
    except (OSError, ValueError):
        return  # a damaged provenance.json is the reports' to name
    if not isinstance(saved, dict):
        return
    known = saved.get("non_reference") if isinstance(saved.get("non_reference"), dict) else {}
    merged = {**known, **non_reference}
    if merged != saved.get("non_reference"):
        work.write_json(work.provenance_file, {**saved, "non_reference": merged})


def _summary(records: list[Record], state: RunState, stream: Stream, learner: str, config: RunConfig,
             total: int) -> dict[str, Any]:
    """``summary.json``: the metrics of the records, and what the run was."""
    summary = summarize(records)
    summary.update(
        {
            "failed_tasks": list(dict.fromkeys(
                r.dataset for r in records if isinstance(r, TrainRecord) and not r.ok)),
            "flagged_tasks": flagged_tasks(records),
            "stream": stream.name,
            "stop_year": stream.stop_year,
            "learner": learner,
            "seed": config.seed,
            "complete": len(records) == total,
            "skipped_datasets": list(config.stream.exclude),
            "events": {"completed": len(records), "total": total},
            "usage": {k: v.to_dict() for k, v in state.totals.items()},
            "wall_seconds": _sum_wall(records),
        }
    )
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


def _sum_wall(records: list[Record]) -> dict[str, float]:
    out: dict[str, float] = {}
    for record in records:
        for key, value in record.wall_seconds.items():
            out[key] = out.get(key, 0.0) + value
    out["total"] = out.pop("event", 0.0)
    return out


def strip_wall_clock(record: Record) -> dict[str, Any]:
    """A record as JSON without its wall-clock fields (they are the only thing resumption may change):
    ``wall_seconds``, and each trial's throughput (images/s, FLOP/s, MFU)."""
    out = {k: v for k, v in record.to_json().items() if k != "wall_seconds"}
    trials = out.get("info", {}).get("trials")
    if isinstance(trials, list):
        out["info"] = {**out["info"], "trials": [
            {k: v for k, v in trial.items() if k not in THROUGHPUT_FIELDS} if isinstance(trial, dict) else trial
            for trial in trials]}
    return out
