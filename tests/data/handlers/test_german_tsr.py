"""German Traffic Sign Recognition Benchmark (GTSRB): data/handlers/german_tsr.py on fixtures in the
real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import german_tsr
from nevisbench.data.handlers._layout import LayoutError


def test_gtsrb_test_labels_come_from_the_csv(tmp_path: Path) -> None:
    raw = prepared("german_tsr", tmp_path / "raw")
    splits = converted("german_tsr", raw, SPLITS)
    assert {Path(e.name).name: e.label for e in splits["test"]} == {
        "00000.ppm": 3, "00001.ppm": 14, "00002.ppm": 42, "00003.ppm": 0,
    }  # fmt: skip
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(pool) == 12 and {e.label for e in pool} == {0, 14, 42}


def test_gtsrb_test_image_without_label_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("german_tsr", tmp_path / "raw")
    with zipfile.ZipFile(raw / german_tsr.TEST_LABELS, "w") as archive:
        archive.writestr(german_tsr.LABEL_FILE, "Filename;ClassId\n00000.ppm;3\n")
    with pytest.raises(LayoutError, match="00001.ppm"):
        german_tsr.convert(raw)
