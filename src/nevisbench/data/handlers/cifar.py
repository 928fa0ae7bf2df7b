"""CIFAR-10 and CIFAR-100: 60,000 32×32 colour images each, from the official python-version archives."""

from __future__ import annotations

import io
import pickle
import struct
import tarfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

_SIDE = 32
_ROW = 3 * _SIDE * _SIDE  # one image: R, G, B planes of 32×32, each row-major
_HOMEPAGE = "https://www.cs.toronto.edu/~kriz/cifar.html"
_PAPER_TITLE = "Learning Multiple Layers of Features from Tiny Images (Krizhevsky, 2009)"
_PAPER_URL = "https://www.cs.toronto.edu/~kriz/learning-features-2009-TR.pdf"


def _split_rule(train_files: str, key: str) -> str:
    return (
        "reference TFDS-A over TFDS's stored order: train = the first int(.7N) of the official "
        f"train set ({train_files}) sorted as TFDS stores it (MD5 of 'train' + {key}), dev = the "
        "next int(.15N), dev_test = the rest; test = official test in TFDS's order (MD5 of 'test' "
        "+ index) (35,000 / 7,500 / 7,500 / 10,000)"
    )


def _notes(files: str) -> str:
    return (
        "The order is TFDS's stored order rebuilt from its keys: TFDS's cifar builder "
        "(image_classification/cifar.py, 3.0.2) yields each example keyed by an int index that runs "
        f"on across the split's files ({files}; its 'id' feature 'train_00000'… is not the key), and "
        "TFDS stores each split sorted by the MD5 of the split name + str(index); so "
        "train/dev/dev_test should hold the same images as the paper's. TFDS reads the "
        "binary-version archive, we read the python version; the homepage describes both as the "
        "same batches, and their example order is taken to be the same (not checked image by image "
        "here). Example names keep the index in the official batches."
    )


CIFAR10_CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

# The official fine label names, in label order (alphabetical), as cifar-100-python/meta lists them.
CIFAR100_CLASS_NAMES = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
    "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
    "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
    "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox",
    "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom",
    "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
    "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road",
    "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake",
    "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank",
    "telephone", "television", "tiger", "tractor", "train", "trout", "tulip", "turtle",
    "wardrobe",
    "whale", "willow_tree", "wolf", "woman", "worm",
)  # fmt: skip


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle names a global outside the few that plain data and numpy arrays need."""


def _multiarray_reconstruct() -> Callable[..., Any]:
    # numpy 2 renamed numpy.core to numpy._core and warns on the old name; the archives (pickled by
    # Python 2 and numpy 1) say numpy.core, so both names resolve here without importing numpy.core.
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]
    return _reconstruct


# The only globals the official batches name: numpy's array reconstruction. Dicts, lists, bytes, str
# and int need no global at all (they are pickle opcodes), so nothing else is allowed: a pickle is
# code, and these archives come from the network.
_ALLOWED_GLOBALS: dict[tuple[str, str], Callable[[], Any]] = {
    ("numpy.core.multiarray", "_reconstruct"): _multiarray_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray_reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        resolve = _ALLOWED_GLOBALS.get((module, name))
        if resolve is None:
            raise UnsafePickleError(f"global {module}.{name} is not allowed in a CIFAR batch")
        return resolve()


def safe_unpickle(data: bytes, name: str) -> Any:
    """Unpickles ``data`` allowing only plain data and numpy arrays; ``name`` is for messages."""
    try:
        # encoding="bytes": the batches were pickled by Python 2, whose str become bytes (b"data").
        return _RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
    except UnsafePickleError as error:
        raise ValueError(f"{name}: refused to unpickle: {error}") from None
    except Exception as error:  # a damaged pickle raises almost anything
        raise ValueError(
            f"{name}: not a readable pickle ({type(error).__name__}: {error})"
        ) from None


def _read_members(path: Path, names: Sequence[str]) -> dict[str, bytes]:
    """The named members' bytes, read straight from the tar (nothing is written to disk)."""
    wanted = set(names)
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    handle = tar.extractfile(member)
                    assert handle is not None  # a regular file always has a handle
                    found[member.name] = handle.read()
                    if len(found[member.name]) != member.size:
                        raise EOFError(f"{member.name} ends after {len(found[member.name])} bytes")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        # A truncated download ends in EOFError or ReadError; a non-gzip file in ReadError.
        raise ValueError(
            f"{path}: not a complete tar.gz archive ({error}); delete it and prepare again"
        ) from None
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{path}: the archive lacks {', '.join(missing)}")
    return found


def _field(batch: Any, key: str, name: str) -> Any:
    if not isinstance(batch, dict):
        raise ValueError(f"{name}: a {type(batch).__name__}, expected a dict")
    # Python 2 pickles give bytes keys under encoding="bytes"; accept str keys from re-pickled copies.
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise ValueError(f"{name}: no {key!r} entry (has {sorted(map(repr, batch))})")


def _parse_batch(
    data: bytes, name: str, label_key: str, num_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    batch = safe_unpickle(data, name)
    images = _field(batch, "data", name)
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2:
        raise ValueError(f"{name}: 'data' is not a 2-D uint8 array")
    if images.shape[1] != _ROW:
        raise ValueError(f"{name}: rows of {images.shape[1]} bytes, expected {_ROW} (3×32×32)")
    labels = np.asarray(_field(batch, label_key, name))
    if (
        labels.ndim != 1
        or len(labels) != len(images)
        or not np.issubdtype(labels.dtype, np.integer)
    ):
        raise ValueError(f"{name}: {label_key!r} is not {len(images)} integer labels")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{name}: labels outside 0..{num_classes - 1}")
    return images, labels.astype(np.int64)


def _check_names(data: bytes, name: str, key: str, expected: Sequence[str]) -> None:
    names = _field(safe_unpickle(data, name), key, name)
    if not isinstance(names, list):
        raise ValueError(f"{name}: {key!r} is not a list")
    decoded = [n.decode("ascii") if isinstance(n, bytes) else str(n) for n in names]
    if decoded != list(expected):
        # The spec's class names are static; a different archive would mislabel every class.
        raise ValueError(
            f"{name}: {key!r} lists {decoded[:5]}... ({len(decoded)} names), which differs from the "
            f"official {len(expected)} names this handler hard-codes; is this a different version?"
        )


def _examples(
    images: np.ndarray, labels: np.ndarray, indices: Sequence[int], name: str
) -> Iterator[Example]:
    for index in indices:
        # Each row is R, G, B planes, each 32×32 row-major: (C, H, W) → (H, W, C).
        image = images[index].reshape(3, _SIDE, _SIDE).transpose(1, 2, 0)
        yield Example(np.ascontiguousarray(image), int(labels[index]), f"{name}[{index}]")


def _split(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    train_name: str,
    test_name: str,
) -> dict[str, Iterator[Example]]:
    # TFDS-A: contiguous slices of the official train set in TFDS's stored order, official test as
    # test (in TFDS's order too). TFDS keys each example by its running index within the split
    # (across all of the split's files) and sorts each split by tfds_hash(split, index).
    slices = contiguous_split(
        tfds_order(range(len(train[0])), "train"),
        [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)],
    )
    out = {split: _examples(*train, indices, train_name) for split, indices in slices.items()}
    out["test"] = _examples(*test, tfds_order(range(len(test[0])), "test"), test_name)
    return out


# ---------------------------------------------------------------------------------------- CIFAR-10

_C10_FILE = "cifar-10-python.tar.gz"
_C10_DIR = "cifar-10-batches-py/"
_C10_TRAIN = tuple(f"{_C10_DIR}data_batch_{i}" for i in range(1, 6))


def convert_cifar10(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _C10_FILE
    members = _read_members(path, (*_C10_TRAIN, f"{_C10_DIR}test_batch", f"{_C10_DIR}batches.meta"))
    _check_names(
        members[f"{_C10_DIR}batches.meta"],
        f"{path}:batches.meta",
        "label_names",
        CIFAR10_CLASS_NAMES,
    )
    parts = [_parse_batch(members[m], f"{path}:{m}", "labels", 10) for m in _C10_TRAIN]
    train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    test = _parse_batch(members[f"{_C10_DIR}test_batch"], f"{path}:test_batch", "labels", 10)
    return _split(train, test, "data_batch_1..5", "test_batch")


# ---------------------------------------------------------------------------------------- CIFAR-100

_C100_FILE = "cifar-100-python.tar.gz"
_C100_DIR = "cifar-100-python/"


def convert_cifar100(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _C100_FILE
    members = _read_members(path, tuple(_C100_DIR + m for m in ("train", "test", "meta")))
    _check_names(
        members[f"{_C100_DIR}meta"], f"{path}:meta", "fine_label_names", CIFAR100_CLASS_NAMES
    )
    train = _parse_batch(members[f"{_C100_DIR}train"], f"{path}:train", "fine_labels", 100)
    test = _parse_batch(members[f"{_C100_DIR}test"], f"{path}:test", "fine_labels", 100)
    return _split(train, test, "train", "test")


# ---------------------------------------------------------------------------------------- fixtures


def fixture_images(count: int, offset: int) -> np.ndarray:
    """``count`` H×W×C images with a pattern that differs along rows, columns and channels."""
    y, x, c = np.meshgrid(np.arange(_SIDE), np.arange(_SIDE), np.arange(3), indexing="ij")
    base = y + 3 * x + 70 * c  # asymmetric, so a transposed or channel-swapped read shows
    return np.stack([(base + offset + k) % 256 for k in range(count)]).astype(np.uint8)


def _rows(images: np.ndarray) -> np.ndarray:
    # The file layout: each image as its R, G, B planes, each row-major, in one 3072-byte row.
    return images.transpose(0, 3, 1, 2).reshape(len(images), _ROW)


def _write_tar(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class _Python2Pickler(pickle._Pickler):
    # The real batches are Python 2 pickles: every str is a py2 str (SHORT_BINSTRING / BINSTRING,
    # which encoding="bytes" loads as bytes) and numpy is named numpy.core. Python 3's protocol 2
    # would instead call _codecs.encode for bytes, a global the restricted unpickler refuses.
    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj: bytes | str) -> None:
        data = obj.encode("latin-1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str
    dispatch[str] = _save_py2_str


def python2_pickle(obj: Any) -> bytes:
    """``obj`` pickled as Python 2 and numpy 1 wrote the official batches (protocol 2)."""
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(obj)
    # GLOBAL opcodes are newline-terminated text, so renaming the module keeps the pickle valid.
    return buffer.getvalue().replace(b"cnumpy._core.", b"cnumpy.core.")


def make_fixture_cifar10(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for i, name in enumerate(_C10_TRAIN):
        labels = [(4 * i + k) % 10 for k in range(4)]
        rows = _rows(fixture_images(4, 4 * i))
        members[name] = python2_pickle(
            {b"batch_label": b"training batch", b"labels": labels, b"data": rows}
        )
    members[f"{_C10_DIR}test_batch"] = python2_pickle(
        {b"labels": [k % 10 for k in range(10)], b"data": _rows(fixture_images(10, 100))}
    )
    members[f"{_C10_DIR}batches.meta"] = python2_pickle(
        {b"label_names": [n.encode() for n in CIFAR10_CLASS_NAMES], b"num_vis": _ROW}
    )
    _write_tar(raw_dir / _C10_FILE, members)


def make_fixture_cifar100(raw_dir: Path) -> None:
    def batch(count: int, offset: int) -> bytes:
        fine = [(7 * k + offset) % 100 for k in range(count)]
        coarse = [f // 5 for f in fine]
        rows = _rows(fixture_images(count, offset))
        return python2_pickle({b"fine_labels": fine, b"coarse_labels": coarse, b"data": rows})

    members = {
        f"{_C100_DIR}train": batch(20, 0),
        f"{_C100_DIR}test": batch(10, 100),
        f"{_C100_DIR}meta": python2_pickle(
            {
                b"fine_label_names": [n.encode() for n in CIFAR100_CLASS_NAMES],
                b"coarse_label_names": [f"superclass_{i}".encode() for i in range(20)],
            }
        ),
    }
    _write_tar(raw_dir / _C100_FILE, members)


def _spec(id: str, title: str, class_names: tuple[str, ...], filename: str, md5: str, convert, make_fixture,
          split_rule: str, notes: str) -> DatasetSpec:
    # The two CIFARs share everything but their archive, classes and reader.
    return DatasetSpec(
        id=id,
        title=title,
        num_classes=len(class_names),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=class_names,
        homepage=_HOMEPAGE,
        paper_title=_PAPER_TITLE,
        paper_url=_PAPER_URL,
        # The homepage states no license; it asks that the tech report be cited.
        license="unknown: see the homepage",
        artefacts=(Artefact(filename, "url", "https://www.cs.toronto.edu/~kriz/" + filename, md5=md5),),
        convert=convert,
        make_fixture=make_fixture,
        split_rule=split_rule,
        notes=notes,
        version=2,
    )


CIFAR10 = register_dataset(
    _spec("cifar10", "CIFAR-10", CIFAR10_CLASS_NAMES, _C10_FILE, "c58f30108f718f92721af3b95e74349a",
          convert_cifar10, make_fixture_cifar10,
          _split_rule("data_batch_1..5 concatenated", "the example's running index in that concatenation"),
          _notes("CIFAR-10's train: 0..49,999 over data_batch_1..5, not restarting per file"))
)
CIFAR100 = register_dataset(
    _spec("cifar100", "CIFAR-100 (fine labels)", CIFAR100_CLASS_NAMES, _C100_FILE, "eb9058c3a382ffc7106e4002c42a8d85",
          convert_cifar100, make_fixture_cifar100,
          _split_rule("the train file", "the example's index in the train file"),
          _notes("CIFAR-100 has one train and one test file"))
)
