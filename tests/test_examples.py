"""The README's own-learner example runs through the protocol and learns."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from nevisbench.config import RunConfig, StreamConfig
from nevisbench.protocol.runner import run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "nearest_mean.py"


def test_nearest_mean_example_learns(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("nearest_mean", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = RunConfig(stream=StreamConfig(name="demo", stop_year=2008))
    summary = run(config, tmp_path / "run", learner=module.NearestMean())
    assert summary["complete"]
    errors = {row["dataset"]: row["error"] for row in summary["tasks"] if not row["final"]}
    # Chance: 0.9 for digits, 0.5 for faces; class means on raw pixels do far better.
    assert errors["uci_digits"] < 0.3 and errors["mnist_5k"] < 0.4 and errors["lfw_faces"] < 0.3
    assert summary["usage"]["train"]["flops"] > 0
