"""COIL-100: data/handlers/coil100.py on fixtures in the real raw layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import coil100
from nevisbench.data.handlers._layout import LayoutError


def test_coil100_angle_bins_decide_the_split(tmp_path: Path) -> None:
    assert [coil100.split_of_bin(b) for b in (70, 71, 0, 1, 2)] == ["train"] * 5
    assert [coil100.split_of_bin(b) for b in (16, 20, 50, 54, 3, 15, 21, 49, 55, 69)] == [
        "dev", "dev", "dev_test", "dev_test", "test", "test", "test", "test", "test", "test"
    ]
    out = materialise(coil100.convert(prepared(coil100, tmp_path / "raw")), SPLITS)
    angles = {
        split: {int(re.search(r"__(\d+)\.png$", e.name).group(1)) for e in examples}
        for split, examples in out.items()
    }
    assert angles == {"train": {0, 355}, "dev": {90}, "dev_test": {260}, "test": {180, 45}}
    labels = {e.name.split("/")[1].split("__")[0]: e.label for e in out["test"]}
    assert labels == {"obj1": 0, "obj2": 1, "obj100": 99}


def test_coil100_rejects_an_angle_off_the_5_degree_grid() -> None:
    with pytest.raises(LayoutError, match="obj3__7.png"):
        coil100.parse_name("obj3__7.png")
    assert coil100.parse_name("convertGroupppm2png.pl") is None
