"""SVHN (cropped digits): data/handlers/svhn_cropped.py on fixtures in the real raw layout; its
TFDS-A split is tested in test__tfds_digits.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import TFDS_PINNED_ORDER as PINNED_ORDER
from handler_fixtures import converted, prepared

from nevisbench.data.handlers import svhn_cropped


def test_svhn_label_10_is_digit_0(tmp_path: Path) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    content = scipy.io.loadmat(raw / "test_32x32.mat")
    assert content["X"].shape == (32, 32, 3, 10) and content["X"].dtype == np.uint8
    assert content["y"].shape == (10, 1) and 10 in content["y"]
    splits = converted(svhn_cropped, raw)
    raw_labels = content["y"][:, 0].astype(int).tolist()
    order = PINNED_ORDER[("test", 10)]
    assert [e.label for e in splits["test"]] == [0 if raw_labels[i] == 10 else raw_labels[i] for i in order]
    # The image of an example is the file's X[..., i], not a reshaped mix of several.
    for position, index in enumerate(order):
        np.testing.assert_array_equal(splits["test"][position].image, content["X"][:, :, :, index])


@pytest.mark.parametrize("filename", ["train_32x32.mat", "test_32x32.mat"])
@pytest.mark.parametrize("cut", [0.1, 0.5, 0.95])
def test_svhn_truncated_file_is_refused_naming_it(
    filename: str, cut: float, tmp_path: Path
) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    data = (raw / filename).read_bytes()
    (raw / filename).write_bytes(data[: int(cut * len(data))])
    with pytest.raises(ValueError, match=filename.replace(".", r"\.") + ": "):
        svhn_cropped.convert(raw)


def test_svhn_bad_labels_are_refused(tmp_path: Path) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    content = scipy.io.loadmat(raw / "train_32x32.mat")
    labels = content["y"].copy()
    labels[0, 0] = 11
    scipy.io.savemat(raw / "train_32x32.mat", {"X": content["X"], "y": labels})
    with pytest.raises(ValueError, match=r"train_32x32\.mat: labels outside 1\.\.10"):
        svhn_cropped.convert(raw)
