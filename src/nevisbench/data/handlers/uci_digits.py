"""UCI optical recognition of handwritten digits (8×8), as scikit-learn ships it."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "digits.csv.gz"


def _read(raw_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    # 1797 rows of 64 pixel counts (0..16, a 4×4 block count of a 32×32 bitmap) and the digit.
    with gzip.open(raw_dir / _FILE, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != 65:
        raise ValueError(f"{raw_dir / _FILE}: expected 65 columns, found {table.shape[1]}")
    pixels = (table[:, :64] * 255 // 16).astype(np.uint8).reshape(-1, 8, 8)
    return pixels, table[:, 64]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    pixels, labels = _read(raw_dir)
    examples = [Example(image, int(label), f"row {i}") for i, (image, label) in enumerate(zip(pixels, labels, strict=True))]
    # No official split: the reference's all-data rule (R4) over the file's row order.
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(0)
    rows = 60
    labels = np.arange(rows) % 10
    pixels = rng.integers(0, 17, size=(rows, 64))
    raw_dir.mkdir(parents=True, exist_ok=True)
    with gzip.open(raw_dir / _FILE, "wt") as handle:
        np.savetxt(handle, np.column_stack([pixels, labels]), fmt="%d", delimiter=",")


SPEC = register_dataset(
    DatasetSpec(
        id="uci_digits",
        title="UCI optical recognition of handwritten digits",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=tuple(str(d) for d in range(10)),
        homepage="https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
        paper_title="Methods of combining multiple classifiers and their applications to handwritten "
        "digit recognition (Kaynak, 1995); Alpaydin & Kaynak, Cascading classifiers (1998)",
        paper_url="https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
        license="CC BY 4.0 (UCI Machine Learning Repository)",
        artefacts=(Artefact(_FILE, "package", "scikit-learn:sklearn/datasets/data/digits.csv.gz"),),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each example drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0), file order)",
    )
)
