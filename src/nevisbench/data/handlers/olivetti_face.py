"""Olivetti (ORL / AT&T) faces: 10 grey 92×112 photographs of each of 40 people, from a Kaggle copy."""

from __future__ import annotations

import posixpath
from pathlib import Path

from nevisbench.data.handlers._archives import THUMBS_DB, tree_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "olivetti_face"
_KAGGLE = "tavarez/the-orl-database-for-training-and-testing"
_FILE = "the-orl-database-for-training-and-testing.zip"
# The reference hard-codes 41 classes: subjects 1..41 of the file names (the ORL set has 40).
NUM_CLASSES = 41
CLASS_NAMES = tuple(f"subject_{number}" for number in range(1, NUM_CLASSES + 1))


def label_of(member: str) -> int:
    """``<image>_<subject>.<ext>`` → subject − 1 (the number after the first underscore of the
    base name, before its first dot)."""
    stem = posixpath.basename(member).split(".")[0]
    parts = stem.split("_")
    try:
        label = int(parts[1]) - 1
    except (IndexError, ValueError):
        raise layout_error(
            DATASET, _FILE, f"a '<image>_<subject>' file name (found {member})"
        ) from None
    if not 0 <= label < NUM_CLASSES:
        raise layout_error(DATASET, _FILE, f"a subject in 1..{NUM_CLASSES} (found {member})")
    return label


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    # The reference reads every zip member but Thumbs.db, in sorted name order.
    names = tree_names(root, DATASET, _FILE)
    examples = [
        Example(root / name, label_of(name), name) for name in names if not THUMBS_DB.search(name)
    ]
    if not examples:
        raise layout_error(DATASET, _FILE, "any image")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members = {
        f"ORL/{image}_{subject}.jpg": encode_image(
            fixture_image(10 * subject + image, 14, 12, 1), "JPEG"
        )
        for subject in (1, 2, 3, 17, 40)
        for image in range(1, 9)
    }
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Olivetti Face Dataset (ORL / AT&T Database of Faces)",
        num_classes=NUM_CLASSES,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://cam-orl.co.uk/facedatabase.html",
        paper_title="Parameterisation of a Stochastic Model for Human Face Identification "
        "(Samaria & Harter, IEEE Workshop on Applications of Computer Vision, 1994)",
        paper_url="https://doi.org/10.1109/ACV.1994.341300",
        license="unknown: see the homepage (AT&T Laboratories Cambridge ask for credit when the "
        "images are used)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="09871495160825a485b0f2595ba2bb34",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-name order",
        notes="Label = the number after the first underscore of the file's base name, minus one "
        "(the Kaggle copy names files <image>_<subject>); images stored grey as in the reference "
        "(mode L). The reference hard-codes 41 classes although ORL has 40 subjects, so class "
        "subject_41 is expected to be empty. Every member but Thumbs.db must parse, as in the "
        "reference; one that does not is a layout error.",
    )
)
