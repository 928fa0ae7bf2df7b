"""smallNORB: 48,600 96×96 grey stereo images of 50 toys in 5 categories, from the official binary files."""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

import numpy as np

from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

_ID = "smallnorb"
_BASE = "https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/"
_TRAIN = "smallnorb-5x46789x9x18x6x2x96x96-training-{}.mat.gz"
_TEST = "smallnorb-5x01235x9x18x6x2x96x96-testing-{}.mat.gz"

# SHA-256s as TFDS's checksums.tsv.
_SHA256 = {
    _TEST.format("cat"): "ecaf6d5bb8c3bc5eab9cf0258f6d2198dd474e016e374836fc097f2e5ff509ff",
    _TEST.format("dat"): "cf7104eed3e51174d2f65b66d1e5878b9da233b886f161b0d88f4510ba2c7474",
    _TEST.format("info"): "16adf314226327ee006d1a44db8cfef52773c06c829951d5653a9f6f310248a2",
    _TRAIN.format("cat"): "2784e542c1922060691090952b6cd6278879a216c90f81476f0f00256d42cdaa",
    _TRAIN.format("dat"): "5ffd6272a07d32695ee1082a26a41a93a37aab8c28da047f8c34ed348d214873",
    _TRAIN.format("info"): "de7eb932ebe7a4ee16217fead60660d0eb3d23632c2f4d1c51f88c501c17bf32",
}

# TFDS's label_category names, in the files' category order.
CLASS_NAMES = ("four-legged animals", "human figures", "airplanes", "trucks", "cars")

# The reference's instance split of the official training set (instances 4, 6, 7, 8, 9).
INSTANCE_SPLITS = {"dev": frozenset({4}), "dev_test": frozenset({6}), "train": frozenset({7, 8, 9})}

# The "binary matrix" format: int32 LE magic (element type), int32 ndim, max(3, ndim) int32 dims.
MAGIC_UINT8 = 0x1E3D4C55
MAGIC_INT32 = 0x1E3D4C54
_DTYPES = {MAGIC_UINT8: np.dtype(np.uint8), MAGIC_INT32: np.dtype("<i4")}
_ERRORS = (OSError, EOFError, zlib.error)


def _read_header(handle: IO[bytes], name: str) -> tuple[np.dtype, tuple[int, ...]]:
    head = handle.read(8)
    if len(head) != 8:
        raise layout_error(_ID, name, "a binary-matrix header")
    magic, ndim = struct.unpack("<ii", head)
    if magic not in _DTYPES or not 1 <= ndim <= 8:
        raise layout_error(_ID, name, f"a binary-matrix header (magic {magic:#x}, {ndim} dims)")
    raw = handle.read(4 * max(3, ndim))
    if len(raw) != 4 * max(3, ndim):
        raise layout_error(_ID, name, "a binary-matrix header")
    dims = struct.unpack(f"<{max(3, ndim)}i", raw)[:ndim]
    return _DTYPES[magic], tuple(dims)


def read_matrix(path: Path) -> np.ndarray:
    """A whole (small) binary-matrix file, e.g. the category or info file."""
    try:
        with gzip.open(path, "rb") as handle:
            dtype, dims = _read_header(handle, path.name)
            data = handle.read()
    except _ERRORS as error:
        raise ValueError(f"dataset {_ID}: {path.name} is not a complete gzip file ({error}); "
                         f"delete it and prepare again") from None
    count = int(np.prod(dims)) * dtype.itemsize
    if len(data) < count:
        raise layout_error(_ID, path.name, f"{count} bytes of data for dims {dims}")
    return np.frombuffer(data[:count], dtype=dtype).reshape(dims)


def _labels(raw_dir: Path, template: str) -> tuple[np.ndarray, np.ndarray]:
    cat = read_matrix(require(raw_dir / template.format("cat"), _ID, template.format("cat"), raw_dir))
    info = read_matrix(require(raw_dir / template.format("info"), _ID, template.format("info"), raw_dir))
    if cat.ndim != 1 or info.ndim != 2 or info.shape[0] != len(cat) or info.shape[1] < 1:
        raise layout_error(_ID, template.format("info"), f"one info row per category ({len(cat)})")
    if len(cat) and (cat.min() < 0 or cat.max() >= len(CLASS_NAMES)):
        raise layout_error(_ID, template.format("cat"), "categories 0..4")
    # Info columns: instance, elevation, azimuth, lighting.
    return cat.astype(np.int64), info[:, 0].astype(np.int64)


def _stream(
    path: Path, labels: np.ndarray, instances: np.ndarray, keep: Collection[int] | None
) -> Iterator[Example]:
    """The left-camera image of each pair whose instance is in ``keep`` (None: all), in file order."""
    try:
        with gzip.open(path, "rb") as handle:
            dtype, dims = _read_header(handle, path.name)
            if dtype != np.uint8 or len(dims) != 4 or dims[0] != len(labels) or dims[1] != 2:
                raise layout_error(_ID, path.name, f"{len(labels)} uint8 stereo pairs (N×2×H×W)")
            height, width = dims[2], dims[3]
            pair = 2 * height * width
            for index in range(dims[0]):
                data = handle.read(pair)
                if len(data) != pair:
                    raise EOFError(f"the data ends within pair {index}")
                if keep is None or instances[index] in keep:
                    image = np.frombuffer(data[: height * width], np.uint8).reshape(height, width)
                    yield Example(image.copy(), int(labels[index]), f"{path.name}[{index}]")
    except _ERRORS as error:
        raise ValueError(f"dataset {_ID}: {path.name} is not a complete gzip file ({error}); "
                         f"delete it and prepare again") from None


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    train_labels, train_instances = _labels(raw_dir, _TRAIN)
    test_labels, test_instances = _labels(raw_dir, _TEST)
    unknown = set(np.unique(train_instances).tolist()) - set().union(*INSTANCE_SPLITS.values())
    if unknown:
        raise layout_error(_ID, _TRAIN.format("info"), f"only instances 4, 6–9 (found {sorted(unknown)})")
    train_dat = require(raw_dir / _TRAIN.format("dat"), _ID, _TRAIN.format("dat"), raw_dir)
    test_dat = require(raw_dir / _TEST.format("dat"), _ID, _TEST.format("dat"), raw_dir)
    out = {
        split: _stream(train_dat, train_labels, train_instances, keep)
        for split, keep in INSTANCE_SPLITS.items()
    }
    out["test"] = _stream(test_dat, test_labels, test_instances, None)
    return out


# ---------------------------------------------------------------------------------------- fixture


def encode_matrix(array: np.ndarray) -> bytes:
    """``array`` (uint8 or int32) in the binary-matrix format."""
    magic = MAGIC_UINT8 if array.dtype == np.uint8 else MAGIC_INT32
    dims = list(array.shape) + [1] * (3 - array.ndim)
    header = struct.pack(f"<ii{len(dims)}i", magic, array.ndim, *dims)
    body = array.astype(np.uint8 if magic == MAGIC_UINT8 else "<i4").tobytes()
    return header + body


def write_set(raw_dir: Path, template: str, images: np.ndarray, cat: np.ndarray, info: np.ndarray) -> None:
    """Writes one set (``dat``, ``cat``, ``info``) as the official gzip files."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for kind, array in (("dat", images), ("cat", cat), ("info", info)):
        with gzip.open(raw_dir / template.format(kind), "wb") as handle:
            handle.write(encode_matrix(array))


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(7)
    for template, instances in ((_TRAIN, (4, 6, 7, 8, 9)), (_TEST, (0, 1, 2, 3, 5))):
        rows = [(c, i) for c in range(len(CLASS_NAMES)) for i in instances[:2]] + [
            (c % 5, i) for c, i in enumerate(instances)
        ]
        cat = np.array([c for c, _ in rows], dtype=np.int32)
        info = np.array([[i, 3, 2 * (k % 18), k % 6] for k, (_, i) in enumerate(rows)], dtype=np.int32)
        images = rng.integers(0, 256, size=(len(rows), 2, 10, 10), dtype=np.uint8)
        write_set(raw_dir, template, images, cat, info)


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="smallNORB (category)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://cs.nyu.edu/~ylclab/data/norb-v1.0-small/",
        paper_title="Learning Methods for Generic Object Recognition with Invariance to Pose and "
        "Lighting (LeCun, Huang & Bottou, CVPR 2004)",
        paper_url="https://cs.nyu.edu/~yann/research/norb/",
        license="unknown: see the homepage",
        artefacts=tuple(
            Artefact(filename, "url", _BASE + filename, sha256=sha256)
            for filename, sha256 in _SHA256.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (builders/smallnorb.py) by toy instance within the "
        "official training set: dev = instance 4, dev_test = instance 6, train = instances 7, 8, 9 "
        "(14,580 / 4,860 / 4,860); test = the official test set (24,300); label = category",
        notes="Like TFDS, each example is the first (left-camera) image of the stereo pair. "
        "Examples are in file order within each split; TFDS stores its own shuffled order, so "
        "only the order differs from the reference, not the membership.",
    )
)
