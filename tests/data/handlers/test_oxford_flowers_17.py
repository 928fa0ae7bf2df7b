"""Oxford 17 Category Flowers: data/handlers/oxford_flowers_17.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, everything, prepared

from nevisbench.data.handlers import oxford_flowers_17
from nevisbench.data.handlers._layout import LayoutError


def test_flowers17_uses_split_one_and_numbered_labels(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers_17", tmp_path / "raw")
    splits = converted("oxford_flowers_17", raw, SPLITS)

    def number(example) -> int:
        return int(Path(example.name).stem.split("_")[1])

    for example in everything(splits):
        assert example.label == (number(example) - 1) // 80
    assert {number(e) % 4 for e in splits["train"] + splits["dev"]} == {1, 2}  # trn1
    assert {number(e) % 4 for e in splits["dev_test"]} == {3}  # val1
    assert {number(e) % 4 for e in splits["test"]} == {0}  # tst1
    test_numbers = [number(e) for e in splits["test"]]
    assert test_numbers == sorted(test_numbers, reverse=True)  # the tar's (reversed) order


def test_flowers17_missing_split_variable_is_a_layout_error(tmp_path: Path) -> None:
    import scipy.io

    raw = prepared("oxford_flowers_17", tmp_path / "raw")
    scipy.io.savemat(raw / oxford_flowers_17.SPLITS, {"trn1": np.ones((1, 3))})
    with pytest.raises(LayoutError, match="val1"):
        oxford_flowers_17.convert(raw)
