"""Experiment loggers (TensorBoard, W&B, MLflow) behind one interface, fed by the runner's progress callback."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from nevisbench.files import write_json
from nevisbench.protocol.workdir import Workdir
from nevisbench.records import Phase, PredictRecord, Progress, Record, TrainRecord

log = logging.getLogger(__name__)

# Logger name → the module that writes it. Each module has `require()` (raises the install hint when
# its package is missing) and `open_logger(workdir, params, previous)` (returns a RunLogger).
BACKENDS = {
    "tensorboard": "nevisbench.reporting.tensorboard",
    "wandb": "nevisbench.reporting.wandb_logger",
    "mlflow": "nevisbench.reporting.mlflow_logger",
}

# What each logger has logged (up to which event) and which logged run it writes to, kept in the workdir
# so that a resumed run continues the same W&B/MLflow run and logs each event once.
STATE_FILE = "loggers.json"


class Scalar(NamedTuple):
    """One logged value: ``name`` at ``step`` along ``axis`` ("task": the stream position; "event")."""

    name: str
    value: float
    step: int
    axis: str


def scalars(record: Record) -> list[Scalar]:
    """The scalars every logger writes for one recorded event.

    Names: ``<split>/error/<dataset>`` (and ``map``) per prediction, ``<split>/error`` (the same values
    along the stream, for one curve), ``final_<split>/...`` for the end-of-stream re-evaluation,
    ``train/dev_error/<dataset>`` (x: the task index), and ``flops/<category>`` (cumulative FLOPs at
    each event; x: the event number).
    """
    rows = []
    step = record.task_index
    if isinstance(record, TrainRecord) and record.ok:
        dev_error = record.info.get("dev_error")
        if dev_error is not None:
            rows.append(Scalar(f"train/dev_error/{record.dataset}", dev_error, step, "task"))
    elif isinstance(record, PredictRecord) and record.ok and record.metrics:
        prefix = ("final_" if record.final else "") + record.split
        for name in ("error", "map"):
            value = record.metrics.get(name)
            if value is not None:
                rows.append(Scalar(f"{prefix}/{name}/{record.dataset}", value, step, "task"))
                rows.append(Scalar(f"{prefix}/{name}", value, step, "task"))
    for category, flops in record.cumulative_flops.items():
        rows.append(Scalar(f"flops/{category}", flops, record.event, "event"))
    return rows


class RunLogger(Protocol):
    """One logged run. ``keep``: what identifies it (e.g. the W&B run id and project), kept in
    ``loggers.json``; a resume that finds the same values continues where it stopped."""

    keep: dict[str, Any]

    def write(self, rows: Sequence[Scalar]) -> None:
        """Logs the scalars of one event."""

    def close(self, ok: bool) -> None:
        """Ends the logged run; ``ok`` false: it was interrupted or failed (a resume continues it)."""


def parse_names(text: str) -> list[str]:
    """``"tensorboard,wandb"`` → the logger names, checked.

    Raises:
        ValueError: an unknown name (the message lists the choices).
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BACKENDS]
    if unknown or not names:
        raise ValueError(f"unknown logger {', '.join(map(repr, unknown)) or repr(text)}; "
                         f"choose from {', '.join(BACKENDS)} (a comma-separated list)")
    return list(dict.fromkeys(names))


def flat_params(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested config dict as ``{"options.lr": 0.1, ...}``: the logged run's params."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.update(flat_params(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


class Loggers:
    """The loggers of one run, as one progress listener.

    Each logger opens when the runner starts (or resumes) its first event, so that a refused run (its
    workdir locked, another config) never opens a logged run. Events recorded but not yet logged
    (a logger added on resume, or a kill between the record and its logging) are logged then, and an
    event is never logged twice: ``loggers.json`` holds how many events each logger has logged.
    """

    def __init__(self, names: Sequence[str], workdir: Path, params: Mapping[str, Any]) -> None:
        """Checks that every logger's package is installed (before any training).

        Raises:
            RuntimeError: a logger's package is missing (the message has the install command).
        """
        self.workdir, self.params = Path(workdir), dict(params)
        self.modules = {name: importlib.import_module(BACKENDS[name]) for name in names}
        for module in self.modules.values():
            module.require()
        self.open: dict[str, RunLogger] = {}
        self.logged: dict[str, int] = {}
        self.started = False

    @property
    def state_file(self) -> Path:
        return self.workdir / STATE_FILE

    def __call__(self, update: Progress) -> None:
        if update.phase in (Phase.TRAIN, Phase.PREDICT) and not self.started and update.event is not None:
            self._start(update.event)
        elif update.phase is Phase.DONE and update.record is not None:
            if not self.started:
                self._start(update.record.event)
            self._log(update.record)

    def close(self, ok: bool = True) -> None:
        """Ends every logged run; after a complete run (``ok``), first logs what was not logged yet."""
        try:
            if ok and self.modules and not self.started and Workdir(self.workdir).events_file.exists():
                self._start(len(Workdir(self.workdir).read_events()))
        finally:
            for name, logger in self.open.items():
                try:
                    logger.close(ok)
                except Exception as error:  # a dashboard must not hide the run's own outcome
                    log.warning("closing the %s logger failed: %s", name, error)
            self.open.clear()

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            log.warning("%s is damaged; the loggers start new logged runs", self.state_file)
            return {}
        return state if isinstance(state, dict) else {}

    def _start(self, completed: int) -> None:
        """Opens the loggers; ``completed``: the events the run has recorded so far."""
        self.started = True
        state = self._read_state()
        for name, module in self.modules.items():
            previous = state.get(name) if isinstance(state.get(name), dict) else None
            kept = {k: v for k, v in (previous or {}).items() if k != "logged"}
            logger = module.open_logger(self.workdir, self.params, kept or None)
            self.open[name] = logger
            same = previous is not None and logger.keep == kept
            # Fewer recorded events than logged: the workdir was started over; log its events again.
            self.logged[name] = min(int(previous.get("logged", 0)), completed) if same else 0
        self._save()
        if any(logged < completed for logged in self.logged.values()):
            for record in Workdir(self.workdir).read_events()[:completed]:
                self._log(record)

    def _log(self, record: Record) -> None:
        rows = scalars(record)
        for name, logger in list(self.open.items()):
            if self.logged[name] != record.event:
                continue  # logged already (or a gap, which cannot happen: events come in order)
            try:
                logger.write(rows)
            except Exception as error:
                # The run goes on without this logger; a resume logs the events it missed.
                log.warning("the %s logger failed (%s); the run goes on without it, and a resume "
                            "logs the events it missed", name, error)
                del self.open[name]
                with contextlib.suppress(Exception):
                    logger.close(False)
                continue
            self.logged[name] = record.event + 1
        self._save()

    def _save(self) -> None:
        state = self._read_state()
        for name, logger in self.open.items():
            state[name] = {**logger.keep, "logged": self.logged[name]}
        write_json(self.state_file, state)
