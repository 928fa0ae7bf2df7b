"""USPS handwritten digits: data/handlers/usps.py on fixtures in the real raw layout."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest
from handler_fixtures import prepared_and_converted
from handler_fixtures import unpacked_and_converted as _convert

from nevisbench.data.handlers import usps


def test_usps_line_maps_values_and_labels_like_the_reference() -> None:
    pixels = " ".join(f"{k + 1}:{v}" for k, v in enumerate([-1.0, 1.0, 0.0] + [-1.0] * 253))
    image, label = usps.parse_line(f"1 {pixels} ", "test")
    assert label == 0 and image.shape == (16, 16)
    assert image.ravel()[:3].tolist() == [0, 255, 127]  # 127.5 truncated


def test_usps_test_split_is_the_official_test_file(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("usps", tmp_path / "raw")
    assert len(out["test"]) == 6 and all(e.name.startswith("usps.t.bz2") for e in out["test"])
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 30
    assert [e.label for e in out["test"]] == [(100 + k) % 10 for k in range(6)]
    (raw / "usps.t.bz2").write_bytes(bz2.compress(b"3 1:0.5 300:1 \n"))
    with pytest.raises(ValueError, match="pixel index 300"):
        _convert("usps", raw)
