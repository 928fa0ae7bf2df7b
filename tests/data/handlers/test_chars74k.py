"""Chars74K (English): data/handlers/chars74k.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import chars74k


def test_chars74k_labels_and_test_lists(tmp_path: Path) -> None:
    assert chars74k.label_of("GoodImg/Bmp/Sample012/img012-00001.png") == 11
    assert chars74k.CLASS_NAMES[11] == "B" and chars74k.CLASS_NAMES[61] == "z"
    raw = prepared("chars74k", tmp_path / "raw")
    tests = chars74k.test_names(raw)
    assert tests["Hnd"] == {"Img/Sample001/img001-002", "Img/Sample012/img012-001", "Img/Sample062/img062-003"}
    assert chars74k._is_test("Img/Sample001/img001-002.png", tests["Hnd"])
    assert not chars74k._is_test("Img/Sample001/img001-001.png", tests["Hnd"])


def test_chars74k_drops_duplicates_and_masks(tmp_path: Path) -> None:
    raw = prepared("chars74k", tmp_path / "raw")
    out = converted("chars74k", raw)
    names = [e.name for s in SPLITS for e in out[s]]
    # 3 categories × 12 images; each category's copy of its first image (k = 99) is dropped, as are
    # the Img masks and Hnd trajectories.
    assert len(names) == 36 and len(set(names)) == 36
    assert not any("-00099" in n or "-099" in n or "/Msk/" in n for n in names)
