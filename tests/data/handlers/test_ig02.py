"""Graz-02 (INRIA annotations, IG02): data/handlers/ig02.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import prepared

from nevisbench.data.handlers import ig02
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_ig02_drops_duplicate_pixels_and_puts_listed_train_images_first(tmp_path: Path) -> None:
    raw = prepared("ig02", tmp_path / "raw")
    ordered = ig02.ordered_unique(raw)
    assert len(ordered) == 36  # 3 × 12 images; each class's exact copy is dropped
    assert not any("_copy" in e.name for e in ordered)
    assert not any(".mask." in e.name for e in ordered)
    # The train-listed (even-numbered) images come first, then the rest.
    first = [int(Path(e.name).name.split("_")[1][:3]) % 2 for e in ordered[:18]]
    assert first == [0] * 18
    assert [ig02.CLASS_NAMES[e.label] for e in ordered] == [e.name.split("/")[0] for e in ordered]


def test_ig02_missing_train_list_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("ig02", tmp_path / "raw")
    (extracted_dir(raw, ig02.ZIPS["cars"]) / "cars_train.txt").unlink()
    with pytest.raises(LayoutError, match="cars_train.txt"):
        ig02.convert(raw)
