"""8 Scene Categories (spatial envelope): data/handlers/scenes8.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, everything, prepared

from nevisbench.data.handlers import scenes8
from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_scenes8_labels_come_from_the_file_name_prefix(tmp_path: Path) -> None:
    raw = prepared("scenes8", tmp_path / "raw")
    examples = everything(converted("scenes8", raw, SPLITS))
    assert len(examples) == 32
    for example in examples:
        prefix = Path(example.name).name.split("_")[0]
        assert scenes8.CLASS_NAMES[example.label] == prefix
    assert scenes8.CLASS_NAMES.index("coast") == 7  # the reference's order, not alphabetical


def test_scenes8_unknown_class_prefix_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("scenes8", tmp_path / "raw")
    root = extracted_dir(raw, scenes8._FILE) / scenes8._FOLDER
    (root / "beach_x1.jpg").write_bytes(encode_image(fixture_image(1), "JPEG"))
    with pytest.raises(LayoutError, match="beach_x1.jpg"):
        scenes8.convert(raw)
