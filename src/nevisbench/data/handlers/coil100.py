"""COIL-100: 7,200 128×128 colour images of 100 objects on a turntable, one every 5°, from the official zip."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import tfds_order
from nevisbench.values import TaskKind

_ID = "coil100"
_FILE = "coil-100.zip"
_DIR = "coil-100"
NUM_OBJECTS = 100
NUM_ANGLE_BINS = 72  # one bin per 5° step

# The reference's angle bins (bin = angle / 5): frontal views train, two opposite side views dev and
# dev_test, every other view test.
TRAIN_BINS = frozenset({70, 71, 0, 1, 2})
DEV_BINS = frozenset({16, 17, 18, 19, 20})
DEV_TEST_BINS = frozenset({50, 51, 52, 53, 54})

CLASS_NAMES = tuple(f"obj{k}" for k in range(1, NUM_OBJECTS + 1))

# obj<id>__<angle>.png, e.g. obj1__355.png
_NAME = re.compile(r"^obj(\d+)__(\d+)\.png$")


def split_of_bin(angle_bin: int) -> str:
    """The split of the images whose view angle falls in ``angle_bin`` (0..71)."""
    if angle_bin in TRAIN_BINS:
        return "train"
    if angle_bin in DEV_BINS:
        return "dev"
    if angle_bin in DEV_TEST_BINS:
        return "dev_test"
    return "test"


def parse_name(name: str) -> tuple[int, int] | None:
    """``(label, angle bin)`` of an image file name, or None for a file that is no COIL image."""
    match = _NAME.match(name)
    if match is None:
        return None
    obj, angle = int(match.group(1)), int(match.group(2))
    if not 1 <= obj <= NUM_OBJECTS or angle % 5 or not 0 <= angle < 360:
        raise layout_error(_ID, _FILE, f"an image named {name} (object 1..100, angle 0..355 step 5)")
    return obj - 1, angle // 5


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE) / _DIR
    if not root.is_dir():
        raise layout_error(_ID, _FILE, f"folder {_DIR}/")
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    # The order TFDS stores its single train split in (key: the file name); the reference filters it
    # by angle, so each split keeps that order.
    for path in tfds_order(root.iterdir(), "train", lambda p: p.name):
        parsed = parse_name(path.name) if path.is_file() else None
        if parsed is None:
            continue  # the zip also holds a conversion script
        label, angle_bin = parsed
        out[split_of_bin(angle_bin)].append(Example(path, label, f"{_DIR}/{path.name}"))
    if not any(out.values()):
        raise layout_error(_ID, _FILE, f"images {_DIR}/obj*__*.png")
    return out


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {f"{_DIR}/convertGroupppm2png.pl": b"# conversion script\n"}
    # Three objects, one view in each split's bins plus a few test views.
    for obj in (1, 2, 100):
        for angle in (0, 355, 90, 260, 180, 45):
            image = fixture_image(obj * 1000 + angle, 8, 8)
            members[f"{_DIR}/obj{obj}__{angle}.png"] = encode_image(image)
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="COIL-100",
        num_classes=NUM_OBJECTS,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.cs.columbia.edu/CAVE/software/softlib/coil-100.php",
        paper_title="Columbia Object Image Library (COIL-100) (Nene, Nayar & Murase, Technical "
        "Report CUCS-006-96, 1996)",
        paper_url="https://www.cs.columbia.edu/CAVE/publications/pdfs/Nene_TR96_2.pdf",
        license="research use; see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://www.cs.columbia.edu/CAVE/databases/SLAM_coil-20_coil-100/coil-100/" + _FILE,
                sha256="fcb4b8b01c0778f416d8d7a09f45082c4f7075cc74743dcddd5c44307bd4afe7",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (builders/coil100.py) by view angle, bin = angle / 5: "
        "train = bins 70, 71, 0, 1, 2 (frontal views, 500 images), dev = bins 16–20 (500), "
        "dev_test = bins 50–54 (500), test = the other 57 bins (5,700); label = object id",
        notes="Read from the official zip as TFDS does (TFDS coil100 2.0.0: label = object id, "
        "obj1 → 0). Each split keeps the order TFDS stores the images in (sorted by MD5 of "
        "'train' + file name, TFDS's key), so membership and order match the reference.",
    )
)
