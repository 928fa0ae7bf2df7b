"""Flickr Material Database (FMD): data/handlers/flickr_material_database.py on fixtures in the real
raw layout."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from handler_fixtures import SPLITS, converted, everything, prepared


def test_fmd_reads_only_the_image_folder(tmp_path: Path) -> None:
    raw = prepared("flickr_material_database", tmp_path / "raw")
    examples = everything(converted("flickr_material_database", raw, SPLITS))
    assert len(examples) == 30
    assert all(e.name.startswith("image/") for e in examples)
    assert Counter(e.label for e in examples) == Counter({k: 3 for k in range(10)})
