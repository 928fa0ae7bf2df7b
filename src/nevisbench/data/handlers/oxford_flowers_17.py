"""Oxford 17 Category Flowers: 1,360 images, 80 per class, with the official split 1."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_val_split
from nevisbench.values import TaskKind

DATASET = "oxford_flowers_17"
IMAGES = "17flowers.tgz"
SPLITS = "datasplits.mat"
PER_CLASS = 80

CLASS_NAMES = (
    "daffodil", "snowdrop", "lily_valley", "bluebell", "crocus", "iris", "tigerlily", "tulip",
    "fritillary", "sunflower", "daisy", "colts_foot", "dandelion", "cowslip", "buttercup",
    "windflower", "pansy",
)  # fmt: skip

_NUMBER = re.compile(r"jpg/image_(\d+)\.jpg")


def label_of_number(number: int) -> int:
    """The images are numbered 1..1360 class by class, 80 each."""
    return (number - 1) // PER_CLASS


def _read_splits(raw_dir: Path) -> dict[str, set[int]]:
    data = load_mat(require(raw_dir / SPLITS, DATASET, SPLITS), DATASET, SPLITS)
    out = {}
    for key in ("trn1", "val1", "tst1"):
        if key not in data:
            raise layout_error(DATASET, SPLITS, f"variable {key}")
        out[key] = {int(v) for v in np.asarray(data[key]).ravel()}
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    ids = _read_splits(raw_dir)
    root = require(extracted_dir(raw_dir, IMAGES), DATASET, IMAGES)
    # Images in the tar's member order (the reference's); members without "image" in their path
    # (jpg/files.txt) are not images.
    numbered = []
    for name in tar_names(raw_dir / IMAGES, DATASET, as_extracted=True):
        if "image" not in name:
            continue
        match = _NUMBER.search(name)
        if match is None:
            raise layout_error(DATASET, IMAGES, f"an image number in {name} (jpg/image_NNNN.jpg)")
        number = int(match.group(1))
        if not 1 <= number <= PER_CLASS * len(CLASS_NAMES):
            raise layout_error(DATASET, IMAGES, f"an image number in 1..1360 for {name}")
        numbered.append((number, Example(root / name, label_of_number(number), name)))

    def select(key: str) -> list[Example]:
        return [example for number, example in numbered if number in ids[key]]

    return official_train_val_split(select("trn1"), select("val1"), select("tst1"))


def make_fixture(raw_dir: Path) -> None:
    import scipy.io

    numbers = [c * PER_CLASS + k for c in range(0, 17, 2) for k in (1, 2, 3, 4)]  # 36 images
    members = {"jpg/files.txt": "".join(f"image_{n:04d}.jpg\n" for n in numbers).encode()}
    for n in reversed(numbers):  # stored in reverse order: the tar's order is kept
        members[f"jpg/image_{n:04d}.jpg"] = encode_image(fixture_image(n), "JPEG")
    write_tar(raw_dir / IMAGES, members, compression="gz")
    trn = [n for n in numbers if n % 4 in (1, 2)]
    val = [n for n in numbers if n % 4 == 3]
    tst = [n for n in numbers if n % 4 == 0]
    splits = {"trn1": trn, "val1": val, "tst1": tst, "trn2": tst, "val2": trn, "tst2": val}
    raw_dir.mkdir(parents=True, exist_ok=True)
    arrays = {key: np.asarray(value, dtype=np.float64)[None, :] for key, value in splits.items()}
    scipy.io.savemat(raw_dir / SPLITS, arrays)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Oxford 17 Category Flowers",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.robots.ox.ac.uk/~vgg/data/flowers/17/",
        paper_title="A Visual Vocabulary for Flower Classification (Nilsback & Zisserman, CVPR 2006)",
        paper_url="https://www.robots.ox.ac.uk/~vgg/publications/papers/nilsback06.pdf",
        artefacts=(
            Artefact(
                IMAGES,
                "url",
                "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/" + IMAGES,
                md5="b59a65d8d1a99cd66944d474e1289eab",
                extract=True,
            ),
            Artefact(
                SPLITS,
                "url",
                "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/" + SPLITS,
                md5="4828cddfd0d803c5abbdebcb1e148a1e",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T2 with the official split 1 of datasplits.mat: trn1 drawn train .80 "
        "/ dev .20 (RandomState(0)) in the tar's member order; val1 = dev_test; tst1 = test "
        "(680 / 340 / 340 images)",
        notes="Label = (image number - 1) // 80, the archive's class-by-class numbering, named as "
        "on the homepage. The reference also writes an extra 'all' split of the 1,360 images; it "
        "is not stored (it is the union of the other splits). Examples follow the tar's member "
        "order (read from its headers), as the reference's.",
    )
)
