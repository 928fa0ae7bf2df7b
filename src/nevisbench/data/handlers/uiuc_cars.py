"""UIUC cars: grey 100×40 side-view crops of cars and of car-free scenes (Agarwal & Roth)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import THUMBS_DB, TarMember, stream_tar_splits, tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "uiuc_cars"
_FILE = "uiuc.tar.gz"
# The reference skips text files and the multi-scale test images (re.search).
_IGNORED = re.compile(r".*\.txt$|TestImages_Scale")
CLASS_NAMES = ("neg", "pos")


def label_of(member: str) -> int:
    """1 ("pos", a car) when 'pos' occurs anywhere in the member name, else 0 ("neg")."""
    return 1 if "pos" in member else 0


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _FILE
    members = [
        TarMember(path, name, label_of(name))
        for name in tar_names(path, DATASET)
        if not _IGNORED.search(name) and not THUMBS_DB.search(name)
    ]
    if not members:
        raise layout_error(DATASET, _FILE, "CarData/TrainImages/")
    # R4 over the images in the order the tar stores them (the reference's order).
    return stream_tar_splits(random_split(members, FRACTIONS_ALL_DATA), DATASET)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {"CarData/README.txt": b"UIUC Image Database for Car Detection\n"}
    for index in range(14):
        for kind in ("pos", "neg"):
            image = fixture_image(index * 2 + (kind == "pos"), 8, 20, 1)
            members[f"CarData/TrainImages/{kind}-{index}.pgm"] = encode_image(image, "PPM")
    for index in range(3):
        image = encode_image(fixture_image(500 + index, 12, 24, 1), "PPM")
        members[f"CarData/TestImages/test-{index}.pgm"] = image
        members[f"CarData/TestImages_Scale/test-{index}.pgm"] = image
    members["CarData/trueLocations.txt"] = b"0: (48,26)\n"
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="UIUC cars",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://host.robots.ox.ac.uk/pascal/VOC/databases.html#UIUC",
        paper_title="Learning a Sparse Representation for Object Detection (Agarwal & Roth, "
        "ECCV 2002)",
        paper_url="https://doi.org/10.1007/3-540-47979-1_8",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://host.robots.ox.ac.uk/pascal/VOC/download/uiuc.tar.gz",
                md5="716c6078f57839bb440967fa74116da3",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the order the tar stores its members",
        notes="Label pos when 'pos' occurs in the member path, else neg, as in the reference. The "
        "reference skips only *.txt and TestImages_Scale/, so the single-scale detection test "
        "images (CarData/TestImages/test-*.pgm, which do contain cars) are kept and labelled neg; "
        "we keep this quirk to reproduce the reference's data (and its split draws), although "
        "those labels are wrong. The tar is streamed once per split rather than unpacked.",
    )
)
