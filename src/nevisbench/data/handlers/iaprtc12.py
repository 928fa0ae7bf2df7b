"""IAPR TC-12 (segmented and annotated, SAIAPR TC-12): 20,000 colour photos, 276 region labels, multi-label."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import archive_error, stream_zip_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "iaprtc12"
ARCHIVE = "iapr-tc12.zip"
WORD_LIST = "saiaprtc12ok/benchmark/wlist.txt"
ID_LISTS = {
    "training": "saiaprtc12ok/matlab/matlab/training.mat",
    "validation": "saiaprtc12ok/matlab/matlab/validation.mat",
    "testing": "saiaprtc12ok/matlab/matlab/testing.mat",
}
LABEL_FILE = "saiaprtc12ok/benchmark/saiapr_tc-12/{folder:02d}/labels.txt"
NUM_FOLDERS = 41  # saiapr_tc-12/00 … /40
DUPLICATE_TREE = "saiaprtc12ok"  # holds a second copy of the images, which is not read
IGNORED = re.compile(r".*\.eps$|.*\.txt$|.*\.mat$|.*\.pdf$")

NUM_CLASSES = 276
# wlist.txt numbers the 276 region labels 1..276 (label index = number - 1); the names are in that
# file, which convert checks against this count.
CLASS_NAMES = tuple(f"wlist_{k:03d}" for k in range(1, NUM_CLASSES + 1))


def read_word_list(data: bytes) -> dict[str, int]:
    """``{label name: index}`` from ``<number>\\t<name>`` lines (an empty name reads as ' ')."""
    out: dict[str, int] = {}
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        fields = line.split("\t")
        name = fields[1].strip() if len(fields) > 1 else ""
        out[name or " "] = int(fields[0]) - 1
    return out


def read_ids(data: bytes, variable: str) -> list[int]:
    import scipy.io

    content = scipy.io.loadmat(io.BytesIO(data), variable_names=(variable,))
    if variable not in content:
        raise layout_error(DATASET, ARCHIVE, f"variable {variable!r} in {ID_LISTS[variable]}")
    return [int(v) for v in np.asarray(content[variable]).ravel()]


def label_rows(data: bytes) -> Iterator[tuple[int, int]]:
    """``(image id, label index)`` per ``<image> <region> <label number>`` line of a labels.txt."""
    for line in data.decode("utf-8").splitlines():
        fields = line.split()
        if fields:
            yield int(float(fields[0])), int(float(fields[2])) - 1


def reference_labels(rows: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """The positive labels of each image, as the reference computes them.

    The reference means to collect every region's label, but each row after an image's first
    *replaces* its list by the row's label (``if labels: labels = [new] else: labels.append(new)``),
    so every image ends with one positive: the label of its last region row. Kept as is so that the
    task is the one the paper measured.
    """
    out: dict[int, list[int]] = {}
    for image, label in rows:
        if out.get(image):
            out[image] = [label]
        else:
            out.setdefault(image, []).append(label)
    return out


def image_id(name: str) -> int | None:
    """The id of an image member the reference reads (a copy outside the duplicate tree), else None."""
    if (
        name.endswith("/")
        or IGNORED.match(name)
        or DUPLICATE_TREE in name
        or "/images/" not in name
    ):
        return None
    stem = posixpath.splitext(posixpath.basename(name))[0]
    return int(stem) if stem.isdigit() else None


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise layout_error(DATASET, ARCHIVE, name) from None


def _index(path: Path) -> list[tuple[str, list[int]]]:
    """The official train + validation images (sorted member order) with their labels."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            present = set(names)
            words = read_word_list(_read(archive, WORD_LIST))
            ids = {key: read_ids(_read(archive, member), key) for key, member in ID_LISTS.items()}
            labels: dict[int, list[int]] = {}
            for folder in range(NUM_FOLDERS):
                member = LABEL_FILE.format(folder=folder)
                if member in present:  # the reference skips absent folders silently
                    labels.update(reference_labels(label_rows(archive.read(member))))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise archive_error(DATASET, path, error) from None
    if sorted(words.values()) != list(range(NUM_CLASSES)):
        raise layout_error(
            DATASET, ARCHIVE, f"{NUM_CLASSES} labels numbered 1..{NUM_CLASSES} in {WORD_LIST}"
        )
    pool = set(ids["training"]) | set(ids["validation"])
    out = []
    for name in sorted(names):
        number = image_id(name)
        if number is None or number not in pool:
            continue
        if number not in labels:
            raise layout_error(
                DATASET, ARCHIVE, f"the labels of image {number} ({name}) in labels.txt"
            )
        out.append((name, sorted(set(labels[number]))))
    if not out:
        raise layout_error(
            DATASET, ARCHIVE, "images <dir>/images/<folder>/<id>.jpg of the training ids"
        )
    return out


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / ARCHIVE
    members = _index(path)
    # R4 over the official training + validation images only; the official test ids are unused.
    splits = random_split(members, FRACTIONS_ALL_DATA)
    return {split: stream_zip_members(path, DATASET, chosen) for split, chosen in splits.items()}


# ---------------------------------------------------------------------------------------- fixture


def fixture_members() -> dict[str, bytes]:
    """A tiny archive of the real layout: 30 images in 3 folders, ids split 20 / 5 / 5."""
    import scipy.io

    members: dict[str, bytes] = {}
    members[WORD_LIST] = "".join(
        f"{k}\t{'' if k == 7 else f'word{k}'}\n" for k in range(1, NUM_CLASSES + 1)
    ).encode()
    image_ids = list(range(1, 31))
    lists = {"training": image_ids[:20], "validation": image_ids[20:25], "testing": image_ids[25:]}
    for key, member in ID_LISTS.items():
        buffer = io.BytesIO()
        scipy.io.savemat(buffer, {key: np.asarray(lists[key], dtype=np.float64).reshape(-1, 1)})
        members[member] = buffer.getvalue()
    for folder in range(3):
        rows = []
        for number in image_ids[10 * folder : 10 * folder + 10]:
            data = encode_image(fixture_image(number, 10, 12), "JPEG")
            members[f"iaprtc12/images/{folder:02d}/{number}.jpg"] = data
            # The duplicate tree and the segmentation masks, which are not read.
            members[f"saiaprtc12ok/benchmark/saiapr_tc-12/{folder:02d}/images/{number}.jpg"] = data
            members[
                f"saiaprtc12ok/benchmark/saiapr_tc-12/{folder:02d}/segmentation_masks/{number}_1.mat"
            ] = b""
            # Two regions per image: labels (number % 5) + 1 and (number % 7) + 100.
            rows.append(f"{number} 1 {number % 5 + 1}\n{number} 2 {number % 7 + 100}\n")
        members[LABEL_FILE.format(folder=folder)] = "".join(rows).encode()
    return members


def make_fixture(raw_dir: Path) -> None:
    write_zip(raw_dir / ARCHIVE, fixture_members())


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="IAPR TC-12 (segmented and annotated)",
        num_classes=NUM_CLASSES,
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/datasets/nastyatima/iapr-tc12",
        paper_title="The segmented and annotated IAPR TC-12 benchmark (Escalante, Hernández, Gonzalez, "
        "López-López, Montes, Morales, Sucar, Villaseñor & Grubinger, CVIU 114(4), 2010)",
        paper_url="https://ccc.inaoep.mx/~emorales/Papers/2010/hugo.pdf",
        license="the IAPR TC-12 images are free of charge and without copyright restrictions "
        "(imageclef.org); see the Kaggle page for the copy's terms",
        artefacts=(
            Artefact(
                ARCHIVE,
                "kaggle_dataset",
                "nastyatima/iapr-tc12",
                md5="ee251615ac2dbb55eea5a7e5e710740a",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4* (C): the images of the official training + validation ids "
        "(saiaprtc12ok/matlab/matlab/{training,validation}.mat) drawn train .56 / dev .12 / "
        "dev_test .12 / test .20 (RandomState(0)) in sorted member order (the reference's order "
        "too); the official test ids are not used",
        notes="Reproduces the reference's label quirk: its labels.txt parser keeps only the LAST region "
        "label of each image, so every image has exactly one positive of the 276 (the intended "
        "multi-label targets would be the union of its region labels). Class names are placeholders "
        "wlist_001..wlist_276 for the numbers of saiaprtc12ok/benchmark/wlist.txt, whose names we "
        "could not check; convert requires that file to number exactly 276 labels. Images come from "
        "the copy outside saiaprtc12ok/ (paths with /images/), read straight from the zip.",
    )
)
