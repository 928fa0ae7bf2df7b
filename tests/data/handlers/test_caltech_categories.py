"""Caltech cars and motorbikes (Caltech categories): data/handlers/caltech_categories.py on fixtures
in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared, prepared_and_converted
from handler_fixtures import tar_member_name as _member

from nevisbench.data.handlers import caltech_categories
from nevisbench.data.handlers._layout import LayoutError


def test_caltech_categories_merge_cars_and_skip_non_images(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("caltech_categories", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    counts = {name: 0 for name in caltech_categories.CLASS_NAMES}
    for example in examples:
        counts[caltech_categories.CLASS_NAMES[example.label]] += 1
        assert _member(example).startswith("image_")  # README and *.mat skipped
        archive = example.name.split(":")[0]
        assert (archive == "motorbikes_side.tar") == (example.label == 1)
    assert counts == {"car": 5 + 7, "motorcycle": 9}


def test_caltech_categories_missing_inner_tar_is_a_layout_error(tmp_path: Path) -> None:
    prepared("caltech_categories", tmp_path)
    (tmp_path / "extracted" / "Cars_1999.zip" / "Cars_1999" / "cars_markus.tar").unlink()
    with pytest.raises(LayoutError, match=r"cars_markus\.tar.*Cars_1999\.zip"):
        converted("caltech_categories", tmp_path)
