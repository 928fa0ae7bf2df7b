"""SUN Attribute database: 14,340 scene images with 102 attributes (multi-label: every attribute at
least one annotator marked)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "sun_attributes"
_IMAGES = "SUNAttributeDB_Images.tar.gz"
_ATTRIBUTES = "SUNAttributeDB.tar.gz"
_LABELS_MAT = "SUNAttributeDB/attributeLabels_continuous.mat"
_IMAGES_MAT = "SUNAttributeDB/images.mat"
_NAMES_MAT = "SUNAttributeDB/attributes.mat"

# attributes.mat, in file order (the label order).
CLASS_NAMES = (
    "sailing/ boating", "driving", "biking", "transporting things or people", "sunbathing",
    "vacationing/ touring", "hiking", "climbing", "camping", "reading", "studying/ learning",
    "teaching/ training", "research", "diving", "swimming", "bathing", "eating", "cleaning",
    "socializing", "congregating", "waiting in line/ queuing", "competing", "sports", "exercise",
    "playing", "gaming", "spectating/ being in an audience", "farming", "constructing/ building",
    "shopping", "medical activity", "working", "using tools", "digging", "conducting business",
    "praying", "fencing", "railing", "wire", "railroad", "trees", "grass", "vegetation", "shrubbery",
    "foliage", "leaves", "flowers", "asphalt", "pavement", "shingles", "carpet", "brick", "tiles",
    "concrete", "metal", "paper", "wood (not part of a tree)", "vinyl/ linoleum", "rubber/ plastic",
    "cloth", "sand", "rock/stone", "dirt/soil", "marble", "glass", "waves/ surf", "ocean",
    "running water", "still water", "ice", "snow", "clouds", "smoke", "fire", "natural light",
    "direct sun/sunny", "electric/indoor lighting", "aged/ worn", "glossy", "matte", "sterile",
    "moist/ damp", "dry", "dirty", "rusty", "warm", "cold", "natural", "man-made", "open area",
    "semi-enclosed area", "enclosed area", "far-away horizon", "no horizon", "rugged scene",
    "mostly vertical components", "mostly horizontal components", "symmetrical", "cluttered space",
    "scary", "soothing", "stressful",
)  # fmt: skip


def _strings(cells: np.ndarray) -> list[str]:
    return [str(np.asarray(cell).squeeze()) for cell in np.asarray(cells).ravel()]


def read_attributes(path: Path) -> dict[str, list[int]]:
    """``{"images/<relative image path>": positive attribute labels}``.

    An attribute is positive when its continuous label (the fraction of three annotators who marked
    it) is non-zero, as in the reference.
    """
    members = read_members(require(path, DATASET, _ATTRIBUTES), DATASET, (_LABELS_MAT, _IMAGES_MAT, _NAMES_MAT))
    names = load_mat(members[_NAMES_MAT], DATASET, _ATTRIBUTES, _NAMES_MAT)
    if "attributes" not in names or tuple(_strings(names["attributes"])) != CLASS_NAMES:
        raise layout_error(DATASET, _ATTRIBUTES, f"the 102 attribute names of {_NAMES_MAT} (they differ)")
    labels_mat = load_mat(members[_LABELS_MAT], DATASET, _ATTRIBUTES, _LABELS_MAT)
    images_mat = load_mat(members[_IMAGES_MAT], DATASET, _ATTRIBUTES, _IMAGES_MAT)
    if "labels_cv" not in labels_mat:
        raise layout_error(DATASET, _ATTRIBUTES, f"variable 'labels_cv' of {_LABELS_MAT}")
    if "images" not in images_mat:
        raise layout_error(DATASET, _ATTRIBUTES, f"variable 'images' of {_IMAGES_MAT}")
    labels = np.asarray(labels_mat["labels_cv"], dtype=np.float64)
    files = _strings(images_mat["images"])
    if labels.shape != (len(files), len(CLASS_NAMES)):
        raise ValueError(f"dataset {DATASET}: labels_cv has shape {labels.shape} for {len(files)} images")
    return {f"images/{name}": np.nonzero(row)[0].tolist() for name, row in zip(files, labels, strict=True)}


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    attributes = read_attributes(raw_dir / _ATTRIBUTES)
    root = require(extracted_dir(raw_dir, _IMAGES), DATASET, _IMAGES)
    require(root / "images", DATASET, _IMAGES, root)
    # Images listed in images.mat and present in the archive, in sorted path order (the reference
    # streams the tar in member order; images missing from either side are left out).
    examples = [
        Example(root / name, positives, name)
        for name, positives in sorted(attributes.items())
        if (root / name).is_file()
    ]
    if not examples:
        raise layout_error(DATASET, _IMAGES, "any image listed in images.mat")
    return random_split(examples, FRACTIONS_ALL_DATA)


def _mat(values: dict) -> bytes:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, values)
    return buffer.getvalue()


def _cells(strings: list[str]) -> np.ndarray:
    cells = np.empty((len(strings), 1), dtype=object)
    cells[:, 0] = strings
    return cells


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    scenes = ("a/abbey", "b/beach", "s/sky")
    files = [f"{scenes[i % 3]}/sun_{chr(97 + i % 26)}{i:04d}.jpg" for i in range(34)]
    labels = np.zeros((len(files), len(CLASS_NAMES)))
    for i in range(len(files)):
        labels[i, rng.choice(len(CLASS_NAMES), size=3, replace=False)] = rng.choice([1 / 3, 2 / 3, 1.0], 3)
    members = {f"images/{name}": encode_image(fixture_image(i, 12, 14), "JPEG") for i, name in enumerate(files[:-1])}
    members["images/s/sky/unlisted.jpg"] = encode_image(fixture_image(99, 12, 14), "JPEG")
    write_tar(raw_dir / _IMAGES, members)
    write_tar(raw_dir / _ATTRIBUTES, {
        _NAMES_MAT: _mat({"attributes": _cells(list(CLASS_NAMES))}),
        _IMAGES_MAT: _mat({"images": _cells(files)}),
        _LABELS_MAT: _mat({"labels_cv": labels}),
        "SUNAttributeDB/attributeLabels.mat": b"",
    })


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="SUN Attribute database",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://cs.brown.edu/~gmpatter/sunattributes.html",
        paper_title="SUN Attribute Database: Discovering, Annotating, and Recognizing Scene Attributes "
        "(Patterson & Hays, CVPR 2012)",
        paper_url="https://cs.brown.edu/~gmpatter/pub_papers/SUN_Attribute_Database_CVPR2012.pdf",
        artefacts=(
            Artefact(_IMAGES, "url", "https://cs.brown.edu/~gmpatter/Attributes/SUNAttributeDB_Images.tar.gz",
                     md5="5966725c7306df6e05cd3ada7f45a18b", extract=True),
            Artefact(_ATTRIBUTES, "url", "https://cs.brown.edu/~gmpatter/Attributes/SUNAttributeDB.tar.gz",
                     md5="883293e5b645822f6ae0046c6df54183"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted path order",
        notes="Multi-label: an image's labels are the attributes whose continuous label "
        "(attributeLabels_continuous.mat, the share of 3 votes) is non-zero; an image may have none. The "
        "reference streams the image tar in member order; we use sorted paths, so membership may differ "
        "if the tar is not stored sorted.",
    )
)
