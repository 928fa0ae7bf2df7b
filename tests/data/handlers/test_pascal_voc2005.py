"""PASCAL VOC 2005: data/handlers/pascal_voc2005.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import converted, prepared, prepared_and_converted, rewrite_tar
from handler_fixtures import tar_member_name as _member

from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset


def test_voc2005_pools_and_labels(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("pascal_voc2005", tmp_path)
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 6 * 4 and len(splits["test"]) == 12
    assert all(_member(e).startswith("VOC2005_1/PNGImages/") for e in pool)
    assert all(_member(e).startswith("VOC2005_2/PNGImages/") for e in splits["test"])
    folder_class = {
        "velo": "bike",
        "voiture": "car",
        "pieton": "person",
        "motocyclette": "motorbike",
    }
    folder_class |= {"TUGraz_bike": "bike", "Caltech_motorbikes_side": "motorbike"}
    for example in pool + splits["test"]:
        folder = _member(example).split("/")[2]
        if folder in folder_class:
            assert get_dataset("pascal_voc2005").class_names[example.label] == folder_class[folder]


def test_voc2005_empty_folder_is_a_layout_error(tmp_path: Path) -> None:
    prepared("pascal_voc2005", tmp_path)
    rewrite_tar(tmp_path / "voc2005_2.tar.gz", {"VOC2005_2/PNGImages/velo/velo_001.png": None})
    with pytest.raises(LayoutError, match="PNGImages/velo"):
        converted("pascal_voc2005", tmp_path)
