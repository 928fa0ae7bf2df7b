"""Errors on the command line: one line for the user's, tracebacks with -v, bugs always shown and asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_tiny import TINY

from nevisbench.cli import main
from nevisbench.config import apply_overrides
from nevisbench.configs import load_config


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny run (two tasks of the demo stream), shared by the report tests."""
    workdir = tmp_path_factory.mktemp("runs") / "run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(workdir.parent / "home"))
        assert main(["run", "--workdir", str(workdir), *TINY]) == 0
    return workdir


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


def test_report_into_a_directory_is_one_error_line_and_writes_nothing(
        run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    capsys.readouterr()
    assert main(["report", str(run_dir), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _flat(err) == f"error: -o {out} is a directory; give the HTML file's name, e.g. -o {out / 'report.html'}"
    # Nothing written: no part file, no figures beside the directory, nothing in it.
    assert _leftovers(tmp_path) == [] and list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["out"]


@pytest.mark.parametrize(("below", "advice"), [
    ("report.html", "already exists (a file where a directory is needed?)"),
    ("sub/report.html", "a part of this path is a file, not a directory"),
])
def test_an_unwritable_output_path_is_one_error_line(run_dir: Path, tmp_path: Path, below: str, advice: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # The operating system's own errors ("[Errno 17] File exists: ...") read as a path and what to do.
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    capsys.readouterr()
    assert main(["report", str(run_dir), "-o", str(blocker / below)]) == 2
    err = _flat(capsys.readouterr().err)
    assert err.startswith("error: ") and advice in err and str(blocker) in err and "Traceback" not in err
    assert _leftovers(tmp_path) == []


def test_datasets_doc_into_a_directory_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "doc", "-o", str(tmp_path)]) == 2
    err = _flat(capsys.readouterr().err)
    assert err.startswith(f"error: {tmp_path} is a directory") and "Traceback" not in err
    assert [p for p in tmp_path.iterdir() if p.name != "home"] == []


@pytest.mark.parametrize("value", ["0", "-2"])
def test_batch_size_zero_or_negative_is_refused(value: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # 0 used to be read as "adaptive" without a word.
    assert main(["run", "--workdir", str(tmp_path / "run"), *TINY, "--set", f"options.batch_size={value}"]) == 2
    assert (f"options.batch_size must be a positive integer, or None for adaptive, got {value}"
            in _flat(capsys.readouterr().err))
    assert not (tmp_path / "run").exists()


def test_batch_size_none_stays_adaptive() -> None:
    config = apply_overrides(load_config("demo"), ["options.batch_size=None"])
    assert config.options.batch_size is None
    assert apply_overrides(config, ["options.batch_size=1"]).options.batch_size == 1


def test_a_user_error_is_one_line_and_its_traceback_comes_with_v(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--set", "seed=abc"]) == 2
    err = capsys.readouterr().err
    assert err == "error: seed must be int, got 'abc'\n"
    assert main(["-v", "run", "--set", "seed=abc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "apply_overrides" in err
    assert err.splitlines()[-1] == "error: seed must be int, got 'abc'"


def test_a_bug_always_shows_its_traceback_and_asks_for_a_report(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import nevisbench.streams.table as table

    def broken(pattern: str = "*") -> list[str]:
        return 1 / 0

    monkeypatch.setattr(table, "list_streams", broken)
    assert main(["streams", "list"]) == 1
    err = _flat(capsys.readouterr().err)
    assert err.startswith("Traceback (most recent call last):") and "in broken" in err
    assert err.endswith("error: unexpected ZeroDivisionError: division by zero. This is a bug in nevisbench; "
                        "please report it with the command and the traceback above.")


def test_prepare_shows_each_failure_traceback_with_v(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Preparing goes on past a dataset that fails; with -v the failure's traceback comes above its line.
    argv = ["datasets", "prepare", "mnist", "--from", str(tmp_path / "nowhere")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "✗ mnist" in err and "Traceback" not in err
    assert main(["-v", *argv]) == 1
    err = capsys.readouterr().err
    assert err.index("Traceback (most recent call last):") < err.index("✗ mnist")
