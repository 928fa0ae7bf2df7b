"""Colorectal histology MNIST (PathMNIST source): data/handlers/path_mnist.py on fixtures in the
real raw layout."""

from __future__ import annotations

import numpy as np
import pytest

from nevisbench.data.handlers import path_mnist
from nevisbench.data.handlers._layout import LayoutError


def test_path_mnist_rebuilds_images_from_the_csv_columns() -> None:
    images = np.stack(
        [np.arange(28 * 28 * 3, dtype=np.int64).reshape(28, 28, 3) % 256 for _ in range(2)]
    )
    images[1] = 255 - images[1]
    parsed, labels = path_mnist.parse_csv(
        path_mnist.fixture_csv(images.astype(np.uint8), np.array([1, 8]))
    )
    np.testing.assert_array_equal(parsed, images)
    assert labels.tolist() == [0, 7]
    # pixel0001 is the green value of the top-left pixel.
    assert parsed[0, 0, 0, 1] == 1 and parsed[0, 0, 1, 0] == 3


def test_path_mnist_missing_label_column_is_a_layout_error() -> None:
    header = ",".join(f'"pixel{i:04d}"' for i in range(28 * 28 * 3))
    with pytest.raises(LayoutError, match="label"):
        path_mnist.parse_csv((header + "\n" + ",".join(["0"] * (28 * 28 * 3)) + "\n").encode())
