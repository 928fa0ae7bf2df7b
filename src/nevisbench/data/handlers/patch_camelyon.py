"""PatchCamelyon: 327,680 96×96 colour patches of lymph-node scans, tumour or not, from the official HDF5 files."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nevisbench.data.handlers._layout import LayoutError, layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

if TYPE_CHECKING:
    import h5py

_ID = "patch_camelyon"
_BASE = "https://zenodo.org/record/2546921/files/"

CLASS_NAMES = ("no_metastatic_tissue", "metastatic_tissue")

# The official files (x: N×96×96×3 uint8 images; y: N×1×1×1 uint8 labels), with TFDS's SHA-256s.
# Ours: train, dev_test (the official validation set) and test.
FILES = {
    "train": {
        "x": ("camelyonpatch_level_2_split_train_x.h5.gz",
              "d619e741468a7ab35c7e4a75e6821b7e7e6c9411705d45708f2a0efc8960656c"),
        "y": ("camelyonpatch_level_2_split_train_y.h5.gz",
              "b74126d2c01b20d3661f9b46765d29cf4e4fba6faba29c8e0d09d406331ab75a"),
    },
    "valid": {
        "x": ("camelyonpatch_level_2_split_valid_x.h5.gz",
              "f82ee1670d027b4ec388048d9eabc2186b77c009655dae76d624c0ecb053ccb2"),
        "y": ("camelyonpatch_level_2_split_valid_y.h5.gz",
              "ce1ae30f08feb468447971cfd0472e7becd0ad96d877c64120c72571439ae48c"),
    },
    "test": {
        "x": ("camelyonpatch_level_2_split_test_x.h5.gz",
              "79174c2201ad521602a5888be8f36ee10875f37403dd3f2086caf2182ef87245"),
        "y": ("camelyonpatch_level_2_split_test_y.h5.gz",
              "0a522005fccc8bbd04c5a117bfaf81d8da2676f03a29d7499f71d0a0bd6068ef"),
    },
}
# TFDS's split names (the salt of its stored order) for the official sets.
_TFDS_SPLIT = {"train": "train", "valid": "validation", "test": "test"}


_ROWS = 256  # images read at a time (about 7 MB of 96×96×3 patches)


def _h5_path(raw_dir: Path, filename: str) -> Path:
    path = extracted_dir(raw_dir, filename) / filename.removesuffix(".gz")
    if not path.is_file():
        raise layout_error(_ID, filename, filename.removesuffix(".gz"))
    return path


def _unreadable(filename: str, error: OSError) -> LayoutError:
    """A truncated or corrupt file: h5py reports it as an OSError from wherever the damage is met,
    on opening or on reading a chunk; all become this error, which says to fetch the artefact
    again."""
    return layout_error(_ID, filename, f"a readable HDF5 file ({type(error).__name__}: {error})")


@contextlib.contextmanager
def _dataset(raw_dir: Path, part: str, which: str) -> Iterator[h5py.Dataset]:
    """The dataset ``which`` ('x' or 'y') of one official set's unpacked file, open for reading."""
    import h5py  # imported here to keep the handlers' import cheap

    filename = FILES[part][which][0]
    path = _h5_path(raw_dir, filename)
    try:
        with h5py.File(path, "r") as h5:
            dataset = h5.get(which)
            if not isinstance(dataset, h5py.Dataset):
                raise layout_error(_ID, filename, f"HDF5 dataset '{which}'")
            yield dataset
    except OSError as error:
        raise _unreadable(filename, error) from None


def read_labels(raw_dir: Path, part: str) -> np.ndarray:
    """The labels of one official set (the y file's N×1×1×1 array, flattened)."""
    with _dataset(raw_dir, part, "y") as dataset:
        if not dataset.shape:
            raise layout_error(_ID, FILES[part]["y"][0], "an N×1×1×1 label array")
        labels = dataset[()].reshape(dataset.shape[0], -1)[:, 0].astype(np.int64)
    if len(labels) and (labels.min() < 0 or labels.max() > 1):
        raise layout_error(_ID, FILES[part]["y"][0], "labels 0 or 1")
    return labels


def _stream(raw_dir: Path, part: str, labels: np.ndarray, indices: list[int]) -> Iterator[Example]:
    """Images ``indices`` of one official set, read in file order, a band of whole chunks at a
    time (sequential through the file, memory bounded by the band)."""
    wanted = set(indices)
    with _dataset(raw_dir, part, "x") as dataset:
        shape = dataset.shape
        if len(shape) != 4 or shape[0] != len(labels) or shape[3] != 3:
            raise layout_error(_ID, FILES[part]["x"][0], f"{len(labels)} RGB images (N×H×W×3)")
        # Whole chunks per read, so that no compressed chunk is decoded twice.
        step = dataset.chunks[0] * max(1, _ROWS // dataset.chunks[0]) if dataset.chunks else _ROWS
        for start in range(0, shape[0], step):
            stop = min(start + step, shape[0])
            if wanted.isdisjoint(range(start, stop)):
                continue
            band = dataset[start:stop]
            for index in range(start, stop):
                if index in wanted:
                    yield Example(np.ascontiguousarray(band[index - start], dtype=np.uint8),
                                  int(labels[index]), f"{part}[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    labels = {part: read_labels(raw_dir, part) for part in FILES}

    def ordered(part: str) -> list[int]:
        # TFDS's stored order: keys '<set>_<index>' (valid, not validation) salted by its split name.
        return tfds_order(range(len(labels[part])), _TFDS_SPLIT[part], lambda i: f"{part}_{i}")

    cut = contiguous_split(ordered("train"), [("train", 0.8), ("dev", 1.0)])
    return {
        "train": _stream(raw_dir, "train", labels["train"], cut["train"]),
        "dev": _stream(raw_dir, "train", labels["train"], cut["dev"]),
        "dev_test": _stream(raw_dir, "valid", labels["valid"], ordered("valid")),
        "test": _stream(raw_dir, "test", labels["test"], ordered("test")),
    }


def make_fixture(raw_dir: Path) -> None:
    import gzip

    import h5py

    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for part, count in (("train", 20), ("valid", 6), ("test", 6)):
        x = rng.integers(0, 256, size=(count, 8, 8, 3), dtype=np.uint8)
        y = (np.arange(count) % 2).astype(np.uint8).reshape(count, 1, 1, 1)
        for which, array in (("x", x), ("y", y)):
            filename = FILES[part][which][0]
            plain = raw_dir / filename.removesuffix(".gz")
            with h5py.File(plain, "w") as h5:
                h5.create_dataset(which, data=array)
            with gzip.open(raw_dir / filename, "wb") as handle:
                handle.write(plain.read_bytes())
            plain.unlink()


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="PatchCamelyon (PCam)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://github.com/basveeling/pcam",
        paper_title="Rotation Equivariant CNNs for Digital Pathology (Veeling, Linmans, Winkens, "
        "Cohen & Welling, MICCAI 2018)",
        paper_url="https://arxiv.org/abs/1806.03962",
        license="CC0 1.0 (as Camelyon16)",
        artefacts=tuple(
            Artefact(filename, "url", _BASE + filename, sha256=sha256, extract=True)
            for part in FILES.values()
            for filename, sha256 in part.values()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over the official sets: train = first int(.8N) of the official "
        "train set in TFDS's stored order, dev = the rest; dev_test = the official validation set; "
        "test = the official test set (209,715 / 52,429 / 32,768 / 32,768)",
        notes="The .h5.gz files are unpacked (extract) and read with h5py, a band of images at a "
        "time. TFDS's stored order (sorted by MD5 of split name + 'train_<i>', its "
        "key) decides the train/dev cut, so membership matches the reference; each split is then "
        "read in file order. Class 1 = metastatic tissue in the centre 32×32 px (the y file).",
    )
)
