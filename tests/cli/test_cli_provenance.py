"""Non-reference raw files: accepted with --accept-checksum, recorded in meta.json, marked on runs."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from nevisbench.cli import main
from nevisbench.config import apply_overrides
from nevisbench.configs import load_config
from nevisbench.data import spec as spec_module
from nevisbench.data.sources import package_file
from nevisbench.data.spec import get_dataset
from nevisbench.protocol.runner import run
from nevisbench.reporting.runs import load_run
from nevisbench.reporting.tables import notes, summary_row

ACCEPT = "uci_digits:digits.csv.gz"
PACKAGED = "scikit-learn:sklearn/datasets/data/digits.csv.gz"


@pytest.fixture(autouse=True)
def reference_checksum(monkeypatch: pytest.MonkeyPatch) -> None:
    """uci_digits with the package file's MD5 as its reference checksum (the real spec has none)."""
    spec = get_dataset("uci_digits")
    md5 = hashlib.md5(package_file(PACKAGED).read_bytes()).hexdigest()
    artefact = dataclasses.replace(spec.artefacts[0], md5=md5)
    monkeypatch.setitem(spec_module._DATASETS._items, "uci_digits", dataclasses.replace(spec, artefacts=(artefact,)))


def _repacked(tmp_path: Path) -> Path:
    """digits.csv.gz re-compressed: the same rows, another checksum (what a re-packed download looks like)."""
    folder = tmp_path / "repacked"
    folder.mkdir()
    rows = gzip.decompress(package_file(PACKAGED).read_bytes())
    (folder / "digits.csv.gz").write_bytes(gzip.compress(rows, compresslevel=1, mtime=1))
    return folder


def test_accepted_checksum_is_recorded_shown_and_marks_runs(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _repacked(tmp_path)
    assert main(["datasets", "prepare", "uci_digits", "--from", str(folder)]) == 1
    assert f"--accept-checksum {ACCEPT}" in " ".join(capsys.readouterr().err.split())
    assert main(["datasets", "prepare", "uci_digits", "--from", str(folder), "--accept-checksum", ACCEPT]) == 0
    meta = json.loads((home / "datasets" / "uci_digits" / "meta.json").read_text())
    assert meta["non_reference"] == ["digits.csv.gz"]
    assert meta["served_from"]["digits.csv.gz"]["via"] == "from"
    capsys.readouterr()
    assert main(["datasets", "info", "uci_digits"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "non_reference │ digits.csv.gz (not paper-comparable)" in shown
    assert "served digits.csv.gz │ from:" in shown

    tiny = ["options.backbone=small_cnn", "options.image_size=16", "options.max_steps=4",
            "options.validate_every=4", "options.trials=1", "options.batch_size=32", "stream.stop_year=2000"]
    run(apply_overrides(load_config("demo"), tiny), tmp_path / "run", stop_after=1)
    provenance = json.loads((tmp_path / "run" / "provenance.json").read_text())
    assert provenance["non_reference"] == {"uci_digits": ["digits.csv.gz"]}
    loaded = load_run(tmp_path / "run")
    mark = "not paper-comparable: non-reference files for uci_digits"
    assert summary_row(loaded)["comparability"] == mark and f"run: {mark}" in notes([loaded])


def test_reference_files_record_their_source_and_mark_nothing(home: Path) -> None:
    assert main(["datasets", "prepare", "uci_digits"]) == 0
    meta = json.loads((home / "datasets" / "uci_digits" / "meta.json").read_text())
    assert meta["non_reference"] == [] and meta["served_from"]["digits.csv.gz"]["via"] == "package"
