"""Fashion-MNIST: Zalando's 70,000 28×28 grey article images in 10 classes, from the official IDX files."""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import contiguous_split
from nevisbench.types import TaskKind

_SIDE = 28
_IMAGES_MAGIC = 2051  # IDX: unsigned bytes, 3 dimensions
_LABELS_MAGIC = 2049  # IDX: unsigned bytes, 1 dimension
_OFFICIAL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_GITHUB = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist/"  # the Debian package dataset-fashion-mnist

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# Every known MD5 of each file: the official one (README of zalandoresearch/fashion-mnist), then the
# Debian package's (dataset-fashion-mnist), which recompressed the same IDX payload. _read_* also parse
# strictly, so a file with no known checksum (e.g. via --from) still fails clearly when truncated.
KNOWN_MD5S: dict[str, tuple[str, ...]] = {
    "train-images-idx3-ubyte.gz": (
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "cf8536b0aa1a6ac5fa3f23001093305c",
    ),
    "train-labels-idx1-ubyte.gz": (
        "25c81989df183df01b3e8a0aad5dffbe",
        "10bea18fdb374794d4bb42e356e600c9",
    ),
    "t10k-images-idx3-ubyte.gz": (
        "bef4ecab320f06d8554ea6380940ec79",
        "f78720b4224f21cce2f2ccf2d7a94c9a",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "bb300cfdad3c16e7a12a480ee83cd310",
        "0d30e22e447f3c33dab9ed536400ac01",
    ),
}


def _decompress(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError, zlib.error) as error:
        # A truncated download ends in EOFError; a non-gzip file in BadGzipFile (an OSError).
        raise ValueError(
            f"{path}: not a complete gzip file ({error}); delete it and prepare again"
        ) from None


def _read_images(path: Path) -> np.ndarray:
    data = _decompress(path)
    if len(data) < 16:
        raise ValueError(f"{path}: {len(data)} bytes, too short for an IDX image header")
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != _IMAGES_MAGIC:
        raise ValueError(f"{path}: IDX magic {magic}, expected {_IMAGES_MAGIC} (an images file)")
    if (rows, cols) != (_SIDE, _SIDE):
        raise ValueError(f"{path}: images of {rows}×{cols}, expected {_SIDE}×{_SIDE}")
    if len(data) - 16 != count * rows * cols:
        raise ValueError(
            f"{path}: {len(data) - 16} payload bytes, the header promises {count} images "
            f"= {count * rows * cols} bytes (truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def _read_labels(path: Path, num_images: int) -> np.ndarray:
    data = _decompress(path)
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, too short for an IDX label header")
    magic, count = struct.unpack(">II", data[:8])
    if magic != _LABELS_MAGIC:
        raise ValueError(f"{path}: IDX magic {magic}, expected {_LABELS_MAGIC} (a labels file)")
    if len(data) - 8 != count:
        raise ValueError(
            f"{path}: {len(data) - 8} payload bytes, the header promises {count} labels "
            "(truncated or corrupt)"
        )
    if count != num_images:
        raise ValueError(f"{path}: {count} labels for {num_images} images")
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if count and labels.max() >= len(CLASS_NAMES):
        raise ValueError(f"{path}: label {labels.max()} outside 0..{len(CLASS_NAMES) - 1}")
    return labels


def _read(raw_dir: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    images = _read_images(raw_dir / f"{prefix}-images-idx3-ubyte.gz")
    return images, _read_labels(raw_dir / f"{prefix}-labels-idx1-ubyte.gz", len(images))


def _examples(
    images: np.ndarray, labels: np.ndarray, indices: Sequence[int], name: str
) -> Iterator[Example]:
    for index in indices:
        yield Example(images[index], int(labels[index]), f"{name}[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    train_images, train_labels = _read(raw_dir, "train")
    test_images, test_labels = _read(raw_dir, "t10k")
    # TFDS-A: contiguous slices of the official train set (here in file order: TFDS stores a
    # hash-shuffled order, which we cannot reproduce without TFDS), official test as test.
    slices = contiguous_split(
        range(len(train_images)), [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)]
    )
    out = {
        split: _examples(train_images, train_labels, indices, "train")
        for split, indices in slices.items()
    }
    out["test"] = _examples(test_images, test_labels, range(len(test_images)), "t10k")
    return out


def _write_idx(path: Path, header: tuple[int, ...], payload: np.ndarray) -> None:
    with gzip.open(path, "wb") as handle:
        handle.write(struct.pack(f">{len(header)}I", *header) + payload.astype(np.uint8).tobytes())


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(0)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for prefix, count in (("train", 20), ("t10k", 10)):
        images = rng.integers(0, 256, size=(count, _SIDE, _SIDE))
        _write_idx(
            raw_dir / f"{prefix}-images-idx3-ubyte.gz", (_IMAGES_MAGIC, count, _SIDE, _SIDE), images
        )
        _write_idx(
            raw_dir / f"{prefix}-labels-idx1-ubyte.gz",
            (_LABELS_MAGIC, count),
            np.arange(count) % 10,
        )


SPEC = register_dataset(
    DatasetSpec(
        id="fashion_mnist",
        title="Fashion-MNIST",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        paper_title="Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms "
        "(Xiao, Rasul & Vollgraf, 2017)",
        paper_url="https://arxiv.org/abs/1708.07747",
        license="MIT (Zalando SE)",
        artefacts=tuple(
            # The S3 website endpoint the README links serves plain HTTP only; GitHub is the HTTPS copy.
            Artefact(
                filename,
                "url",
                _OFFICIAL + filename,
                md5=md5s,
                mirrors=(_GITHUB + filename,),
                local_paths=(_DEBIAN_DIR + filename,),
            )
            for filename, md5s in KNOWN_MD5S.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A: official train in file order: train = first int(.7N), dev = next "
        "int(.15N), dev_test = the rest; test = official test (42,000 / 9,000 / 9,000 / 10,000)",
    )
)
