"""COIL-20 (processed): 20 objects on a turntable, 72 views each, 128×128, background removed."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._archives import THUMBS_DB, tree_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "coil20"
_FILE = "coil-20-proc.zip"
# Matched from the start of the member name (re.match), as in the reference; other files are skipped.
_NAME = re.compile(r"coil-20-proc/obj(\d+)__\d+\.png")
NUM_CLASSES = 20
CLASS_NAMES = tuple(f"obj{number}" for number in range(1, NUM_CLASSES + 1))


def label_of(member: str) -> int | None:
    """``coil-20-proc/obj<k>__<view>.png`` → k − 1; None for any other member."""
    match = _NAME.match(member)
    if match is None:
        return None
    label = int(match.group(1)) - 1
    if not 0 <= label < NUM_CLASSES:
        raise layout_error(DATASET, _FILE, f"an object number in 1..{NUM_CLASSES} (found {member})")
    return label


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    examples = []
    for name in tree_names(root, DATASET, _FILE):  # sorted, as the reference reads the zip
        label = None if THUMBS_DB.search(name) else label_of(name)
        if label is not None:
            examples.append(Example(root / name, label, name))
    if not examples:
        raise layout_error(DATASET, _FILE, "coil-20-proc/obj*__*.png")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members = {
        f"coil-20-proc/obj{obj}__{view}.png": encode_image(
            fixture_image(100 * obj + view, 12, 12, 1)
        )
        for obj in range(1, NUM_CLASSES + 1)
        for view in (0, 5)
    }
    members["coil-20-proc/Thumbs.db"] = b"\0" * 16
    members["coil-20-proc/README.txt"] = b"not an image, skipped\n"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="COIL-20 (processed)",
        num_classes=NUM_CLASSES,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.cs.columbia.edu/CAVE/software/softlib/coil-20.php",
        paper_title="Columbia Object Image Library (COIL-20) (Nene, Nayar & Murase, Technical "
        "Report CUCS-005-96, 1996)",
        paper_url="https://www.cs.columbia.edu/CAVE/publications/pdfs/Nene_TR96.pdf",
        license="unknown: see the homepage (Columbia CAVE: for non-commercial research use)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://www.cs.columbia.edu/CAVE/databases/SLAM_coil-20_coil-100/coil-20/"
                "coil-20-proc.zip",
                md5="464dec76a6abfcd00e8de6cf1e7d0acc",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-name order (1,440 images)",
        notes="Label = object number − 1 from coil-20-proc/obj<k>__<view>.png; members of another "
        "name are skipped, as in the reference. The images are grey, but stored with 3 channels "
        "as the reference stores them (convert_mode='RGB').",
    )
)
