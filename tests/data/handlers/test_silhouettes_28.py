"""Caltech 101 Silhouettes (28×28): data/handlers/silhouettes_28.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import converted, prepared

from nevisbench.data.handlers import silhouettes_28
from nevisbench.data.handlers._layout import LayoutError


def test_silhouettes_official_split_and_images(tmp_path: Path) -> None:
    raw = prepared("silhouettes_28", tmp_path / "raw")
    out = converted("silhouettes_28", raw)
    mat = scipy.io.loadmat(raw / silhouettes_28._SPLIT)
    assert len(out["train"]) + len(out["dev"]) == 20
    assert [e.label for e in out["dev_test"]] == (mat["val_labels"].ravel() - 1).tolist()
    assert [e.label for e in out["test"]] == (mat["test_labels"].ravel() - 1).tolist()
    first = out["test"][0].image
    assert first.dtype == np.uint8 and first.shape == (28, 28)
    np.testing.assert_array_equal(first, mat["test_data"][0].reshape(28, 28) * 255)


def test_silhouettes_checks_class_names(tmp_path: Path) -> None:
    raw = prepared("silhouettes_28", tmp_path / "raw")
    scipy.io.savemat(raw / silhouettes_28._ALL, {"X": np.zeros((1, 784))})
    with pytest.raises(LayoutError, match="classnames"):
        silhouettes_28.convert(raw)
