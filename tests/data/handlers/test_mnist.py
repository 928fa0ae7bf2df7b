"""MNIST: data/handlers/mnist.py on fixtures in the real raw layout; its TFDS-A split is tested in
test__tfds_digits.py."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import TFDS_PINNED_ORDER as PINNED_ORDER
from handler_fixtures import converted, example_index, prepared

from nevisbench.data.handlers import mnist


def test_mnist_reuses_the_fashion_mnist_parser(tmp_path: Path) -> None:
    raw = prepared(mnist, tmp_path / "raw")
    assert sorted(p.name for p in raw.iterdir()) == sorted(mnist.KNOWN_MD5S)
    with gzip.open(raw / "train-labels-idx1-ubyte.gz", "rb") as handle:
        labels = np.frombuffer(handle.read(), dtype=np.uint8, offset=8)
    splits = converted(mnist, raw)
    assert [e.label for e in splits["train"]] == [labels[example_index(e)] for e in splits["train"]]
    assert [example_index(e) for e in splits["train"]] == PINNED_ORDER[("train", 20)][:14]


@pytest.mark.parametrize("filename", ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
def test_mnist_truncated_file_is_refused_naming_it(filename: str, tmp_path: Path) -> None:
    raw = prepared(mnist, tmp_path / "raw")
    data = (raw / filename).read_bytes()
    (raw / filename).write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ValueError, match=filename.replace(".", r"\.") + ": not a complete gzip file"
    ):
        mnist.convert(raw)
