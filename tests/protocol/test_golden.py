"""The run's outputs are pinned byte for byte, so that a restructuring can prove it changed no behaviour.

A learner whose predictions depend only on the pixel bytes makes the outputs exact on every machine
(no floating-point sum whose order a CPU could change). The digests below were made by the code before
the typed-records restructuring (commit 09cd151) and by the code after it: they are the same. They pin
the record schema and field order of ``events.jsonl`` (wall clock aside), ``summary.json`` (wall clock, the
learner's module path and the later ``flagged_tasks`` and ``skipped_datasets``
aside) and the predictions. Change them only with a change of format that a
changelog states.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from nevisbench.config import apply_overrides
from nevisbench.configs import load_config
from nevisbench.learners.base import Predictions, PredictTask, TrainTask
from nevisbench.protocol.runner import run
from nevisbench.values import ResourceUsage

PINNED = {
    "events": "66e4fe6ecd409a5fe51c8a5a300694f953f108d23050c54acb6efe72bb32bcc6",
    "summary": "f73f840b2096685a4108496795a6085800cac2cc944a995b0cfcf8dcd892e812",
    "predictions": "f0da91fb155e991b0eeaf4a34ee793f0429ce90b187ac9e4606bb454fb4ec929",
}


class _PixelHash:
    """Predicts class (sum of the image's bytes) mod K with probability 1; counts fixed FLOPs."""

    def train(self, task: TrainTask) -> ResourceUsage:
        return ResourceUsage(flops=7 * len(task.train))

    def predict(self, task: PredictTask) -> Predictions:
        classes = task.key.num_classes
        out = np.zeros((len(task.data), classes), np.float32)
        for i in range(len(task.data)):
            out[i, int(np.asarray(task.data.images[i], dtype=np.int64).sum()) % classes] = 1.0
        return Predictions(out, ResourceUsage(flops=len(task.data)))

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def test_run_outputs_are_byte_identical_to_the_pinned_ones(tmp_path: Path) -> None:
    work = tmp_path / "run"
    run(apply_overrides(load_config("demo"), ["stream.stop_year=1999"]), work, learner=_PixelHash())
    lines = [re.sub(r', "wall_seconds": \{[^}]*\}', "", line)
             for line in (work / "events.jsonl").read_text().splitlines()]
    summary = json.loads((work / "summary.json").read_text())
    summary.pop("wall_seconds")
    summary.pop("flagged_tasks")
    summary.pop("skipped_datasets")  # added after the restructuring, with --skip-unavailable
    summary.pop("learner")  # a learner object is named by its module, which differs between callers
    predictions = hashlib.sha256()
    for path in sorted((work / "predictions").glob("*.npz")):
        saved = np.load(path)
        predictions.update(saved["probabilities"].tobytes())
        predictions.update(saved["targets"].tobytes())
    assert {
        "events": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
        "summary": hashlib.sha256(json.dumps(summary).encode()).hexdigest(),
        "predictions": predictions.hexdigest(),
    } == PINNED
