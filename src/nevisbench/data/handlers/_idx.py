"""The IDX format of MNIST and its siblings: strict parsing, fixture writing, and the TFDS-A split."""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from nevisbench.data.spec import Example
from nevisbench.data.splits import contiguous_split, tfds_order

SIDE = 28
IMAGES_MAGIC = 2051  # IDX: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # IDX: unsigned bytes, 1 dimension


def gunzip(data: bytes, where: str) -> bytes:
    """Decompresses a gzip payload; a truncated or non-gzip one raises ValueError naming ``where``."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        # A truncated download ends in EOFError; a non-gzip file in BadGzipFile (an OSError).
        raise ValueError(f"{where}: not a complete gzip file ({error}); delete it and prepare again") from None


def parse_images(data: bytes, where: str) -> np.ndarray:
    """The ``N×28×28`` uint8 images of an IDX image payload, checked against its header."""
    if len(data) < 16:
        raise ValueError(f"{where}: {len(data)} bytes, too short for an IDX image header")
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC:
        raise ValueError(f"{where}: IDX magic {magic}, expected {IMAGES_MAGIC} (an images file)")
    if (rows, cols) != (SIDE, SIDE):
        raise ValueError(f"{where}: images of {rows}×{cols}, expected {SIDE}×{SIDE}")
    if len(data) - 16 != count * rows * cols:
        raise ValueError(
            f"{where}: {len(data) - 16} payload bytes, the header promises {count} images "
            f"= {count * rows * cols} bytes (truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def parse_labels(data: bytes, where: str, num_images: int, num_classes: int) -> np.ndarray:
    """The labels of an IDX label payload, checked against the image count and the class count."""
    if len(data) < 8:
        raise ValueError(f"{where}: {len(data)} bytes, too short for an IDX label header")
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC:
        raise ValueError(f"{where}: IDX magic {magic}, expected {LABELS_MAGIC} (a labels file)")
    if len(data) - 8 != count:
        raise ValueError(
            f"{where}: {len(data) - 8} payload bytes, the header promises {count} labels (truncated or corrupt)"
        )
    if count != num_images:
        raise ValueError(f"{where}: {count} labels for {num_images} images")
    labels = np.frombuffer(data, dtype=np.uint8, offset=8)
    if count and labels.max() >= num_classes:
        raise ValueError(f"{where}: label {labels.max()} outside 0..{num_classes - 1}")
    return labels


def read_pair(raw_dir: Path, prefix: str, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of ``<prefix>-images-idx3-ubyte.gz`` and ``<prefix>-labels-idx1-ubyte.gz``."""
    images_path = raw_dir / f"{prefix}-images-idx3-ubyte.gz"
    labels_path = raw_dir / f"{prefix}-labels-idx1-ubyte.gz"
    images = parse_images(gunzip(images_path.read_bytes(), str(images_path)), str(images_path))
    labels_data = gunzip(labels_path.read_bytes(), str(labels_path))
    return images, parse_labels(labels_data, str(labels_path), len(images), num_classes)


def _examples(images: np.ndarray, labels: np.ndarray, indices: Sequence[int], name: str) -> Iterator[Example]:
    for index in indices:
        yield Example(images[index], int(labels[index]), f"{name}[{index}]")


def tfds_a_split(
    train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], test_name: str = "test"
) -> dict[str, Iterator[Example]]:
    """The reference's TFDS-A rule over TFDS's stored order: contiguous slices of the official train
    set, official test.

    TFDS's MNIST builder (shared by Fashion-MNIST and EMNIST) keys each example by its int index in
    its IDX file, ``enumerate`` order, per split ("train", "test"); each split is stored sorted by
    ``tfds_hash(split, index)``, which ``tfds_order`` rebuilds, so the slices hold the paper's images.
    """
    train_order = tfds_order(range(len(train[0])), "train")
    slices = contiguous_split(train_order, [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)])
    out = {split: _examples(*train, indices, "train") for split, indices in slices.items()}
    out["test"] = _examples(*test, tfds_order(range(len(test[0])), "test"), test_name)
    return out


def idx_gz(header: tuple[int, ...], payload: np.ndarray) -> bytes:
    """A gzipped IDX file: big-endian uint32 header words, then the uint8 payload (for fixtures)."""
    return gzip.compress(struct.pack(f">{len(header)}I", *header) + payload.astype(np.uint8).tobytes())


def write_fixture(raw_dir: Path, *, seed: int, num_classes: int) -> None:
    """The four files of the MNIST layout (train and t10k images and labels), 20 + 10 random images."""
    rng = np.random.default_rng(seed)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for prefix, count in (("train", 20), ("t10k", 10)):
        images = rng.integers(0, 256, size=(count, SIDE, SIDE))
        (raw_dir / f"{prefix}-images-idx3-ubyte.gz").write_bytes(idx_gz((IMAGES_MAGIC, count, SIDE, SIDE), images))
        labels = np.arange(count) % num_classes
        (raw_dir / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(idx_gz((LABELS_MAGIC, count), labels))
