"""UMD high-resolution texture database: data/handlers/umd.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import prepared

from nevisbench.data.handlers import umd
from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split


def test_umd_label_is_folder_number_minus_one(tmp_path: Path) -> None:
    raw = prepared("umd", tmp_path / "raw")
    examples = umd.examples(raw)
    assert len(examples) == 25 * 2  # Thumbs.db left out
    for example in examples:
        assert example.label == int(example.name.split("/")[-2]) - 1
    # textures-1 is read before textures-2, each in sorted member order.
    assert [e.name.split("/")[0] for e in examples] == ["textures-1.zip"] * 24 + [
        "textures-2.zip"
    ] * 26
    assert umd.convert(raw)["test"] == random_split(examples, FRACTIONS_ALL_DATA)["test"]


def test_umd_refuses_a_non_numeric_folder(tmp_path: Path) -> None:
    raw = prepared("umd", tmp_path / "raw")
    stray = raw / "extracted" / "textures-2.zip" / "textures-2" / "extra" / "x.png"
    stray.parent.mkdir()
    stray.write_bytes(encode_image(fixture_image(0, channels=1)))
    with pytest.raises(LayoutError, match="extra/x.png"):
        umd.convert(raw)
