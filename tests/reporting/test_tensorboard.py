"""The TensorBoard logger turns event records into scalars along the stream."""

from __future__ import annotations

from nevisbench.reporting.tensorboard import TensorBoardLogger


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
    logger({"phase": "train"})  # live progress is ignored
    logger({"phase": "done_event", "record": {"type": "train", "status": "ok", "task_index": 3, "event": 6,
                                              "dataset": "mnist", "info": {"dev_error": 0.1},
                                              "cumulative_flops": flops}})
    logger({"phase": "done_event", "record": {"type": "predict", "status": "ok", "task_index": 3, "event": 7,
                                              "dataset": "mnist", "split": "dev_test", "final": False,
                                              "metrics": {"error": 0.2}, "cumulative_flops": flops}})
    logger.close()
    assert ("train/dev_error/mnist", 0.1, 3) in writer.scalars
    assert ("dev_test/error/mnist", 0.2, 3) in writer.scalars and ("dev_test/error", 0.2, 3) in writer.scalars
    assert ("flops/train", 10, 7) in writer.scalars
    assert writer.flushed == 2 and writer.closed == 1
