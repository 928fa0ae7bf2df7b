"""MIT Indoor Scenes (Indoor-67): data/handlers/mit_scenes.py on fixtures in the real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from handler_fixtures import materialise, prepared, rewrite_zip

from nevisbench.data.handlers import mit_scenes
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import random_split


def test_mit_scenes_official_lists(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    splits = materialise(mit_scenes.convert(raw))
    assert [e.name for e in splits["test"]] == [
        f"indoorCVPR_09/Images/{c}/img_{k}3.jpg"
        for k, c in enumerate(
            ("office", "stairscase", "church_inside", "airport_inside", "computerroom")
        )
    ]
    pool = mit_scenes.parse_list(
        zipfile.ZipFile(raw / mit_scenes.ARCHIVE).read(mit_scenes.TRAIN_LIST), "TrainImages.txt"
    )
    expected = random_split(
        [name for name, _ in pool], {"train": 0.7, "dev": 0.15, "dev_test": 0.15}
    )
    for split, names in expected.items():
        assert [e.name for e in splits[split]] == names
    for example in splits["test"]:
        assert mit_scenes.CLASS_NAMES[example.label] == example.name.split("/")[2]
    assert mit_scenes.CLASS_NAMES.index("stairscase") == 2


def test_mit_scenes_missing_listed_image_is_named(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    rewrite_zip(raw / mit_scenes.ARCHIVE, {"indoorCVPR_09/Images/office/img_01.jpg": None})
    with pytest.raises(LayoutError, match="office/img_01.jpg"):
        mit_scenes.convert(raw)


def test_mit_scenes_unknown_category_is_refused(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    rewrite_zip(raw / mit_scenes.ARCHIVE, {mit_scenes.TEST_LIST: b"spaceship/x.jpg"})
    with pytest.raises(LayoutError, match="spaceship"):
        mit_scenes.convert(raw)
