"""NIH Chest X-ray (ChestX-ray14): data/handlers/nih_chest_xray.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import nih_chest_xray
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir


def test_nih_multi_labels_and_official_lists(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(nih_chest_xray, tmp_path / "raw")
    root = extracted_dir(raw, nih_chest_xray._FILE)
    labels = nih_chest_xray.parse_labels((root / "Data_Entry_2017.csv").read_bytes())
    test_names = set((root / "test_list.txt").read_text().split())
    for split in SPLITS:
        for example in out[split]:
            name = Path(example.name).name
            assert example.label == labels[name]
            assert (name in test_names) == (split == "test")
    assert labels["00000001_000.png"] == [14]  # No Finding
    assert len(labels["00000001_002.png"]) == 2
    assert sum(len(out[s]) for s in SPLITS) == 40


def test_nih_missing_label_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    nih_chest_xray.make_fixture(raw)
    unpack_artefacts(nih_chest_xray.SPEC, raw)
    (extracted_dir(raw, nih_chest_xray._FILE) / "Data_Entry_2017.csv").unlink()
    with pytest.raises(LayoutError, match="Data_Entry_2017.csv"):
        nih_chest_xray.convert(raw)
