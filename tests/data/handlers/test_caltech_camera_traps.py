"""Caltech Camera Traps (ECCV 2018): data/handlers/caltech_camera_traps.py on fixtures in the real
raw layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from handler_fixtures import prepared_and_converted
from handler_fixtures import unpacked_and_converted as _convert

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import write_tar
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset


def test_caltech_camera_traps_splits_by_annotation_file(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("caltech_camera_traps", tmp_path / "raw")
    assert len(out["train"]) + len(out["dev"]) == 24
    assert len(out["dev_test"]) == 6 and len(out["test"]) == 6
    # The fixture labels set k's image j as class (3k + j) % 16.
    assert [e.label for e in out["dev_test"]] == [(3 + j) % 16 for j in range(6)]


def test_caltech_camera_traps_missing_annotation_file_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    get_dataset("caltech_camera_traps").make_fixture(raw)
    members = read_members(raw / "eccv_18_annotations.tar.gz", "caltech_camera_traps")
    del members["eccv_18_annotation_files/trans_test_annotations.json"]
    write_tar(raw / "eccv_18_annotations.tar.gz", members)
    with pytest.raises(LayoutError, match="trans_test_annotations.json"):
        _convert("caltech_camera_traps", raw)


def test_caltech_camera_traps_last_annotation_wins_and_unknown_class_fails() -> None:
    from nevisbench.data.handlers.caltech_camera_traps import parse_annotations

    coco = {
        "categories": [{"id": 1, "name": "deer"}, {"id": 2, "name": "fox"}],
        "annotations": [{"image_id": "a", "category_id": 1}, {"image_id": "a", "category_id": 2}],
    }
    assert parse_annotations(json.dumps(coco).encode(), "x") == {"a": 15}
    coco["categories"][0]["name"] = "unicorn"
    with pytest.raises(LayoutError, match="unicorn"):
        parse_annotations(json.dumps(coco).encode(), "x")
