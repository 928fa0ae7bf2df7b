"""LandSat (Statlog Landsat Satellite, UCI): data/handlers/landsat.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import converted, prepared_and_converted

from nevisbench.data.handlers import landsat
from nevisbench.data.handlers._layout import LayoutError


def test_landsat_patch_layout_drops_the_fourth_band(tmp_path: Path) -> None:
    values = list(range(36))  # pixel p, band b holds 4p + b
    (tmp_path / "sat.trn").write_text(" ".join(map(str, values)) + " 7\n")
    (example,) = landsat.read_patches(tmp_path / "sat.trn")
    assert example.label == 6  # file label 7: very damp grey soil
    assert example.image.shape == (3, 3, 3)
    for row in range(3):
        for col in range(3):
            assert list(example.image[row, col]) == [4 * (3 * row + col) + b for b in range(3)]


def test_landsat_t3_split_and_missing_file(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("landsat", tmp_path)
    assert len(splits["test"]) == 8
    assert sum(len(splits[s]) for s in ("train", "dev", "dev_test")) == 24
    assert all(e.name.startswith("sat.tst") for e in splits["test"])
    (tmp_path / "sat.tst").unlink()
    with pytest.raises(LayoutError, match=r"sat\.tst"):
        converted("landsat", tmp_path)
