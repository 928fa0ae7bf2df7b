"""Datasets that cannot be prepared: named all at once before training, or left out with skip_unavailable."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from nevisbench.config import RunConfig, apply_overrides
from nevisbench.configs import load_config
from nevisbench.data import spec as spec_module
from nevisbench.data.sources import http
from nevisbench.data.spec import Artefact, get_dataset
from nevisbench.protocol.runner import DatasetsUnavailableError, run
from nevisbench.reporting.runs import load_run
from nevisbench.reporting.tables import notes, summary_row

TINY = ["options.backbone=small_cnn", "options.image_size=16", "options.max_steps=4",
        "options.validate_every=4", "options.trials=1", "options.batch_size=32",
        "options.eval_batch_size=128", "stream.stop_year=2000"]


def _config() -> RunConfig:
    return apply_overrides(load_config("demo"), TINY)  # rows before 2000: uci_digits, mnist_5k


def _unreachable(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Points each dataset's one raw file at a port nothing listens on (and no package copy)."""
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)  # no backoff waits between the refusals
    for name in names:
        spec = get_dataset(name)
        artefact = Artefact(spec.artefacts[0].filename, "url", "http://127.0.0.1:9/x.gz")
        monkeypatch.setitem(spec_module._DATASETS._items, name, dataclasses.replace(spec, artefacts=(artefact,)))


def test_results_compare_and_report_show_the_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nevisbench.cli import main
    from nevisbench.reporting.html import write_report

    _unreachable(monkeypatch, "mnist_5k")
    run(_config(), tmp_path / "run", skip_unavailable=True)
    mark = "not comparable: 1 tasks skipped (mnist_5k)"
    for command in (["results", str(tmp_path / "run")], ["compare", str(tmp_path / "run")]):
        capsys.readouterr()
        assert main(command) == 0
        assert mark in " ".join(capsys.readouterr().err.split())
    report = write_report([tmp_path / "run"], tmp_path / "report.html")
    assert mark in report.html.read_text()


def test_a_run_names_every_unpreparable_dataset_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unreachable(monkeypatch, "uci_digits", "mnist_5k")
    with pytest.raises(DatasetsUnavailableError) as caught:
        run(_config(), tmp_path / "run")
    text = str(caught.value)
    assert "2 dataset(s) of stream demo cannot be prepared" in text
    assert "  uci_digits: " in text and "  mnist_5k: " in text and "--skip-unavailable" in text
    assert not (tmp_path / "run" / "events.jsonl").exists()  # nothing was trained
    with pytest.raises(DatasetsUnavailableError, match="2 dataset"):  # skipping all would leave no stream
        run(_config(), tmp_path / "run", skip_unavailable=True)


def test_skip_unavailable_leaves_them_out_records_them_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unreachable(monkeypatch, "mnist_5k")
    config = _config()
    summary = run(config, tmp_path / "run", skip_unavailable=True, stop_after=1)
    assert summary["skipped_datasets"] == ["mnist_5k"]
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["stream"]["exclude"] == ["mnist_5k"]
    # A resume with the same command (or `--workdir` alone) keeps the stream the run started with.
    summary = run(config, tmp_path / "run", skip_unavailable=True)
    assert summary["complete"] and summary["events"]["total"] == 3  # uci_digits: train, predict, final
    assert {t["dataset"] for t in summary["tasks"]} == {"uci_digits"}
    resumed = run(RunConfig.load(tmp_path / "run" / "config.json"), tmp_path / "run")
    assert resumed["complete"]
    loaded = load_run(tmp_path / "run")
    assert loaded.complete
    mark = "not comparable: 1 tasks skipped (mnist_5k)"
    assert summary_row(loaded)["comparability"] == mark
    assert f"run: {mark}" in notes([loaded])


def test_old_configs_keep_their_identity() -> None:
    config = _config()
    assert "exclude" not in config.to_dict()["stream"]
    excluded = dataclasses.replace(config, stream=dataclasses.replace(config.stream, exclude=("mnist_5k",)))
    assert excluded.identity() != config.identity()
    assert RunConfig.from_dict(json.loads(json.dumps(excluded.to_dict()))) == excluded
