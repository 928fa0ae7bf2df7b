"""Semeion handwritten digits: data/handlers/semeion.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handler_fixtures import SPLITS, prepared_and_converted


def test_semeion_one_hot_label_and_binary_pixels(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("semeion", tmp_path / "raw")
    examples = sorted((e for s in SPLITS for e in out[s]), key=lambda e: int(e.name.split(":")[1]))
    assert [e.label for e in examples] == [k % 10 for k in range(40)]
    assert set(np.unique(examples[0].image)) <= {0, 255}
