"""The TensorBoard logger turns event records into scalars along the stream."""

from __future__ import annotations

from nevisbench.records import Phase, PredictRecord, Progress, TrainRecord
from nevisbench.reporting.tensorboard import TensorBoardLogger
from nevisbench.values import TaskKey, TaskKind


class FakeWriter:
    def __init__(self) -> None:
        self.scalars: list[tuple[str, float, int]] = []
        self.flushed = self.closed = 0

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        self.scalars.append((tag, value, step))

    def flush(self) -> None:
        self.flushed += 1

    def close(self) -> None:
        self.closed += 1


def test_records_become_scalars() -> None:
    writer = FakeWriter()
    logger = TensorBoardLogger(writer)
    flops = {"train": 10, "selection": 2, "predict": 0}
    logger(Progress(Phase.TRAIN, dataset="mnist"))  # live progress is ignored
    task = TaskKey("mnist", TaskKind.SINGLE_LABEL, 10)
    head = {"task_index": 3, "year": 1998, "dataset": "mnist", "task": task, "status": "ok",
            "cumulative_flops": flops, "wall_seconds": {}}
    logger(Progress(Phase.DONE, record=TrainRecord(event=6, **head, info={"dev_error": 0.1})))
    logger(Progress(Phase.DONE, record=PredictRecord(event=7, **head, split="dev_test", final=False,
                                                     metrics={"error": 0.2})))
    logger.close()
    assert ("train/dev_error/mnist", 0.1, 3) in writer.scalars
    assert ("dev_test/error/mnist", 0.2, 3) in writer.scalars and ("dev_test/error", 0.2, 3) in writer.scalars
    assert ("flops/train", 10, 7) in writer.scalars
    assert writer.flushed == 2 and writer.closed == 1
