"""Failed tasks are named beside every mean error the command line prints: run, results, compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_tiny import TINY

from nevisbench.cli import main


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny run in which every task trained (two tasks of the demo stream)."""
    workdir = tmp_path_factory.mktemp("runs") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(workdir.parent / "home"))
        assert main(["run", "--workdir", str(workdir), *TINY]) == 0
    return workdir


def test_run_and_results_count_the_failed_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workdir = tmp_path / "run"
    # An absurd learning rate: every trial diverges, so both tasks fail and the stream goes on.
    assert main(["run", "--workdir", str(workdir), *TINY, "--set", "options.search=none",
                 "--set", "options.lr=1e12"]) == 0
    out = _flat(capsys.readouterr().out)
    assert "(2 of 2 tasks failed, counted at error 1.0) · example-weighted error" in out
    assert main(["results", str(workdir)]) == 0
    assert "(2 of 2 tasks failed, counted at error 1.0) · example-weighted error" in _flat(capsys.readouterr().out)


def test_results_of_a_run_with_one_failed_task(run_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    workdir = shutil.copytree(run_dir, tmp_path / "run")
    assert main(["results", str(workdir)]) == 0
    assert "tasks failed" not in capsys.readouterr().out  # nothing to say when every task trained
    summary_file = workdir / "summary.json"
    summary = json.loads(summary_file.read_text())
    summary["failed_tasks"] = ["mnist_5k"]
    summary_file.write_text(json.dumps(summary))
    assert main(["results", str(workdir)]) == 0
    assert (f"mean error {summary['mean_error']:.4f} (1 of 2 tasks failed, counted at error 1.0) · "
            in _flat(capsys.readouterr().out))


def test_compare_counts_the_failed_tasks(run_dir: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import nevisbench.reporting.tables as tables

    # A summary row without the count (older reporting) shows no note.
    assert main(["compare", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "tasks failed" not in out and "/2 failed" not in out
    real = tables.summary_row
    monkeypatch.setattr(tables, "summary_row", lambda run: {**real(run), "failed_tasks": 1})
    assert main(["compare", str(run_dir)]) == 0
    out = _flat(capsys.readouterr().out)
    assert "1/2 failed" in out  # under the mean error, in the table
    assert "run: complete · 1 of 2 tasks failed, counted at error 1.0 in the mean · demo before 1999" in out
