"""Flickr Material Database (FMD): 1,000 512×384 photographs of 10 materials, 100 each."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import (
    class_lookup,
    label_of,
    layout_error,
    list_files,
    relative_name,
    require,
)
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "flickr_material_database"
_FILE = "FMD.zip"

CLASS_NAMES = (
    "fabric", "foliage", "glass", "leather", "metal", "paper", "plastic", "stone", "water", "wood",
)  # fmt: skip
_LABELS = class_lookup(CLASS_NAMES)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    examples = []
    # image/<material>/<file>.jpg in sorted member order; the mask/ folder is not read.
    for path in list_files(root):
        name = relative_name(path, root)
        if not name.startswith("image"):
            continue
        examples.append(Example(path, label_of(_LABELS, path.parent.name, DATASET, _FILE, name), name))
    if not examples:
        raise layout_error(DATASET, _FILE, "image/<material>/*.jpg")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for k in range(30):
        material = CLASS_NAMES[k % len(CLASS_NAMES)]
        stem = f"{material}_{'object' if k % 2 else 'moderate'}_{k:03d}_new"
        members[f"image/{material}/{stem}.jpg"] = encode_image(fixture_image(k, 12, 16), "JPEG")
        members[f"mask/{material}/{stem}.png"] = encode_image(fixture_image(k, 12, 16, channels=1))
    members["image/Thumbs.db"] = b"\x00"
    members["image/readme.m"] = b"% matlab\n"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Flickr Material Database (FMD)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://people.csail.mit.edu/celiu/CVPR2010/FMD/index.html",
        paper_title="Accuracy and Speed of Material Categorization in Real-World Images (Sharan, "
        "Rosenholtz & Adelson, Journal of Vision 2014)",
        paper_url="https://doi.org/10.1167/14.9.12",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://people.csail.mit.edu/celiu/CVPR2010/FMD/FMD.zip",
                md5="0721ba72cd981aa9599a81bbfaaebd75",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-path order, as the reference reads the zip",
        notes="Images under image/<material>/ only (the reference's filter); the masks are not "
        "used. Stored RGB. The reference asserts every image is 512×384; we do not (the store "
        "resizes as usual).",
    )
)
