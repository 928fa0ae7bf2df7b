"""Office-Caltech-10: data/handlers/office_caltech_10.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted
from handler_fixtures import names_in as _names


def test_office_caltech_10_trains_on_office_and_tests_on_caltech(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("office_caltech_10", tmp_path / "raw")
    assert len(_names(out, "train", "dev")) == 30 and len(_names(out, "dev_test", "test")) == 20
    assert all(n.split("/")[1] == "images" for n in _names(out, "train", "dev"))
    assert all(n.startswith("256_ObjectCategories/") for n in _names(out, "dev_test", "test"))
    labels = {e.name: e.label for s in SPLITS for e in out[s]}
    assert labels["256_ObjectCategories/004.touring-bike/004_0002.jpg"] == 1
    assert labels["amazon/images/back_pack/frame_0001.jpg"] == 0
    assert not any("ruler" in n or "clutter" in n for n in labels)
