"""8 Scene Categories (Oliva & Torralba): 2,688 256×256 outdoor scenes in 8 classes."""

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

DATASET = "scenes8"
_FILE = "spatial_envelope_256x256_static_8outdoorcategories.zip"
_FOLDER = "spatial_envelope_256x256_static_8outdoorcategories"

# The reference's label order (not alphabetical).
CLASS_NAMES = (
    "highway", "street", "tallbuilding", "forest", "insidecity", "opencountry", "mountain", "coast",
)  # fmt: skip
_LABELS = class_lookup(CLASS_NAMES)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    examples = []
    # Sorted member paths, as the reference reads the zip; the class is the file name's prefix
    # before the first underscore (e.g. coast_arnat59.jpg).
    for path in list_files(root):
        name = relative_name(path, root)
        label = label_of(_LABELS, path.name.split("_")[0], DATASET, _FILE, name)
        examples.append(Example(path, label, name))
    if not examples:
        raise layout_error(DATASET, _FILE, "image files (*.jpg)")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members = {}
    for k in range(32):
        name = CLASS_NAMES[k % len(CLASS_NAMES)]
        members[f"{_FOLDER}/{name}_img{k:03d}.jpg"] = encode_image(fixture_image(k), "JPEG")
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="8 Scene Categories (spatial envelope)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://people.csail.mit.edu/torralba/code/spatialenvelope/",
        paper_title="Modeling the Shape of the Scene: A Holistic Representation of the Spatial "
        "Envelope (Oliva & Torralba, IJCV 2001)",
        paper_url="https://doi.org/10.1023/A:1011139631724",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://people.csail.mit.edu/torralba/code/spatialenvelope/" + _FILE,
                md5="c26fe529d49848091a759d7aadd267f5",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-path order, as the reference reads the zip",
        notes="Label = the file name's prefix before the first '_' (the reference's rule), in the "
        "reference's class order (highway, street, tallbuilding, forest, insidecity, opencountry, "
        "mountain, coast). Only image files are read; a prefix outside the 8 classes is a layout "
        "error (the reference would fail on it too).",
    )
)
