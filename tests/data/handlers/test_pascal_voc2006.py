"""PASCAL VOC 2006 (single-label): data/handlers/pascal_voc2006.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import pascal_voc2006
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_voc2006_last_positive_list_in_the_tar_wins_and_unlabelled_images_go(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    splits = converted("pascal_voc2006", raw, SPLITS)
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    by_id = {Path(e.name).stem: e.label for e in pool}
    # 000021 is positive for person and car; the fixture stores person's list first, so car wins.
    assert by_id["000021"] == pascal_voc2006.CLASS_NAMES.index("car")
    assert "000022" not in by_id  # positive for no class (difficult for all)
    for k in range(1, 21):
        assert by_id[f"{k:06d}"] == k % 10
    assert sorted(Path(e.name).stem for e in splits["test"]) == [f"{k:06d}" for k in range(101, 111)]


def test_voc2006_examples_follow_the_tar_member_order(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    test = converted("pascal_voc2006", raw, SPLITS)["test"]
    ids = [Path(e.name).stem for e in test]
    assert ids == sorted(ids, reverse=True)  # the fixture stores images in reverse order


def test_voc2006_line_parsing_needs_the_two_space_positive_flag() -> None:
    lists = [("cat", b"000001 -1\n000002  1\n000003  0\n000004  1"), ("dog", b"000003  1\n")]
    labels = pascal_voc2006.image_labels(lists)
    # The last line has no newline: the reference's " 1\n" test does not count it.
    assert labels == {"000002.png": 3, "000003.png": 5}


def test_voc2006_missing_class_list_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    (extracted_dir(raw, pascal_voc2006.TEST) / "VOCdevkit/VOC2006/ImageSets/sheep_test.txt").unlink()
    with pytest.raises(LayoutError, match="sheep_test.txt"):
        pascal_voc2006.convert(raw)
