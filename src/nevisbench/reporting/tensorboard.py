"""Live TensorBoard scalars of a run, fed by the runner's progress callback (extra ``tensorboard``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nevisbench.records import Phase, PredictRecord, Progress, TrainRecord


def make_summary_writer(log_dir: Path) -> Any:
    """A ``torch.utils.tensorboard.SummaryWriter``, or a clear error when tensorboard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise RuntimeError("--tensorboard needs the tensorboard package: "
                           "pip install 'nevisbench[tensorboard]'") from None
    return SummaryWriter(log_dir=str(log_dir))


class TensorBoardLogger:
    """Writes one scalar set per completed event; x = the task index (the stream position).

    Tags: ``<split>/error/<dataset>`` (and ``map``) per prediction, ``<split>/error`` (the same
    values along the stream, for one curve), ``train/dev_error/<dataset>``, and ``flops/<category>``
    (cumulative FLOPs at each event).
    """

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def __call__(self, update: Progress) -> None:
        if update.phase is not Phase.DONE or update.record is None:
            return
        record = update.record
        step = record.task_index
        if isinstance(record, TrainRecord) and record.ok:
            dev_error = record.info.get("dev_error")
            if dev_error is not None:
                self.writer.add_scalar(f"train/dev_error/{record.dataset}", dev_error, step)
        elif isinstance(record, PredictRecord) and record.ok and record.metrics:
            prefix = ("final_" if record.final else "") + record.split
            for name in ("error", "map"):
                value = record.metrics.get(name)
                if value is not None:
                    self.writer.add_scalar(f"{prefix}/{name}/{record.dataset}", value, step)
                    self.writer.add_scalar(f"{prefix}/{name}", value, step)
        for category, flops in record.cumulative_flops.items():
            self.writer.add_scalar(f"flops/{category}", flops, record.event)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
