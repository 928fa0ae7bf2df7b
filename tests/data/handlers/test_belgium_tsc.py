"""Belgium Traffic Sign Classification (BelgiumTSC): data/handlers/belgium_tsc.py on fixtures in the
real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, everything, prepared

from nevisbench.data.handlers import belgium_tsc
from nevisbench.data.handlers._layout import LayoutError


def test_belgium_labels_are_folder_numbers(tmp_path: Path) -> None:
    raw = prepared("belgium_tsc", tmp_path / "raw")
    splits = converted("belgium_tsc", raw, SPLITS)
    assert sorted({e.label for e in splits["test"]}) == [3, 19, 61]
    for example in everything(splits):
        assert example.label == int(example.name.split("/")[1])
    assert belgium_tsc.CLASS_NAMES[21] == "B5"  # folder 00021: the stop sign


def test_belgium_class_list_with_wrong_count_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("belgium_tsc", tmp_path / "raw")
    (raw / belgium_tsc.NAMES_FILE).write_text("header\nA1\nA2\n")
    with pytest.raises(LayoutError, match="reducedSetTS.txt"):
        belgium_tsc.convert(raw)
