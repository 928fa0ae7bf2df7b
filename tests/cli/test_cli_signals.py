"""A run stopped by SIGTERM (a cluster scheduler) or Ctrl-C says how to continue, and continuing completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nevisbench
from nevisbench.cli import main

# Three tasks of the demo stream (9 events), enough that a signal after the first event finds work left.
TINY = ["--set", "options.backbone=small_cnn", "--set", "options.image_size=16", "--set", "options.max_steps=120",
        "--set", "options.validate_every=60", "--set", "options.trials=1", "--set", "options.batch_size=32",
        "--set", "stream.stop_year=2008"]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def datasets_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data home for both tests: the datasets are converted once."""
    return tmp_path_factory.mktemp("home")


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGTERM, 143, "terminated (SIGTERM)"),
    (signal.SIGINT, 130, "interrupted"),
])
def test_a_signalled_run_names_its_resume_command_and_resumes(
        signum: int, code: int, said: str, datasets_home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEVISBENCH_HOME", str(datasets_home))
    workdir = tmp_path / "run"
    events = workdir / "events.jsonl"
    # The child runs this checkout's code, whatever is installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(nevisbench.__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    args = [sys.executable, "-m", "nevisbench.cli", "run", "--workdir", str(workdir), *TINY]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None and (
                not events.exists() or events.read_text().count("\n") < 1):
            time.sleep(0.05)
        process.send_signal(signum)
        out, err = process.communicate(timeout=120)
    assert not (workdir / "summary.json").exists(), f"the run ended before the signal: {out} {err}"
    assert process.returncode == code, err
    assert _flat(err).endswith(f"{said}; `nevisbench run --workdir {workdir}` continues it"), err
    assert "Traceback" not in err
    # The named command continues the run to its end.
    assert main(["run", "--workdir", str(workdir)]) == 0
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["complete"] and summary["events"] == {"completed": 9, "total": 9}
