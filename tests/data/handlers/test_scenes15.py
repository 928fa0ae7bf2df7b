"""15 Scene Categories: data/handlers/scenes15.py on fixtures in the real raw layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, everything, prepared

from nevisbench.data.handlers import scenes15
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_scenes15_labels_are_folders_in_reference_order(tmp_path: Path) -> None:
    raw = prepared("scenes15", tmp_path / "raw")
    examples = everything(converted("scenes15", raw, SPLITS))
    assert len(examples) == 30
    for example in examples:
        assert scenes15.CLASS_NAMES[example.label] == example.name.split("/")[0]
    assert scenes15.CLASS_NAMES[8] == "bedroom"


def test_missing_extracted_archive_names_the_artefact(tmp_path: Path) -> None:
    raw = prepared("scenes15", tmp_path / "raw")
    shutil.rmtree(extracted_dir(raw, scenes15._FILE))
    with pytest.raises(LayoutError, match="scene_categories.zip"):
        scenes15.convert(raw)
