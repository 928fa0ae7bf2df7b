"""UMIST (Sheffield) faces: 564 grey images of 20 people, each rotating from profile to frontal."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import THUMBS_DB, TarMember, stream_tar_splits, tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "umist"
_FILE = "face.tar.gz"

# The person folders in the reference's label order (not sorted).
CLASS_NAMES = (
    "1s", "1r", "1n", "1i", "1d", "1e", "1q", "1c", "1k", "1l", "1h", "1o", "1a", "1b", "1t",
    "1m", "1g", "1f", "1p", "1j",
)  # fmt: skip
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def label_of(member: str) -> int:
    """The label of ``<person>/<file>``: the folder, which must be one of the 20 persons."""
    folder = posixpath.dirname(member)
    if folder not in _LABELS:
        raise layout_error(DATASET, _FILE, f"a person folder (1a..1t) for {member}")
    return _LABELS[folder]


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _FILE
    members = [
        TarMember(path, name, label_of(name))
        for name in tar_names(path, DATASET)
        if not THUMBS_DB.search(name)
    ]
    if not members:
        raise layout_error(DATASET, _FILE, "1a/ .. 1t/")
    # R4 over the images in the order the tar stores them (the reference's order).
    return stream_tar_splits(random_split(members, FRACTIONS_ALL_DATA), DATASET)


def make_fixture(raw_dir: Path) -> None:
    members = {
        f"{person}/face{index:03d}.pgm": encode_image(
            fixture_image(50 * k + index, 14, 12, 1), "PPM"
        )
        for k, person in enumerate(("1a", "1b", "1s", "1t", "1j"))
        for index in range(1, 8)
    }
    members["1a/Thumbs.db"] = b"\0" * 8
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="UMIST face database",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://eprints.lincoln.ac.uk/id/eprint/16081",
        paper_title="Characterising Virtual Eigensignatures for General Purpose Face Recognition "
        "(Graham & Allinson, in Face Recognition: From Theory to Applications, NATO ASI Series F "
        "163, 1998)",
        paper_url="http://eprints.lincoln.ac.uk/id/eprint/16081",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://eprints.lincoln.ac.uk/id/eprint/16081/1/face.tar.gz",
                md5="11011ab5dded043f5e4331711c2407c8",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the order the tar stores its members",
        notes="Label = the member's folder (1a..1t), numbered in the reference's own order "
        "(1s, 1r, 1n, …), not sorted. Every member but Thumbs.db is an image and must lie directly "
        "in a person folder, as in the reference; another layout is a layout error. The tar is "
        "streamed once per split rather than unpacked.",
    )
)
