"""SVHN (cropped digits): 99,289 32×32 RGB house-number digits from Street View in 10 classes."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import scipy.io
from scipy.io.matlab import MatReadError

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

_SIDE = 32
_BASE = "http://ufldl.stanford.edu/housenumbers/"

CLASS_NAMES = tuple(str(digit) for digit in range(10))

# The MD5s torchvision and TFDS check. The "extra" file (531,131 easier digits) is not used, as in
# the reference, which takes TFDS's train and test only.
KNOWN_MD5S: dict[str, str] = {
    "train_32x32.mat": "e26dedcc434d2e4c54c9b2d4a06d8373",
    "test_32x32.mat": "eb5a983be6a315427106f1b5fd4bf2e5",
}


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The ``N×32×32×3`` images and the 0..9 labels of a format-2 .mat file."""
    try:
        content = scipy.io.loadmat(path, variable_names=("X", "y"))
    except (
        MatReadError,
        OSError,
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        zlib.error,
    ) as error:
        # scipy reports a truncated file in several ways depending on where the cut falls
        # (MatReadError, OSError, IndexError, ...); turn them all into one clear error.
        raise ValueError(
            f"{path}: not a complete MATLAB file ({type(error).__name__}: {error}); "
            "delete it and prepare again"
        ) from None
    if "X" not in content or "y" not in content:
        raise ValueError(f"{path}: no X and y variables; not an SVHN format-2 (cropped) file")
    images, labels = content["X"], content["y"]
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[:3] != (_SIDE, _SIDE, 3):
        raise ValueError(
            f"{path}: X is {images.dtype} {images.shape}, expected uint8 32×32×3×N (truncated or corrupt)"
        )
    count = images.shape[3]
    if labels.shape != (count, 1):
        raise ValueError(
            f"{path}: y has shape {labels.shape}, expected ({count}, 1) for {count} images"
        )
    labels = labels[:, 0].astype(np.int64)
    if count and (labels.min() < 1 or labels.max() > 10):
        raise ValueError(f"{path}: labels outside 1..10 (min {labels.min()}, max {labels.max()})")
    # SVHN labels the digit 0 as 10 (MATLAB's 1-based habit); TFDS maps it back to 0, as here.
    labels[labels == 10] = 0
    # N last is MATLAB's column-major layout; moving it first is a view, each example contiguous.
    return np.moveaxis(images, 3, 0), labels


def _examples(
    images: np.ndarray, labels: np.ndarray, indices: Sequence[int], name: str
) -> Iterator[Example]:
    for index in indices:
        yield Example(images[index], int(labels[index]), f"{name}[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    train_images, train_labels = _read(raw_dir / "train_32x32.mat")
    test_images, test_labels = _read(raw_dir / "test_32x32.mat")
    # TFDS-A: contiguous slices of the official train set in TFDS's stored order; official test
    # as test (in TFDS's order too). TFDS keys each example by its int index in its .mat file
    # and sorts each split by tfds_hash(split, index).
    slices = contiguous_split(
        tfds_order(range(len(train_images)), "train"),
        [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)],
    )
    out = {
        split: _examples(train_images, train_labels, indices, "train_32x32")
        for split, indices in slices.items()
    }
    test_order = tfds_order(range(len(test_images)), "test")
    out["test"] = _examples(test_images, test_labels, test_order, "test_32x32")
    return out


def make_fixture(raw_dir: Path) -> None:
    # The real layout: X uint8 32×32×3×N, y double N×1 with labels 1..10 (10 = digit 0).
    rng = np.random.default_rng(3)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for filename, count in (("train_32x32.mat", 20), ("test_32x32.mat", 10)):
        images = rng.integers(0, 256, size=(_SIDE, _SIDE, 3, count), dtype=np.uint8)
        labels = (np.arange(count, dtype=np.float64) % 10 + 1).reshape(count, 1)
        scipy.io.savemat(raw_dir / filename, {"X": images, "y": labels})


SPEC = register_dataset(
    DatasetSpec(
        id="svhn_cropped",
        title="SVHN (cropped digits)",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://ufldl.stanford.edu/housenumbers/",
        paper_title="Reading Digits in Natural Images with Unsupervised Feature Learning "
        "(Netzer, Wang, Coates, Bissacco, Wu & Ng, 2011)",
        paper_url="http://ufldl.stanford.edu/housenumbers/nips2011_housenumbers.pdf",
        license="non-commercial use only (as the homepage states)",
        artefacts=tuple(
            Artefact(filename, "url", _BASE + filename, md5=md5)
            for filename, md5 in KNOWN_MD5S.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS's stored order: train = the first int(.7N) of "
        "train_32x32.mat sorted as TFDS stores it (MD5 of 'train' + the example's index in the "
        "file), dev = the next int(.15N), dev_test = the rest; test = test_32x32.mat in TFDS's "
        "order (MD5 of 'test' + index) (51,279 / 10,988 / 10,990 / 26,032); extra_32x32.mat is "
        "not used",
        notes="The order is TFDS's stored order rebuilt from its keys: TFDS's svhn_cropped builder "
        "(image_classification/svhn.py, 3.0.0, and datasets/svhn_cropped in later releases, "
        "3.1.0) yields each example keyed by its int index in its .mat file (enumerate order; "
        "the 3.1.0 'id' feature 'train_000000'… is not the key), and TFDS stores each split "
        "sorted by the MD5 of the split name + str(index); so train/dev/dev_test should hold the "
        "same images as the paper's. Example names keep the index in the official file.",
        version=2,
    )
)
