"""Statlog (Landsat Satellite): 3×3-pixel multispectral patches labelled with the centre pixel's soil type."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "landsat"
_TRAIN = "sat.trn"
_TEST = "sat.tst"
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/statlog/satimage/"
_SIDE = 3
_BANDS = 4  # two visible, two near-infrared; the last is dropped to make an RGB-like patch

# Labels 1..7 of the files, minus one. Class 6 ("mixture class") has no example in the data.
CLASS_NAMES = (
    "red soil", "cotton crop", "grey soil", "damp grey soil", "soil with vegetation stubble",
    "mixture class", "very damp grey soil",
)  # fmt: skip


def read_patches(path: Path) -> list[Example]:
    """Rows of 36 values (3×3 pixels × 4 bands, pixel by pixel in row-major order, bands
    innermost) and a label 1..7; each becomes a 3×3×3 uint8 patch of the first three bands."""
    if not path.is_file():
        raise layout_error(DATASET, path.name, path.name)
    examples = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = [int(float(field)) for field in line.split()]
        except ValueError:
            raise ValueError(
                f"dataset {DATASET}: {path.name} line {number} is not numeric"
            ) from None
        if len(values) != _SIDE * _SIDE * _BANDS + 1:
            raise ValueError(
                f"dataset {DATASET}: {path.name} line {number} has {len(values)} values, not 37"
            )
        label = values[-1] - 1
        if not 0 <= label < len(CLASS_NAMES):
            raise ValueError(f"dataset {DATASET}: {path.name} line {number}: label {values[-1]}")
        patch = np.asarray(values[:-1], dtype=np.int64).reshape(_SIDE, _SIDE, _BANDS)[:, :, :3]
        if patch.min() < 0 or patch.max() > 255:
            raise ValueError(f"dataset {DATASET}: {path.name} line {number}: values outside 0..255")
        examples.append(Example(patch.astype(np.uint8), label, f"{path.name}:{number}"))
    return examples


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    # T3: the official training file split 70/15/15 in file order; the official test file as test.
    return official_train_split(read_patches(raw_dir / _TRAIN), read_patches(raw_dir / _TEST))


def _fixture_rows(count: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    labels = [1, 2, 3, 4, 5, 7]  # the real files have no label 6
    rows = []
    for index in range(count):
        values = rng.integers(27, 158, size=36)
        rows.append(" ".join(str(v) for v in values) + f" {labels[index % len(labels)]}")
    return "\n".join(rows) + "\n"


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / _TRAIN).write_text(_fixture_rows(24, 0))
    (raw_dir / _TEST).write_text(_fixture_rows(8, 1))


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="LandSat (Statlog Landsat Satellite, UCI)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://archive.ics.uci.edu/ml/datasets/Statlog+(Landsat+Satellite)",
        paper_title="Statlog (Landsat Satellite) data set, UCI Machine Learning Repository "
        "(Srinivasan, 1993; Dua & Graff, 2019)",
        paper_url="https://archive.ics.uci.edu/ml/datasets/Statlog+(Landsat+Satellite)",
        license="unknown: see the homepage (UCI; the original Landsat data are from the "
        "Australian Centre for Remote Sensing)",
        artefacts=(
            Artefact(_TRAIN, "url", _UCI + _TRAIN, md5="2c5ba2900da0183cab2c41fdb279fa5b"),
            Artefact(_TEST, "url", _UCI + _TEST, md5="02c995991fecc864e809b2c4c42cd983"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: sat.trn (4,435 patches) drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)) in file order; test = sat.tst (2,000 patches)",
        notes="Each row's 36 values are 3×3 pixels × 4 spectral bands (bands innermost); as in the "
        "reference the fourth band is dropped and the first three stored as a 3×3 colour image. "
        "Label = file label − 1, so class 5 ('mixture class', file label 6) exists but has no "
        "example, as in the source data.",
    )
)
