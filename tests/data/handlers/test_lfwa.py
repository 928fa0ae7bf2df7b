"""LFW-a (aligned Labeled Faces in the Wild): data/handlers/lfwa.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import lfwa
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_lfwa_split_per_person() -> None:
    images = [Path(f"{k}.jpg") for k in range(7)]
    parts = lfwa.split_person(images)
    assert [[p.stem for p in parts[s]] for s in SPLITS] == [["0", "1", "2"], ["3"], ["4"], ["5", "6"]]


def test_lfwa_keeps_people_with_five_images(tmp_path: Path) -> None:
    raw = prepared("lfwa", tmp_path / "raw")
    out = converted("lfwa", raw)
    assert [len(out[s]) for s in SPLITS] == [1 + 3, 2, 2, 4]
    labels = {e.label for s in SPLITS for e in out[s]}
    assert labels == {lfwa.CLASS_NAMES.index("Abdullah_Gul"), lfwa.CLASS_NAMES.index("Zhu_Rongji")}
    assert [Path(e.name).name for e in out["test"]][:2] == ["Abdullah_Gul_0004.jpg", "Abdullah_Gul_0005.jpg"]


def test_lfwa_unknown_person_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("lfwa", tmp_path / "raw")
    folder = extracted_dir(raw, "lfwa.zip") / "lfw2" / "Nobody_Known"
    (folder / "Nobody_Known_0005.jpg").write_bytes((folder / "Nobody_Known_0001.jpg").read_bytes())
    with pytest.raises(LayoutError, match="Nobody_Known"):
        lfwa.convert(raw)
