"""Brodatz: data/handlers/brodatz.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, prepared_and_converted

from nevisbench.data.handlers import brodatz
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import Crop


def test_brodatz_tiles_of_a_640_plate_and_the_strict_edge_rule() -> None:
    boxes = brodatz.tile_boxes(640, 640)
    assert len(boxes) == 9 and len(set(boxes)) == 9
    assert all(right - left == 213 and bottom - top == 213 for left, top, right, bottom in boxes)
    # x outer, y inner, as the reference walks them.
    assert boxes[:4] == [
        (0, 0, 213, 213),
        (0, 213, 213, 426),
        (0, 426, 213, 639),
        (213, 0, 426, 213),
    ]
    # A side divisible by 3 loses its last row and column of tiles (the reference's strict '<').
    assert len(brodatz.tile_boxes(15, 15)) == 4


def test_brodatz_five_one_one_two_tiles_per_class(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("brodatz", tmp_path)
    assert {s: len(v) for s, v in splits.items()} == {
        "train": 555,
        "dev": 111,
        "dev_test": 111,
        "test": 222,
    }
    tiles: dict[int, set[tuple[int, int, int, int]]] = {}
    for split, count in zip(SPLITS, (5, 1, 1, 2), strict=True):
        labels = [e.label for e in splits[split]]
        assert all(labels.count(label) == count for label in range(111))
        for example in splits[split]:
            assert isinstance(example.image, Crop)
            left, top, right, bottom = example.image.box
            assert (right - left, bottom - top) == (5, 5)  # a third of the 16-pixel fixture plate
            tiles.setdefault(example.label, set()).add(example.image.box)
    assert all(len(boxes) == 9 for boxes in tiles.values())  # no tile in two splits
    # Labels follow the sorted stems: D1, D10, D100, ...
    assert brodatz.CLASS_NAMES[:3] == ("D1", "D10", "D100") and "D14" not in brodatz.CLASS_NAMES


def test_brodatz_assignment_is_the_reference_draw(tmp_path: Path) -> None:
    brodatz.make_fixture(tmp_path)
    splits = converted("brodatz", tmp_path)
    rng = np.random.default_rng(0)
    boxes = brodatz.tile_boxes(16, 16)
    for label in range(111):
        order = rng.permutation(range(9))  # the reference permutes range(9)
        train = {boxes[k] for k in order[:5]}
        test = {boxes[k] for k in order[7:]}
        assert {e.image.box for e in splits["train"] if e.label == label} == train
        assert {e.image.box for e in splits["test"] if e.label == label} == test
        (dev,) = [e.image.box for e in splits["dev"] if e.label == label]
        assert dev == boxes[order[5]]


def test_brodatz_missing_plate_is_a_layout_error(tmp_path: Path) -> None:
    brodatz.make_fixture(tmp_path)
    (tmp_path / "D112.gif").unlink()
    with pytest.raises(LayoutError, match=r"D112\.gif"):
        converted("brodatz", tmp_path)
