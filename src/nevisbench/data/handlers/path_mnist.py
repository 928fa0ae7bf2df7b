"""Colorectal histology MNIST (Kather et al.): 5,000 28×28 RGB tissue tiles in 8 classes, from a CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import fixture_image, write_zip
from nevisbench.data.handlers._layout import kaggle_zip, layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "path_mnist"
_KAGGLE = "kmader/colorectal-histology-mnist"
_FILE = kaggle_zip(_KAGGLE)
_CSV = "hmnist_28_28_RGB.csv"
_SIDE = 28
_PIXELS = _SIDE * _SIDE * 3

# The CSV numbers the classes 1..8 in the order of Kather et al.'s folders 01_TUMOR … 08_EMPTY.
CLASS_NAMES = ("tumor", "stroma", "complex", "lympho", "debris", "mucosa", "adipose", "empty")


def parse_csv(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``N×28×28×3`` uint8 images and ``N`` labels (0-based) of the hmnist RGB CSV, in row order."""
    text = data.decode("utf-8")
    first, _, body = text.partition("\n")
    header = [name.strip() for name in next(csv.reader([first]), [])]
    columns = {name: position for position, name in enumerate(header)}
    wanted = [f"pixel{i:04d}" for i in range(_PIXELS)] + ["label"]
    missing = [name for name in wanted if name not in columns]
    if missing:
        raise layout_error(DATASET, _FILE, f"column(s) {', '.join(missing[:3])} of {_CSV}")
    order = np.array([columns[name] for name in wanted])
    try:
        table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as error:
        raise ValueError(
            f"dataset {DATASET}: {_CSV} is not a table of integers ({error})"
        ) from None
    if table.size == 0:
        table = table.reshape(0, len(header))
    if table.shape[1] != len(header):
        raise ValueError(
            f"dataset {DATASET}: {_CSV} rows have {table.shape[1]} fields, not {len(header)}"
        )
    values = table[:, order]
    if values[:, :-1].min(initial=0) < 0 or values[:, :-1].max(initial=0) > 255:
        raise ValueError(f"dataset {DATASET}: {_CSV} has pixel values outside 0..255")
    labels = values[:, -1] - 1
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise ValueError(f"dataset {DATASET}: {_CSV} has labels outside 1..{len(CLASS_NAMES)}")
    # pixel0000, pixel0001, … fill the image as (row, column, channel), channel fastest.
    images = values[:, :-1].reshape(-1, _SIDE, _SIDE, 3).astype(np.uint8)
    return images, labels


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    data = read_members(raw_dir / _FILE, DATASET, [_CSV])[_CSV]
    images, labels = parse_csv(data)
    examples = [
        Example(images[i], int(labels[i]), f"{_CSV} row {i + 1}") for i in range(len(labels))
    ]
    return random_split(examples, FRACTIONS_ALL_DATA)


def fixture_csv(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The hmnist CSV of ``images`` (N×28×28×3) and 1-based ``labels``."""
    header = ",".join(f'"pixel{i:04d}"' for i in range(_PIXELS)) + ',"label"'
    lines = [header]
    for image, label in zip(images, labels, strict=True):
        lines.append(",".join(str(int(v)) for v in image.reshape(-1)) + f",{int(label)}")
    return ("\n".join(lines) + "\n").encode()


def make_fixture(raw_dir: Path) -> None:
    count = 32
    images = np.stack([fixture_image(700 + k, _SIDE, _SIDE, 3) for k in range(count)])
    labels = np.arange(count) % len(CLASS_NAMES) + 1
    write_zip(
        raw_dir / _FILE,
        {
            _CSV: fixture_csv(images, labels),
            "hmnist_8_8_L.csv": b'"pixel0000","label"\n0,1\n',
            "Kather_texture_2016_image_tiles_5000/01_TUMOR/x.tif": b"not read",
        },
    )


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Colorectal histology MNIST (PathMNIST source)",
        num_classes=8,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/kmader/colorectal-histology-mnist",
        paper_title="Multi-class texture analysis in colorectal cancer histology "
        "(Kather et al., Scientific Reports 2016)",
        paper_url="https://doi.org/10.1038/srep27988",
        license="CC BY 4.0 (Kather et al.'s Zenodo release of the tiles)",
        artefacts=(
            Artefact(_FILE, "kaggle_dataset", _KAGGLE, md5="e03501016bd54719567dfb954fe982fe"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each row of hmnist_28_28_RGB.csv drawn train .56 / dev .12 / dev_test "
        ".12 / test .20 (RandomState(0), CSV row order)",
        notes="Images are rebuilt from the CSV's pixel0000… columns as 28×28×3 (channel fastest), as the "
        "reference does; label = the CSV's label − 1. Class names follow Kather et al.'s folders "
        "(01_TUMOR … 08_EMPTY); the reference names none.",
    )
)
