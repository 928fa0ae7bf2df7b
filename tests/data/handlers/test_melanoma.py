"""ISIC 2017 melanoma classification: data/handlers/melanoma.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import melanoma


def test_melanoma_labels_and_seeded_train_dev_cut(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("melanoma", tmp_path / "raw")
    sizes = [len(out[split]) for split in SPLITS]
    assert sizes == [16, 4, 5, 5]
    assert all(not e.name.endswith("superpixels.png") for s in SPLITS for e in out[s])
    labels = {Path(e.name).stem: e.label for s in SPLITS for e in out[s]}
    assert [labels[f"ISIC_{k:07d}"] for k in range(6)] == [0, 1, 2, 0, 1, 2]
    # The cut is a numpy default_rng(1) permutation of the CSV rows.
    pairs = [(f"p{k}", k % 3) for k in range(10)]
    order = np.random.default_rng(1).permutation(len(pairs))
    assert melanoma.train_dev_paths(pairs)[0] == {f"p{k}" for k in order[:8]}
    with pytest.raises(ValueError, match="two classes"):
        melanoma.parse_ground_truth("id,m,s\nISIC_1,1.0,1.0\n", "x", "gt.csv")
