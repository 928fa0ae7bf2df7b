"""15 Scene Categories (Lazebnik, Schmid & Ponce): 4,485 grey scene images in 15 classes."""

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

DATASET = "scenes15"
_FILE = "scene_categories.zip"

# The reference's label order: its class folders, in the order it lists them.
CLASS_NAMES = (
    "PARoffice", "kitchen", "MITinsidecity", "MITforest", "MITcoast", "MITstreet", "store",
    "industrial", "bedroom", "MITmountain", "MIThighway", "MITopencountry", "CALsuburb",
    "MITtallbuilding", "livingroom",
)  # fmt: skip
_LABELS = class_lookup(CLASS_NAMES)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    examples = []
    # Sorted member paths (the reference's zip order); the label is the member's whole folder.
    for path in list_files(root):
        name = relative_name(path, root)
        label = label_of(_LABELS, path.parent.relative_to(root).as_posix(), DATASET, _FILE, name)
        examples.append(Example(path, label, name))
    if not examples:
        raise layout_error(DATASET, _FILE, "class folders of images (e.g. bedroom/)")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members = {}
    for k in range(30):
        folder = CLASS_NAMES[k % len(CLASS_NAMES)]
        members[f"{folder}/image_{k:04d}.jpg"] = encode_image(fixture_image(k, channels=1), "JPEG")
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="15 Scene Categories",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://web.archive.org/web/20070829035029/http://www-cvr.ai.uiuc.edu/ponce_grp/"
        "data/",
        paper_title="Beyond Bags of Features: Spatial Pyramid Matching for Recognizing Natural "
        "Scene Categories (Lazebnik, Schmid & Ponce, CVPR 2006)",
        paper_url="https://doi.org/10.1109/CVPR.2006.68",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://web.archive.org/web/20070829035029/http://www-cvr.ai.uiuc.edu/ponce_grp/"
                "data/scene_categories/scene_categories.zip",
                md5="58828019197b2ad0a7efb472e7a85c2a",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-path order, as the reference reads the zip",
        notes="Stored grey (the reference converts to 'L'). Label = the image's folder, in the "
        "reference's class order (not alphabetical); a folder outside the 15 is a layout error.",
    )
)
