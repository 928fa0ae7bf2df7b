"""Synthetic COVID-19 Chest X-ray Dataset: data/handlers/synthetic_covid19_xray.py on fixtures in
the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import synthetic_covid19_xray


def test_synthetic_covid_labels_by_zip_folder(tmp_path: Path) -> None:
    _, out = prepared_and_converted(synthetic_covid19_xray, tmp_path / "raw")
    every = [e for s in SPLITS for e in out[s]]
    assert len(every) == 36
    assert all(e.label == (0 if e.name.startswith("G1/") else 1) for e in every)
