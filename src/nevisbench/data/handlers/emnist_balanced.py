"""EMNIST Balanced: 131,600 28×28 grey handwritten digits and letters in 47 classes, from NIST's zip."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nevisbench.data.handlers import _idx
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

_ZIP = "gzip.zip"
_PREFIX = "gzip/emnist-balanced-"
_MAPPING = _PREFIX + "mapping.txt"

# The balanced split's label → character mapping as NIST ships it (emnist-balanced-mapping.txt):
# digits, upper-case letters, then the 11 lower-case letters that do not look like their capitals.
# The spec needs the names before any file is read; convert checks the real mapping agrees.
CLASS_NAMES = tuple("0123456789") + tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + tuple("abdefghnqrt")


def _member(archive: zipfile.ZipFile, zip_path: Path, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise ValueError(f"{zip_path}: no member {name}; not NIST's EMNIST gzip.zip") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        # A truncated zip whose directory survived still fails here, on the member's CRC or stream.
        raise ValueError(f"{zip_path}: member {name} is corrupt ({error})") from None


def parse_images(data: bytes, where: str) -> np.ndarray:
    """The ``N×28×28`` images of an IDX image payload, as stored: transposed, as NIST wrote them.

    TFDS delivers them so too (its EMNIST description says the images are flipped and rotated as in
    the original data and leaves the transpose to the user), so the reference trained on transposed
    characters; we keep them so, for comparable numbers and transfer between tasks.
    """
    return _idx.parse_images(data, where)


def parse_mapping(text: str, where: str) -> tuple[str, ...]:
    """Class names from a mapping file: one ``label ascii_code`` line per class, labels 0..K-1."""
    names: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2 or not all(field.isdigit() for field in fields):
            raise ValueError(f"{where}: line {number} is {line!r}, expected 'label ascii_code'")
        label, code = int(fields[0]), int(fields[1])
        if label != len(names):
            raise ValueError(f"{where}: line {number} has label {label}, expected {len(names)}")
        names.append(chr(code))
    return tuple(names)


def _read(archive: zipfile.ZipFile, zip_path: Path, part: str) -> tuple[np.ndarray, np.ndarray]:
    images_name = f"{_PREFIX}{part}-images-idx3-ubyte.gz"
    labels_name = f"{_PREFIX}{part}-labels-idx1-ubyte.gz"
    images_where, labels_where = f"{zip_path}:{images_name}", f"{zip_path}:{labels_name}"
    images = parse_images(_idx.gunzip(_member(archive, zip_path, images_name), images_where), images_where)
    labels_data = _idx.gunzip(_member(archive, zip_path, labels_name), labels_where)
    return images, _idx.parse_labels(labels_data, labels_where, len(images), len(CLASS_NAMES))


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    zip_path = raw_dir / _ZIP
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        # A truncated download loses the central directory at the end: BadZipFile.
        raise ValueError(
            f"{zip_path}: not a complete zip file ({error}); delete it and prepare again"
        ) from None
    # Read everything now (≈100 MB decompressed) so the archive can be closed before returning.
    with archive:
        mapping_where = f"{zip_path}:{_MAPPING}"
        names = parse_mapping(
            _member(archive, zip_path, _MAPPING).decode("ascii", "replace"), mapping_where
        )
        if names != CLASS_NAMES:
            raise ValueError(
                f"{mapping_where}: classes {''.join(names)!r}, expected {''.join(CLASS_NAMES)!r}"
            )
        train_images, train_labels = _read(archive, zip_path, "train")
        test_images, test_labels = _read(archive, zip_path, "test")
    return _idx.tfds_a_split((train_images, train_labels), (test_images, test_labels))


def make_fixture(raw_dir: Path) -> None:
    # The real layout: one zip holding the gzipped IDX files (stored transposed, like NIST's) and
    # the mapping. The other EMNIST splits NIST ships in the same zip are left out.
    rng = np.random.default_rng(2)
    raw_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(raw_dir / _ZIP, "w") as archive:
        for part, count in (("train", 30), ("test", 10)):
            upright = rng.integers(0, 256, size=(count, _idx.SIDE, _idx.SIDE))
            archive.writestr(
                f"{_PREFIX}{part}-images-idx3-ubyte.gz",
                _idx.idx_gz((_idx.IMAGES_MAGIC, count, _idx.SIDE, _idx.SIDE), upright.transpose(0, 2, 1)),
            )
            archive.writestr(
                f"{_PREFIX}{part}-labels-idx1-ubyte.gz",
                _idx.idx_gz((_idx.LABELS_MAGIC, count), np.arange(count) % len(CLASS_NAMES)),
            )
        mapping = "".join(f"{label} {ord(name)}\n" for label, name in enumerate(CLASS_NAMES))
        archive.writestr(_MAPPING, mapping)


SPEC = register_dataset(
    DatasetSpec(
        id="emnist_balanced",
        title="EMNIST Balanced",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.nist.gov/itl/products-and-services/emnist-dataset",
        paper_title="EMNIST: an extension of MNIST to handwritten letters "
        "(Cohen, Afshar, Tapson & van Schaik, 2017)",
        paper_url="https://arxiv.org/abs/1702.05373",
        artefacts=(
            # NIST publishes no checksum for gzip.zip (≈536 MB, all six EMNIST splits), so md5 is
            # None; the strict IDX parsing and the zip's own CRCs still catch a damaged file.
            Artefact(_ZIP, "url", "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS's stored order: train = the first int(.7N) of the "
        "official train set sorted as TFDS stores it (MD5 of 'train' + the example's index in "
        "emnist-balanced-train-images-idx3-ubyte), dev = the next int(.15N), dev_test = the rest; "
        "test = official test in TFDS's order (MD5 of 'test' + index) "
        "(78,960 / 16,920 / 16,920 / 18,800)",
        notes="The order is TFDS's stored order rebuilt from its keys: TFDS's emnist/balanced "
        "builder inherits _generate_examples from its mnist builder (image_classification/mnist.py), "
        "which keys each example by its int index in its IDX file, and TFDS stores each split "
        "sorted by the MD5 of the split name + str(index); so train/dev/dev_test should hold the "
        "same images as the paper's. Example names keep the index in the official file. Images stay "
        "transposed as NIST stored them, as TFDS gives them to the reference (not turned upright).",
        version=3,
    )
)
