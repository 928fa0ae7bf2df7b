"""VisTex (Vision Texture, reference textures): data/handlers/vistex.py on fixtures in the real raw
layout."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, everything, needs_lzw, prepared
from PIL import Image

from nevisbench.data.handlers import vistex
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


@needs_lzw
def test_vistex_follows_reference_links_across_parts(tmp_path: Path) -> None:
    raw = prepared("vistex", tmp_path / "raw")
    examples = everything(converted("vistex", raw, SPLITS))
    assert len(examples) == 36  # the scene link is not a reference texture
    assert all(e.name.startswith("VisTex/Images/Reference/") for e in examples)
    for example in examples:
        assert vistex.CLASS_NAMES[example.label] == example.name.split("/")[3]
        # The bytes are the 512×512 file the link points to (12×12 in the fixture), not the 128 one.
        assert Image.open(io.BytesIO(example.image)).size == (12, 12)


@needs_lzw
def test_vistex_broken_link_is_a_layout_error(tmp_path: Path) -> None:
    import ncompress

    raw = prepared("vistex", tmp_path / "raw")
    part_b = extracted_dir(raw, "VisTex.tar.gz") / "VisionTexture/vistex1.0a.B.tar.Z"
    files, links, flat = vistex.fixture_layout()
    flat.pop("VisTex/FLAT/512x512/Bark.0000.ppm")
    part_b.write_bytes(ncompress.compress(vistex._tar_bytes(flat, {})))
    with pytest.raises(LayoutError, match="Bark.0000.ppm"):
        vistex.convert(raw)
