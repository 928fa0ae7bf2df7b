"""SUN397: data/handlers/sun397.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import sun397
from nevisbench.data.handlers._layout import LayoutError


def test_sun397_uses_tfds_lists_labels_by_category_and_skips_ignored(tmp_path: Path) -> None:
    raw = prepared(sun397, tmp_path / "raw")
    out = materialise(sun397.convert(raw), SPLITS)
    # 12 train-list images (+1 ignored) → 9 train + 3 dev; 3 validation; 3 test.
    assert [len(out[s]) for s in SPLITS] == [9, 3, 3, 3]
    names = [e.name for s in SPLITS for e in out[s]]
    assert not any("sun_bhenjvsvrtumjuri" in n for n in names)
    for split in SPLITS:
        for example in out[split]:
            category = example.name.removeprefix("SUN397").rsplit("/", 1)[0]
            assert sun397.CLASS_NAMES[example.label] == category
    assert sun397.CLASS_NAMES.index("/c/car_interior/backseat") == sun397.CLASS_NAMES.index(
        "/c/car_interior/frontseat") - 1


def test_sun397_missing_list_or_image_raises(tmp_path: Path) -> None:
    raw = prepared(sun397, tmp_path / "raw")
    with (raw / "sun397_tfds_te.txt").open("a") as handle:
        handle.write("/a/abbey/sun_missing.jpg\n")
    with pytest.raises(LayoutError, match="sun_missing.jpg"):
        sun397.convert(raw)
    (raw / "sun397_tfds_va.txt").unlink()
    with pytest.raises(LayoutError, match="sun397_tfds_va.txt"):
        sun397.convert(raw)
