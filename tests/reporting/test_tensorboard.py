"""Event records become the scalars every logger writes; the TensorBoard logger writes them at their step."""

from __future__ import annotations

from nevisbench.records import PredictRecord, TrainRecord
from nevisbench.reporting.loggers import Scalar, scalars
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
    task = TaskKey("mnist", TaskKind.SINGLE_LABEL, 10)
    head = {"task_index": 3, "year": 1998, "dataset": "mnist", "task": task, "status": "ok",
            "cumulative_flops": flops, "wall_seconds": {}}
    train = TrainRecord(event=6, **head, info={"dev_error": 0.1})
    predict = PredictRecord(event=7, **head, split="dev_test", final=False, metrics={"error": 0.2})
    final = PredictRecord(event=9, **head, split="dev_test", final=True, metrics={"error": 0.3, "map": 0.5})
    assert Scalar("train/dev_error/mnist", 0.1, 3, "task") in scalars(train)
    assert Scalar("flops/train", 10, 6, "event") in scalars(train)
    assert {"final_dev_test/error/mnist", "final_dev_test/error", "final_dev_test/map/mnist",
            "final_dev_test/map"} <= {row.name for row in scalars(final)}
    failed = PredictRecord(event=8, **{**head, "status": "failed"}, split="dev_test", final=False, metrics={})
    assert {row.name for row in scalars(failed)} == {"flops/train", "flops/selection", "flops/predict"}
    logger.write(scalars(train))
    logger.write(scalars(predict))
    logger.close()
    assert ("train/dev_error/mnist", 0.1, 3) in writer.scalars
    assert ("dev_test/error/mnist", 0.2, 3) in writer.scalars and ("dev_test/error", 0.2, 3) in writer.scalars
    assert ("flops/train", 10, 7) in writer.scalars
    assert writer.flushed == 2 and writer.closed == 1
