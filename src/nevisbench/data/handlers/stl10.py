"""STL-10: the 13,000 labelled 96×96 colour images in 10 classes, read from the official binary archive."""

from __future__ import annotations

import dataclasses
import io
import tarfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

_FILE = "stl10_binary.tar.gz"
_DIR = "stl10_binary/"
_SIDE = 96
_IMAGE_BYTES = 3 * _SIDE * _SIDE

CLASS_NAMES = (
    "airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck",
)  # fmt: skip

_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def _archive_error(path: Path, error: BaseException) -> ValueError:
    # A truncated download ends in EOFError or ReadError; a non-gzip file in ReadError.
    return ValueError(
        f"{path}: not a complete tar.gz archive ({error}); delete it and prepare again"
    )


@dataclasses.dataclass(frozen=True)
class _Index:
    """What one pass over the small members tells: labels, and the image members' sizes."""

    train_labels: np.ndarray
    test_labels: np.ndarray
    sizes: dict[str, int]


def _labels(data: bytes, name: str) -> np.ndarray:
    labels = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    # The files number classes 1..10.
    if len(labels) and (labels.min() < 1 or labels.max() > len(CLASS_NAMES)):
        raise ValueError(f"{name}: labels outside 1..{len(CLASS_NAMES)}")
    return labels - 1


def _index(path: Path) -> _Index:
    """Reads the label and class-name members, and the image members' sizes, from one pass.

    The pass stops as soon as it has them all, so the 2.5 GB unlabeled member is never read unless
    the archive stores it before them.
    """
    small = {f"{_DIR}{m}": b"" for m in ("train_y.bin", "test_y.bin", "class_names.txt")}
    big = (f"{_DIR}train_X.bin", f"{_DIR}test_X.bin")
    found: dict[str, bytes] = {}
    sizes: dict[str, int] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.isfile() and member.name in small:
                    handle = tar.extractfile(member)
                    assert handle is not None  # a regular file always has a handle
                    found[member.name] = handle.read()
                    if len(found[member.name]) != member.size:
                        raise EOFError(f"{member.name} ends after {len(found[member.name])} bytes")
                elif member.isfile() and member.name in big:
                    sizes[member.name] = member.size
                if len(found) == len(small) and len(sizes) == len(big):
                    break
    except _ERRORS as error:
        raise _archive_error(path, error) from None
    missing = sorted((set(small) | set(big)) - set(found) - set(sizes))
    if missing:
        raise ValueError(f"{path}: the archive lacks {', '.join(missing)}")
    names = found[f"{_DIR}class_names.txt"].decode("ascii", "replace").split()
    if tuple(names) != CLASS_NAMES:
        # The spec's class names are static; a different archive would mislabel every class.
        raise ValueError(
            f"{path}:class_names.txt lists {names}, not the official {list(CLASS_NAMES)}"
        )
    train = _labels(found[f"{_DIR}train_y.bin"], f"{path}:train_y.bin")
    test = _labels(found[f"{_DIR}test_y.bin"], f"{path}:test_y.bin")
    for labels, member in ((train, big[0]), (test, big[1])):
        if sizes[member] != len(labels) * _IMAGE_BYTES:
            raise ValueError(
                f"{path}:{member}: {sizes[member]} bytes, but {len(labels)} labels need "
                f"{len(labels)} × {_IMAGE_BYTES} bytes (truncated or corrupt)"
            )
    return _Index(train, test, sizes)


def decode_image(data: bytes) -> np.ndarray:
    """One image's 27,648 file bytes → H×W×C: 3 planes of 96×96, each stored column-major."""
    # Read as (C, W, H) — column-major means x varies slowest within a plane — then to (H, W, C).
    return np.frombuffer(data, dtype=np.uint8).reshape(3, _SIDE, _SIDE).transpose(2, 1, 0).copy()


def _stream(
    path: Path, member_name: str, labels: np.ndarray, order: Sequence[int]
) -> Iterator[Example]:
    """The images of a member at the indices ``order``, yielded in that order.

    One forward pass over the member (from the first wanted image to the last) keeps the file bytes
    of the wanted images only, 27,648 bytes each (≈97 MB for train's 3,500, ≈221 MB for test's
    8,000); they are then decoded one at a time and released as they are yielded.
    """
    if not order:
        return
    wanted = set(order)
    first, last = min(wanted), max(wanted)
    short = member_name.removeprefix(_DIR)
    found: dict[int, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            # Iterate rather than getmember: getmember would first scan (decompress) the whole tar.
            member = next((m for m in tar if m.name == member_name), None)
            if member is None:
                raise ValueError(f"{path}: the archive lacks {member_name}")
            handle = tar.extractfile(member)
            assert handle is not None
            with handle:
                handle.seek(first * _IMAGE_BYTES)  # forward only: gzip decompresses up to there
                for index in range(first, last + 1):
                    data = handle.read(_IMAGE_BYTES)
                    if len(data) != _IMAGE_BYTES:
                        raise EOFError(f"{member_name} ends within image {index}")
                    if index in wanted:
                        found[index] = data
    except _ERRORS as error:
        raise _archive_error(path, error) from None
    for index in order:
        yield Example(decode_image(found.pop(index)), int(labels[index]), f"{short}[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _FILE
    index = _index(path)
    # TFDS-A over TFDS's stored order: TFDS keys each example by its int index in train_X.bin /
    # test_X.bin and stores each split sorted by tfds_hash(split, index); contiguous slices of
    # the official train set in that order, official test (in TFDS's order too) as test. Each
    # split makes its own pass over its member when it is read, holding only its own images.
    train_order = tfds_order(range(len(index.train_labels)), "train")
    slices = contiguous_split(train_order, [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)])
    out: dict[str, Iterator[Example]] = {
        split: _stream(path, f"{_DIR}train_X.bin", index.train_labels, indices)
        for split, indices in slices.items()
    }
    test_order = tfds_order(range(len(index.test_labels)), "test")
    out["test"] = _stream(path, f"{_DIR}test_X.bin", index.test_labels, test_order)
    return out


# ---------------------------------------------------------------------------------------- fixture


def fixture_images(count: int, offset: int) -> np.ndarray:
    """``count`` H×W×C images with a pattern that differs along rows, columns and channels."""
    y, x, c = np.meshgrid(np.arange(_SIDE), np.arange(_SIDE), np.arange(3), indexing="ij")
    base = y + 2 * x + 70 * c  # asymmetric, so a transposed or channel-swapped read shows
    return np.stack([(base + offset + k) % 256 for k in range(count)]).astype(np.uint8)


def encode_images(images: np.ndarray) -> bytes:
    """N×H×W×C images in the file layout: per image, 3 planes of 96×96 column-major."""
    return images.transpose(0, 3, 2, 1).tobytes()


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    members = {
        "class_names.txt": "".join(f"{name}\n" for name in CLASS_NAMES).encode(),
        "test_X.bin": encode_images(fixture_images(10, 100)),
        "test_y.bin": bytes(k % 10 + 1 for k in range(10)),
        "train_X.bin": encode_images(fixture_images(20, 0)),
        "train_y.bin": bytes((3 * k) % 10 + 1 for k in range(20)),
        # The real archive also holds unlabeled_X.bin (100,000 images), which is not used.
        "unlabeled_X.bin": encode_images(fixture_images(2, 200)),
    }
    with tarfile.open(raw_dir / _FILE, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(_DIR + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


SPEC = register_dataset(
    DatasetSpec(
        id="stl10",
        title="STL-10",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://cs.stanford.edu/~acoates/stl10/",
        paper_title="An Analysis of Single-Layer Networks in Unsupervised Feature Learning "
        "(Coates, Lee & Ng, AISTATS 2011)",
        paper_url="https://proceedings.mlr.press/v15/coates11a/coates11a.pdf",
        # The homepage states no license (the images come from ImageNet).
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://ai.stanford.edu/~acoates/stl10/" + _FILE,
                md5="91f7769df0f17e558f3565bffb0c7dfb",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS's stored order: train = the first int(.7N) of "
        "train_X.bin sorted as TFDS stores it (MD5 of 'train' + the image's index in the file), "
        "dev = the next int(.15N), dev_test = the rest; test = test_X.bin in TFDS's order (MD5 of "
        "'test' + index) (3,500 / 750 / 750 / 8,000); the unlabeled images are not used",
        notes="The order is TFDS's stored order rebuilt from its keys: TFDS's stl10 builder "
        "(image_classification/stl10.py, 1.0.0) yields each example keyed by its int index in "
        "train_X.bin / test_X.bin (enumerate order), and TFDS stores each split sorted by the MD5 "
        "of the split name + str(index); so train/dev/dev_test should hold the same images as the "
        "paper's. Each split makes one pass over its member and holds its own images' bytes "
        "(≤ 221 MB, for test) to yield them in that order. Example names keep the index in the "
        "official file.",
        version=2,
    )
)
