"""Butterflies (Lazebnik, Schmid & Ponce): 619 colour photographs of 7 butterfly species."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from nevisbench.data.handlers._archives import zip_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "butterflies"
_FILE = "butterflies.zip"
_NUMBER = re.compile(r"[a-z]+(\d+)\.jpg")

CLASS_NAMES = (
    "admiral", "black_swallowtail", "machaon", "monarch_closed", "monarch_open", "peacock", "zebra",
)  # fmt: skip

# The 10 image numbers per class that form the test set (from the authors' butterflies_f_order.txt,
# as the reference lists them).
TEST_IMAGES = {
    "admiral": {14, 103, 41, 86, 9, 53, 6, 55, 66, 92},
    "black_swallowtail": {25, 41, 2, 22, 31, 15, 28, 35, 4, 27},
    "machaon": {12, 24, 20, 52, 53, 29, 82, 25, 83, 14},
    "monarch_closed": {29, 9, 58, 72, 23, 44, 67, 36, 27, 28},
    "monarch_open": {46, 35, 58, 8, 76, 21, 34, 15, 83, 78},
    "peacock": {1, 96, 131, 124, 22, 59, 126, 52, 20, 86},
    "zebra": {57, 18, 21, 26, 43, 78, 31, 90, 6, 75},
}
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def parse(member: str) -> tuple[int, int]:
    """``<class>/<prefix><number>.jpg`` → (label, image number)."""
    folder, basename = posixpath.split(member)
    if folder not in _LABELS:
        raise layout_error(DATASET, _FILE, f"a known class folder for {member}")
    match = _NUMBER.search(basename)
    if match is None:
        raise layout_error(DATASET, _FILE, f"an image number in {member}")
    return _LABELS[folder], int(match.group(1))


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    pool, test = [], []
    # The reference reads the zip in the order its directory lists the members.
    for name in zip_names(raw_dir / _FILE, DATASET):
        label, number = parse(name)
        example = Example(root / name, label, name)
        (test if number in TEST_IMAGES[CLASS_NAMES[label]] else pool).append(example)
    if not test or not pool:
        raise layout_error(DATASET, _FILE, "the class folders' images")
    return official_train_split(pool, test)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for label, name in enumerate(CLASS_NAMES):
        prefix = name[:3]
        # Two of the class's test numbers and three others.
        numbers = sorted(TEST_IMAGES[name])[:2] + [200, 201, 202]
        for number in numbers:
            image = encode_image(fixture_image(1000 * label + number, 12, 14), "JPEG")
            members[f"{name}/{prefix}{number:03d}.jpg"] = image
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Butterfly dataset (UIUC Ponce group)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://web.archive.org/web/20070829035029/http://www-cvr.ai.uiuc.edu/ponce_grp/"
        "data/index.html",
        paper_title="Semi-Local Affine Parts for Object Recognition (Lazebnik, Schmid & Ponce, "
        "BMVC 2004)",
        paper_url="http://www.bmva.org/bmvc/2004/papers/paper_038.html",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://web.archive.org/web/20070829035029/http://www-cvr.ai.uiuc.edu/ponce_grp/"
                "data/butterflies/butterflies.zip",
                md5="cc9bfe5e22f9001262b785ff33221581",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3 with a fixed test set: the 10 listed image numbers of each class "
        "(70 images) are test; the other images, in the order the zip's directory lists them, are "
        "drawn train .70 / dev .15 / dev_test .15 (RandomState(0))",
        notes="Labels follow the sorted class folder names; the reference numbers the folders in "
        "Python set order, which varies between runs, so its label numbers are not reproducible "
        "(the classes themselves are the same). Image number = the digits of <letters><digits>.jpg.",
    )
)
