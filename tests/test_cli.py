"""The command line end to end: datasets, streams, run, results, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nevisbench.cli import main


def _flat(text: str) -> str:
    # rich wraps long lines at the console width; compare words, not line breaks.
    return " ".join(text.split())

TINY = ["--set", "options.backbone=small_cnn", "--set", "options.image_size=16", "--set", "options.max_steps=6",
        "--set", "options.validate_every=3", "--set", "options.trials=1", "--set", "options.batch_size=32",
        "--set", "stream.stop_year=1999"]


def test_datasets_list_info_prepare_verify(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert "uci_digits" in out and "fashion_mnist" in out
    assert main(["datasets", "prepare", "uci_digits", "lfw_faces"]) == 0
    out = capsys.readouterr().out
    assert "✓ uci_digits converted: train 1000, dev 217, dev_test 236, test 344 (8×8×1)" in out
    assert main(["datasets", "prepare", "uci_digits"]) == 0
    assert "already prepared" in capsys.readouterr().out
    assert main(["datasets", "info", "uci_digits"]) == 0
    out = capsys.readouterr().out
    assert "R4" in out and '"train": 1000' in out
    assert main(["datasets", "verify", "uci_digits"]) == 0
    (home / "datasets" / "uci_digits" / "dev_labels.npy").write_bytes(b"edited")
    assert main(["datasets", "verify", "uci_digits"]) == 1
    assert "dev_labels.npy" in capsys.readouterr().out


def test_prepare_a_stream(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "prepare", "--stream", "demo"]) == 0
    out = capsys.readouterr().out
    for name in ("uci_digits", "mnist_5k", "lfw_faces", "skimage_textures"):
        assert f"✓ {name}" in out


def test_datasets_without_handlers_are_named(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A catalogue lacking handlers (a plugin not installed, a handler removed) names what is missing
    # instead of failing on the first one.
    import nevisbench.data.spec as spec

    real = spec.list_datasets
    monkeypatch.setattr(spec, "list_datasets", lambda pattern="*": [n for n in real(pattern) if n not in (
        "voc2007", "coil20", "caltech101", "voc2012")])
    assert main(["datasets", "prepare", "--stream", "debug"]) == 1
    assert "have no handler yet: voc2007, coil20" in _flat(capsys.readouterr().err)
    assert main(["run", "--stream", "tiny"]) == 2
    assert "that have no handler yet: caltech101, voc2012" in _flat(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["datasets", "prepare", "uci_digit"], "Did you mean: uci_digits"),
        (["datasets", "prepare", "--stream", "dem"], "Did you mean: demo"),
        (["datasets", "info", "fashion"], "unknown dataset 'fashion'"),
        (["datasets", "prepare"], "name the datasets to prepare"),
        (["streams", "show", "fulll"], "Did you mean: full"),
        (["run", "--set", "options.max_step=3"], "did you mean max_steps"),
        (["run", "--set", "seed=abc"], "seed must be int"),
        (["run", "--stream", "nope"], "unknown stream 'nope'"),
        (["results", "/nonexistent/run"], "holds no summary.json"),
    ],
)
def test_bad_input_is_a_clear_error(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in _flat(capsys.readouterr().err)


def test_bad_resolution_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["datasets", "prepare", "uci_digits", "--resolution", "3"])
    assert "between 8 and 1024" in capsys.readouterr().err


def test_streams_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["streams", "list"]) == 0
    assert "full" in capsys.readouterr().out
    assert main(["streams", "show", "full"]) == 0
    out = capsys.readouterr().out
    assert "full: 92 rows before 2020" in out and "magellan_venus_volcanoes" in out
    assert main(["streams", "show", "full", "--all-years"]) == 0
    out = capsys.readouterr().out
    assert "106 rows" in out and "synthetic_covid19_xray" in out


def test_run_then_resume_then_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workdir = tmp_path / "run"
    assert main(["run", "--workdir", str(workdir), *TINY]) == 0
    out = capsys.readouterr().out
    assert "mean error" in out
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["complete"] and summary["events"]["total"] == 6
    # The same workdir alone resumes (here: is already complete) with its saved config.
    assert main(["run", "--workdir", str(workdir)]) == 0
    assert main(["results", str(workdir)]) == 0
    assert "uci_digits" in capsys.readouterr().out
    # Another config in the same workdir is refused.
    assert main(["run", "--workdir", str(workdir), *TINY, "--set", "seed=4"]) == 2
    assert "another configuration" in _flat(capsys.readouterr().err)


def test_tensorboard_missing_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    assert main(["run", "--workdir", str(tmp_path / "run"), "--tensorboard", *TINY]) == 2
    assert "pip install 'nevisbench[tensorboard]'" in _flat(capsys.readouterr().err)


@pytest.mark.parametrize("kind", ["local", "process", "ray", "slurm"])
def test_run_executor_flag_takes_every_executor(kind: str, tmp_path: Path) -> None:
    from nevisbench.cli import build_parser
    from nevisbench.cli.run import resolve_run_config

    args = build_parser().parse_args(["run", "--workdir", str(tmp_path / "run"), "--executor", kind])
    assert resolve_run_config(args).executor.kind == kind


def test_pretrain_data_parallel_flag_reaches_the_fit_settings(capsys: pytest.CaptureFixture[str]) -> None:
    from nevisbench.cli import build_parser

    args = build_parser().parse_args(["pretrain", "--dataset", "uci_digits", "--out", "x.pt", "--data-parallel", "2"])
    assert args.data_parallel == 2
    assert build_parser().parse_args(["pretrain", "--dataset", "uci_digits", "--out", "x.pt"]).data_parallel == 1
    with pytest.raises(SystemExit):
        build_parser().parse_args(["pretrain", "--dataset", "uci_digits", "--out", "x.pt", "--data-parallel", "0"])
    assert "must be a positive integer" in capsys.readouterr().err
