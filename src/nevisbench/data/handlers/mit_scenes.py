"""MIT Indoor Scenes (Indoor-67): 15,620 colour images of 67 indoor scene categories, with the official split."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import read_members, stream_zip_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "mit_scenes"
ARCHIVE = "indoor-scenes-cvpr-2019.zip"
TRAIN_LIST = "TrainImages.txt"
TEST_LIST = "TestImages.txt"
IMAGE_DIR = "indoorCVPR_09/Images"

# The reference's label order (category folder names, in its own order).
CLASS_NAMES = (
    "office", "lobby", "stairscase", "winecellar", "church_inside", "studiomusic", "shoeshop",
    "bowling", "poolinside", "nursery", "meeting_room", "videostore", "bathroom", "library",
    "locker_room", "movietheater", "children_room", "concert_hall", "clothingstore", "pantry",
    "subway", "prisoncell", "inside_bus", "garage", "warehouse", "bookstore", "auditorium",
    "laboratorywet", "tv_studio", "buffet", "waitingroom", "laundromat", "bedroom",
    "greenhouse", "cloister", "elevator", "dining_room", "hairsalon", "livingroom", "deli",
    "restaurant_kitchen", "dentaloffice", "trainstation", "casino", "bar", "jewelleryshop",
    "kitchen", "museum", "grocerystore", "operating_room", "airport_inside", "gameroom",
    "fastfood_restaurant", "classroom", "bakery", "closet", "artstudio", "hospitalroom", "gym",
    "florist", "inside_subway", "toystore", "kindergarden", "restaurant", "mall", "corridor",
    "computerroom",
)  # fmt: skip
_INDEX = {name: label for label, name in enumerate(CLASS_NAMES)}


def parse_list(data: bytes, listing: str) -> list[tuple[str, int]]:
    """``<category>/<file>`` lines, in file order, as (member name, label)."""
    out = []
    for line in data.decode("utf-8").splitlines():
        entry = line.strip()
        if not entry:
            continue
        category = entry.split("/")[0]
        if category not in _INDEX:
            raise layout_error(
                DATASET, ARCHIVE, f"category {category!r} (line {entry!r} of {listing})"
            )
        out.append((f"{IMAGE_DIR}/{entry}", _INDEX[category]))
    return out


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / ARCHIVE
    lists = read_members(path, DATASET, (TRAIN_LIST, TEST_LIST))
    train = parse_list(lists[TRAIN_LIST], TRAIN_LIST)
    test = parse_list(lists[TEST_LIST], TEST_LIST)
    with zipfile.ZipFile(path) as archive:
        present = set(archive.namelist())
    missing = [name for name, _ in train + test if name not in present]
    if missing:
        raise layout_error(
            DATASET, ARCHIVE, f"{missing[0]} (and {len(missing) - 1} more listed images)"
        )
    # T3 over the official training list in its file order (the reference's order too).
    splits = official_train_split(train, test)
    return {split: stream_zip_members(path, DATASET, members) for split, members in splits.items()}


def make_fixture(raw_dir: Path) -> None:
    # 5 categories × 4 images: 3 listed for training, 1 for test; the lists end without a newline.
    chosen = ("office", "stairscase", "church_inside", "airport_inside", "computerroom")
    members: dict[str, bytes] = {}
    train, test = [], []
    for c, category in enumerate(chosen):
        for j in range(4):
            entry = f"{category}/img_{c}{j}.jpg"
            members[f"{IMAGE_DIR}/{entry}"] = encode_image(
                fixture_image(10 * c + j, 12, 14), "JPEG"
            )
            (test if j == 3 else train).append(entry)
    members[TRAIN_LIST] = "\n".join(train).encode()
    members[TEST_LIST] = "\n".join(test).encode()
    write_zip(raw_dir / ARCHIVE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="MIT Indoor Scenes (Indoor-67)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://web.mit.edu/torralba/www/indoor.html",
        paper_title="Recognizing Indoor Scenes (Quattoni & Torralba, CVPR 2009)",
        paper_url="https://people.csail.mit.edu/torralba/publications/indoor.pdf",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                ARCHIVE,
                "kaggle_dataset",
                "itsahmad/indoor-scenes-cvpr-2019",
                md5="b5a8ee875edc974ab49f4cad3b8607da",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the official TrainImages.txt list drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0)) in its file order; the official TestImages.txt → test "
        "(the lists hold 5,360 and 1,340 images)",
        notes="Source: the Kaggle copy the reference uses (indoorCVPR_09/Images plus the two official "
        "lists). Label = the category before the '/' of each list line, in the reference's order. "
        "Images are read straight from the zip in list order (no unpacking). A listed image absent "
        "from the zip is a layout error (the reference would stop there too).",
    )
)
