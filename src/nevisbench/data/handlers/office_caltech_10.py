"""Office-Caltech-10: the 10 classes shared by Office-31 (train pool) and Caltech-256 (held out)."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN_AND_DEV, random_split
from nevisbench.values import TaskKind

_CALTECH = "256_ObjectCategories.tar"
_OFFICE = "domain_adaptation_images.tar.gz"

CLASS_NAMES = (
    "backpack", "bike", "calculator", "headphones", "keyboard", "laptop", "monitor", "mouse",
    "mug", "projector",
)  # fmt: skip
# Each source's folder name for each class, in label order.
CALTECH_FOLDERS = (
    "backpack", "touring-bike", "calculator", "head-phones", "computer-keyboard", "laptop-101",
    "computer-monitor", "computer-mouse", "coffee-mug", "video-projector",
)  # fmt: skip
OFFICE_FOLDERS = (
    "back_pack", "bike", "calculator", "headphones", "keyboard", "laptop_computer", "monitor",
    "mouse", "mug", "projector",
)  # fmt: skip

# The reference's member patterns: <domain>/images/<class>/frame_NNNN.jpg (Office-31) and
# 256_ObjectCategories/NNN.<class>/NNN_NNNN.jpg (Caltech-256). We also accept the Office paths
# under a domain_adaptation_images/ folder, which the reference's comment shows.
_OFFICE_PATH = re.compile(r"(?:domain_adaptation_images/)?(\w+)/images/(.+)/frame_(\d{4})\.jpg")
_CALTECH_PATH = re.compile(r"256_ObjectCategories/(\d{3})\.(.+)/(\d{3})_(\d{4})\.jpg")
# The reference's own fractions for the held-out source.
FRACTIONS_TEST_AND_DEV_TEST = {"dev_test": 0.5, "test": 0.5}


def _matching(
    root: Path, pattern: re.Pattern[str], group: int, folders: tuple[str, ...]
) -> list[Example]:
    examples = []
    for path in list_files(root, (".jpg",)):
        name = path.relative_to(root).as_posix()
        match = pattern.fullmatch(name)
        if match and match.group(group) in folders:
            examples.append(Example(path, folders.index(match.group(group)), name))
    return examples


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    office = _matching(extracted_dir(raw_dir, _OFFICE), _OFFICE_PATH, 2, OFFICE_FOLDERS)
    if not office:
        raise layout_error(
            "office_caltech_10", _OFFICE, "<domain>/images/<class>/frame_NNNN.jpg images"
        )
    caltech = _matching(extracted_dir(raw_dir, _CALTECH), _CALTECH_PATH, 2, CALTECH_FOLDERS)
    if not caltech:
        raise layout_error(
            "office_caltech_10", _CALTECH, "256_ObjectCategories/NNN.<class>/ images"
        )
    out = random_split(office, FRACTIONS_TRAIN_AND_DEV)
    out.update(random_split(caltech, FRACTIONS_TEST_AND_DEV_TEST))
    return out


def make_fixture(raw_dir: Path) -> None:
    office: dict[str, bytes] = {}
    for k in range(30):
        domain = ("amazon", "dslr", "webcam")[k % 3]
        folder = OFFICE_FOLDERS[k % 10]
        office[f"{domain}/images/{folder}/frame_{k + 1:04d}.jpg"] = encode_image(
            fixture_image(k, 8, 8), "JPEG"
        )
    # Office-31 classes outside the ten are left out.
    office["amazon/images/ruler/frame_0001.jpg"] = encode_image(fixture_image(99, 8, 8), "JPEG")
    write_tar(raw_dir / _OFFICE, office)
    caltech: dict[str, bytes] = {}
    for k in range(20):
        folder = CALTECH_FOLDERS[k % 10]
        number = 3 + k % 10
        caltech[f"256_ObjectCategories/{number:03d}.{folder}/{number:03d}_{k + 1:04d}.jpg"] = (
            encode_image(fixture_image(200 + k, 8, 8), "JPEG")
        )
    caltech["256_ObjectCategories/257.clutter/257_0001.jpg"] = encode_image(
        fixture_image(300, 8, 8), "JPEG"
    )
    write_tar(raw_dir / _CALTECH, caltech, compression="")


SPEC = register_dataset(
    DatasetSpec(
        id="office_caltech_10",
        title="Office-Caltech-10",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://faculty.cc.gatech.edu/~judy/domainadapt/",
        paper_title="Geodesic Flow Kernel for Unsupervised Domain Adaptation "
        "(Gong, Shi, Sha & Grauman, CVPR 2012)",
        paper_url="https://doi.org/10.1109/CVPR.2012.6247911",
        artefacts=(
            Artefact(
                _CALTECH,
                "gdrive",
                "1r6o0pSROcV1_VwT4oSjA2FBUSCWGuxLK",
                md5="67b4f42ca05d46448c6bb8ecd2220f6d",
                extract=True,
            ),
            Artefact(
                _OFFICE,
                "gdrive",
                "0B4IapRTv9pJ1WGZVd1VDMmhwdlE",
                md5="1b536d114869a5a8aa4580b89e9758fb",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: the Office-31 images (amazon, dslr, webcam) of the 10 "
        "classes drawn train .80 / dev .20 (RandomState(0)); the Caltech-256 images of the 10 "
        "classes drawn dev_test .50 / test .50 (a fresh RandomState(0)); sorted path order",
        notes="Class names are the Office-31 folder names shortened (back_pack → backpack, "
        "laptop_computer → laptop); label order as the reference's. The reference draws in tar "
        "member order; we use sorted paths, so membership may differ from the paper's. Office "
        "paths are also accepted under a domain_adaptation_images/ folder (the reference's "
        "pattern would match none there).",
    )
)
