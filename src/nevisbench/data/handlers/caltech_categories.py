"""Caltech categories: rear views of cars (1999 and 2001 sets) and side views of motorbikes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import TarMember, stream_tar_splits, tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, tar_bytes, write_zip
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "caltech_categories"
CLASS_NAMES = ("car", "motorcycle")
# Members of the inner tars that are not images (re.search, as in the reference).
_IGNORED = re.compile(r"^README$|\.mat$|.*Thumbs.db$")

# Category → (zip artefact, inner tar inside it, class), in the reference's order (sorted
# category names). faces.tar, which the reference also downloads, is not used by the task.
CATEGORIES = (
    ("cars_1999", "Cars_1999.zip", "Cars_1999/cars_markus.tar", "car"),
    ("cars_2001", "Cars_2001.zip", "Cars_2001/cars_brad.tar", "car"),
    (
        "motorcycles_2001",
        "motorbikes_side.zip",
        "motorbikes_side/motorbikes_side.tar",
        "motorcycle",
    ),
)
_MD5 = {
    "Cars_2001.zip": "e68efb9197ed6a9bc94ce46c79378d29",
    "Cars_1999.zip": "79b12e08cf5f711f27bbd3e9c6bf371f",
    "motorbikes_side.zip": "ac51dc40c8df085c6663f38307685079",
}
_URLS = {
    "Cars_2001.zip": "https://data.caltech.edu/records/dvx6b-vsc46/files/Cars_2001.zip?download=1",
    "Cars_1999.zip": "https://data.caltech.edu/records/fmbpr-ezq86/files/Cars_1999.zip?download=1",
    "motorbikes_side.zip": "https://data.caltech.edu/records/pxb2q-1e144/files/"
    "motorbikes_side.zip?download=1",
}


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    members = []
    for _, artefact, inner, class_name in CATEGORIES:
        path = extracted_dir(raw_dir, artefact) / inner
        label = CLASS_NAMES.index(class_name)
        members.extend(
            TarMember(path, name, label)
            for name in tar_names(path, DATASET, artefact)
            if not _IGNORED.search(name)
        )
    # R4 over the three inner tars in turn, each in the order it stores its members.
    return stream_tar_splits(random_split(members, FRACTIONS_ALL_DATA), DATASET)


def _inner_tar(count: int, seed: int) -> bytes:
    members = {
        f"image_{index:04d}.jpg": encode_image(fixture_image(seed + index, 12, 16), "JPEG")
        for index in range(1, count + 1)
    }
    members["README"] = b"Caltech category (fixture)\n"
    members["ImageData.mat"] = b"MATLAB 5.0 MAT-file (fixture)"
    return tar_bytes(members)


def make_fixture(raw_dir: Path) -> None:
    for number, (_, artefact, inner, _class) in enumerate(CATEGORIES):
        write_zip(raw_dir / artefact, {inner: _inner_tar(5 + 2 * number, 100 * number)})


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Caltech cars and motorbikes (Caltech categories)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://data.caltech.edu/",
        paper_title="Unsupervised Learning of Models for Recognition (Weber, Welling & Perona, "
        "ECCV 2000); Object Class Recognition by Unsupervised Scale-Invariant Learning (Fergus, "
        "Perona & Zisserman, CVPR 2003)",
        paper_url="https://doi.org/10.1109/CVPR.2003.1211479",
        license="unknown: see the homepage (CaltechDATA records)",
        artefacts=tuple(
            Artefact(name, "url", _URLS[name], md5=_MD5[name], extract=True)
            for name in ("Cars_2001.zip", "Cars_1999.zip", "motorbikes_side.zip")
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) over cars_markus.tar (Cars 1999), cars_brad.tar (Cars 2001) and "
        "motorbikes_side.tar in turn, each in the order it stores its members",
        notes="Classes: car (Cars 1999 + Cars 2001 merged) and motorcycle (motorbikes_side). Each "
        "zip is unpacked and its inner tar streamed (not unpacked: convert writes nothing); "
        "members named README or *.mat (and Thumbs.db) are skipped, every other member is an "
        "image, as in the reference. faces.tar, listed by the reference but unused by this task, "
        "is not downloaded.",
    )
)
