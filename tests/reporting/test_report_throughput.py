"""Throughput in the reports: `results`, the HTML report's task table and the export show each task's
images/s, GFLOP/s and MFU; a run recorded before these fields reports them as "—"."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from nevisbench.cli import main
from nevisbench.compute.throughput import THROUGHPUT_FIELDS
from nevisbench.config import apply_overrides
from nevisbench.configs import load_config
from nevisbench.protocol.runner import run
from nevisbench.reporting.format import format_gflops_rate, format_images_rate, format_mfu
from nevisbench.reporting.tables import load_run, task_rows

# Two tasks of the demo stream, two trials of 6 steps; a peak given, so that a CPU run has an MFU.
TINY = ["options.backbone=small_cnn", "options.image_size=16", "options.max_steps=6", "options.validate_every=3",
        "options.trials=2", "options.batch_size=32", "stream.stop_year=1999", "compute.peak_tflops=0.5"]


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("throughput")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(root / "home"))
        run(apply_overrides(load_config("demo"), TINY), root / "run")
    return root / "run"


def _old(measured: Path, target: Path) -> Path:
    """A copy of the run as a version before throughput would have written it."""
    shutil.copytree(measured, target)
    lines = []
    for line in (target / "events.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("info"):
            record["info"].pop("peak")
            record["info"].pop("precision")
            for trial in record["info"]["trials"]:
                for field in THROUGHPUT_FIELDS:
                    trial.pop(field)
        lines.append(json.dumps(record) + "\n")
    (target / "events.jsonl").write_text("".join(lines))
    return target


def _expected(measured: Path) -> list[dict[str, float]]:
    """Per task, the mean over its trials of each field, from events.jsonl."""
    out = []
    for line in (measured / "events.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["type"] == "train":
            trials = record["info"]["trials"]
            out.append({f: sum(t[f] for t in trials) / len(trials) for f in THROUGHPUT_FIELDS})
    return out


def test_the_run_records_the_peak_and_each_trials_mfu(measured: Path) -> None:
    for line in (measured / "events.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["type"] == "train":
            assert record["info"]["peak"] == {"tflops": 0.5, "precision": "fp32", "device": None,
                                              "source": "compute.peak_tflops"}
            for trial in record["info"]["trials"]:
                assert trial["mfu"] == trial["flops_per_second"] / 0.5e12
    hardware = json.loads((measured / "provenance.json").read_text())["hardware"]
    assert hardware["peak_tflops"] == {"bf16": 0.5, "tf32": 0.5, "fp32": 0.5}


def test_task_rows_export_and_html_show_the_throughput(measured: Path, tmp_path: Path) -> None:
    expected = _expected(measured)
    rows = task_rows(load_run(measured))
    assert [{f: row[f] for f in THROUGHPUT_FIELDS} for row in rows] == expected
    assert main(["export", str(measured), "-o", str(tmp_path / "tasks.csv")]) == 0
    with open(tmp_path / "tasks.csv") as handle:
        exported = list(csv.DictReader(handle))
    assert [{f: float(row[f]) for f in THROUGHPUT_FIELDS} for row in exported] == expected
    assert main(["report", str(measured), "-o", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text()
    assert "<th>images/s</th><th>GFLOP/s</th><th>MFU</th>" in html
    for task in expected:
        cells = (f'<td class="num">{format_images_rate(task["images_per_second"])}</td>'
                 f'<td class="num">{format_gflops_rate(task["flops_per_second"])}</td>'
                 f'<td class="num">{format_mfu(task["mfu"])}</td>')
        assert cells in html


def test_results_shows_the_throughput_per_task(measured: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    assert main(["results", str(measured)]) == 0
    out = capsys.readouterr().out
    assert "images/s" in out and "GFLOP/s" in out and "MFU" in out
    for dataset, task in zip(("uci_digits", "mnist_5k"), _expected(measured), strict=True):
        line = next(line for line in out.splitlines() if dataset in line)
        assert line.split()[-3:] == [format_images_rate(task["images_per_second"]),
                                     format_gflops_rate(task["flops_per_second"]), format_mfu(task["mfu"])]


def test_a_run_without_throughput_still_reports(measured: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    old = _old(measured, tmp_path / "old")
    assert all(row[f] is None for row in task_rows(load_run(old)) for f in THROUGHPUT_FIELDS)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["results", str(old)]) == 0
    out = capsys.readouterr().out
    assert "MFU" not in out  # no task has one
    line = next(line for line in out.splitlines() if "uci_digits" in line)
    assert line.split()[-2:] == ["—", "—"]
    assert main(["report", str(old), "-o", str(tmp_path / "report.html")]) == 0
    assert '<td class="num">—</td><td class="num">—</td><td class="num">—</td>' in (
        tmp_path / "report.html").read_text()
    assert main(["export", str(old), "-o", str(tmp_path / "tasks.csv")]) == 0
    with open(tmp_path / "tasks.csv") as handle:
        assert all(row[f] == "" for row in csv.DictReader(handle) for f in THROUGHPUT_FIELDS)
