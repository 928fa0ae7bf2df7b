"""Weights & Biases logging of a run (extra ``wandb``): one of the loggers of ``reporting.loggers``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nevisbench.reporting.loggers import Scalar

# The W&B project; WANDB_MODE (online, offline, disabled) and WANDB_ENTITY are wandb's own.
PROJECT_VARIABLE = "NEVISBENCH_WANDB_PROJECT"
DEFAULT_PROJECT = "nevisbench"


def require() -> None:
    """Raises a one-line error with the install command when wandb is missing."""
    try:
        import wandb  # noqa: F401
    except ImportError:
        raise RuntimeError("the wandb logger needs the wandb package: pip install 'nevisbench[wandb]'") from None


def open_logger(workdir: Path, params: Mapping[str, Any], previous: Mapping[str, Any] | None) -> WandbLogger:
    """Starts the run's W&B run (files in ``WORKDIR/wandb``), or continues ``previous``'s.

    Raises:
        RuntimeError: wandb could not start the run (e.g. online without a login).
    """
    import wandb

    project = os.environ.get(PROJECT_VARIABLE) or DEFAULT_PROJECT
    run_id = previous.get("run_id") if previous and previous.get("project") == project else None
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        # console off: the CLI's live progress bar is no log worth keeping; silent: the library
        # does not print (only the CLI does).
        run = wandb.init(project=project, dir=str(workdir), id=run_id, resume="allow", name=workdir.name,
                         config=dict(params) if run_id is None else None,
                         settings=wandb.Settings(console="off", silent=True, disable_git=True))
    except Exception as error:
        raise RuntimeError(f"wandb could not start a run ({error}); `wandb login`, or set WANDB_MODE=offline "
                           f"to log to {workdir / 'wandb'} and `wandb sync` later") from error
    return WandbLogger(run, project)


class WandbLogger:
    """Logs each event's scalars as one W&B history row, plotted against their own axis: ``task``
    (the task index) or ``event`` (the event number, for ``flops/*``), so that W&B's own step, which a
    resumed offline run starts again, plays no part."""

    def __init__(self, run: Any, project: str) -> None:
        self.run = run
        self.keep: dict[str, Any] = {"run_id": run.id, "project": project}
        self.defined: set[str] = set()

    def write(self, rows: Sequence[Scalar]) -> None:
        data: dict[str, float] = {}
        for row in rows:
            if row.name not in self.defined:
                if row.axis not in self.defined:
                    self.run.define_metric(row.axis)
                    self.defined.add(row.axis)
                self.run.define_metric(row.name, step_metric=row.axis)
                self.defined.add(row.name)
            data[row.name] = row.value
            data[row.axis] = row.step
        if data:
            self.run.log(data)

    def close(self, ok: bool = True) -> None:
        import wandb

        self.run.finish(exit_code=0 if ok else 1)
        # finish() returns before wandb's service has written everything to the run's files; its
        # teardown waits for it, so that what a run logged is on disk when the run ends.
        wandb.teardown()
