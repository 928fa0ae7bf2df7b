"""TensorBoard scalars of a run (extra ``tensorboard``): one of the loggers of ``reporting.loggers``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nevisbench.reporting.loggers import Scalar


def require() -> None:
    """Raises a one-line error with the install command when tensorboard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except ImportError:
        raise RuntimeError("the tensorboard logger needs the tensorboard package: "
                           "pip install 'nevisbench[tensorboard]'") from None


def make_summary_writer(log_dir: Path) -> Any:
    """A ``torch.utils.tensorboard.SummaryWriter``, or a clear error when tensorboard is missing."""
    require()
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(log_dir=str(log_dir))


def open_logger(workdir: Path, params: Mapping[str, Any], previous: Mapping[str, Any] | None) -> TensorBoardLogger:
    """Scalars in ``WORKDIR/tensorboard``; a resume adds event files beside the earlier ones."""
    return TensorBoardLogger(make_summary_writer(Path(workdir) / "tensorboard"))


class TensorBoardLogger:
    """Writes each event's scalars (``loggers.scalars``) at their step (the task index, or the event
    number for ``flops/*``). No run id: the directory is the run."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.keep: dict[str, Any] = {}

    def write(self, rows: Sequence[Scalar]) -> None:
        for row in rows:
            self.writer.add_scalar(row.name, row.value, row.step)
        self.writer.flush()

    def close(self, ok: bool = True) -> None:
        self.writer.close()
