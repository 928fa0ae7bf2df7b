"""ANIMAL shape dataset: data/handlers/animal.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import animal
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_animal_matches_folders_loosely_and_rejects_unknown(tmp_path: Path) -> None:
    raw = prepared("animal", tmp_path / "raw")
    out = converted("animal", raw)
    labels = {e.name.split(":")[1].split("/")[1]: e.label for s in SPLITS for e in out[s]}
    assert labels == {"bird": 0, "butterfly": 1, "cat": 2, "Flying_Bird": 11, "dolphine": 7, "hen": 12}
    assert sum(len(out[s]) for s in SPLITS) == 48  # Thumbs.db is not an image
    assert animal.label_of("flying bird", "x.zip") == 11
    root = extracted_dir(raw, "non_rigid_shape_B.zip")
    (root / "non_rigid_shape_B" / "unicorn").mkdir()
    (root / "non_rigid_shape_B" / "hen" / "hen1.tif").rename(root / "non_rigid_shape_B" / "unicorn" / "u1.tif")
    with pytest.raises(LayoutError, match="unicorn"):
        animal.convert(raw)
