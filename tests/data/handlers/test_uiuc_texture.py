"""UIUC texture database: data/handlers/uiuc_texture.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import prepared

from nevisbench.data.handlers import uiuc_texture
from nevisbench.data.handlers._layout import LayoutError


def test_uiuc_labels_are_sorted_folder_indices(tmp_path: Path) -> None:
    raw = prepared("uiuc_texture", tmp_path / "raw")
    examples = uiuc_texture.examples(raw)
    assert len(examples) == 50
    for example in examples:
        folder = example.name.split("/")[1]
        assert uiuc_texture.CLASS_NAMES[example.label] == folder
        assert example.label == int(folder[1:3]) - 1
    assert list(uiuc_texture.CLASS_NAMES) == sorted(uiuc_texture.CLASS_NAMES)


def test_uiuc_missing_archive_names_it(tmp_path: Path) -> None:
    raw = prepared("uiuc_texture", tmp_path / "raw")
    import shutil

    shutil.rmtree(raw / "extracted" / "T16-T20.zip")
    with pytest.raises(LayoutError, match="T16-T20.zip"):
        uiuc_texture.convert(raw)
