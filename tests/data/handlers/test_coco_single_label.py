"""MS-COCO 2017 single-label object crops: data/handlers/coco_single_label.py on fixtures in the
real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from handler_fixtures import converted, prepared

from nevisbench.data.handlers import coco_single_label
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import Crop
from nevisbench.data.store import decode_image


def test_coco_crop_box_rounds_like_pil() -> None:
    assert coco_single_label.crop_box([20.4, 10.6, 30.0, 16.0]) == (20, 11, 50, 27)
    assert coco_single_label.crop_box([0.5, 1.5, 16, 16]) == (0, 2, 16, 18)  # round half to even


def test_coco_keeps_boxes_of_16_px_and_labels_category_minus_one(tmp_path: Path) -> None:
    raw = prepared("coco_single_label", tmp_path / "raw")
    out = converted("coco_single_label", raw)
    # Two boxes per image, one 15.9 px wide (dropped): 30 train images, 4 val images.
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 30
    assert [e.label for e in out["test"]] == [6, 0, 89, 17]
    assert all(e.name.startswith("val2017/") for e in out["test"])
    crop = out["test"][0].image
    assert isinstance(crop, Crop) and crop.box == (20, 11, 50, 27)
    # The 40×30 image clips the box's right edge: 20 px wide, 16 px high.
    assert decode_image(crop, 3).shape == (16, 20, 3)


def test_coco_unknown_category_name_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("coco_single_label", tmp_path / "raw")
    path = raw / "annotations_trainval2017.zip"
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["annotations/instances_val2017.json"] = members["annotations/instances_val2017.json"].replace(
        b'"name": "person"', b'"name": "human"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(LayoutError, match="human"):
        coco_single_label.convert(raw)
