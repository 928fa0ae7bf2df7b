"""CVC-MUSCIMA writer identification: 1,000 grey handwritten music scores (50 writers × 20 pages)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import read_members, stream_zip_members, zip_names
from nevisbench.data.handlers._fixtures import encode_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "cvc_muscima"
IMAGES = "CVCMUSCIMA_WI.zip"
PARTITIONS = "Partitions_Set.zip"
IMAGE_PREFIX = "CVCMUSCIMA_WI/PNG_GT_Gray"
TRAIN_LIST = "Partitions_Set/set_2_Independent/set_2_training_01.txt"
TEST_LIST = "Partitions_Set/set_2_Independent/set_2_testing_01.txt"

# The reference's label order (writer folder names, in its own order).
CLASS_NAMES = (
    "w-23", "w-14", "w-18", "w-11", "w-40", "w-42", "w-28", "w-03", "w-05", "w-34", "w-36",
    "w-37", "w-12", "w-31", "w-06", "w-22", "w-25", "w-21", "w-38", "w-48", "w-32", "w-07",
    "w-39", "w-15", "w-10", "w-17", "w-45", "w-50", "w-02", "w-08", "w-01", "w-20", "w-35",
    "w-29", "w-46", "w-47", "w-13", "w-30", "w-33", "w-09", "w-16", "w-49", "w-43", "w-44",
    "w-24", "w-19", "w-04", "w-26", "w-41", "w-27",
)  # fmt: skip
_INDEX = {name: label for label, name in enumerate(CLASS_NAMES)}


def _listed(data: bytes) -> set[str]:
    # One "<writer>/<page>.png" per line, as the reference compares them (stripped).
    return {line.strip() for line in data.decode("utf-8").splitlines()}


def select(names: Sequence[str], listed: set[str]) -> list[tuple[str, int]]:
    """The grey-image members (sorted) whose ``<writer>/<file>`` is listed, with their labels."""
    out = []
    for name in sorted(names):
        if name.endswith("/") or not name.startswith(IMAGE_PREFIX):
            continue
        writer = posixpath.basename(posixpath.dirname(name))
        if f"{writer}/{posixpath.basename(name)}" not in listed:
            continue
        if writer not in _INDEX:
            raise layout_error(DATASET, IMAGES, f"writer {writer} (of {name}) among the 50 writers")
        out.append((name, _INDEX[writer]))
    return out


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    lists = read_members(raw_dir / PARTITIONS, DATASET, (TRAIN_LIST, TEST_LIST))
    names = zip_names(raw_dir / IMAGES, DATASET)
    train = select(names, _listed(lists[TRAIN_LIST]))
    test = select(names, _listed(lists[TEST_LIST]))
    if not train or not test:
        raise layout_error(
            DATASET, IMAGES, f"{IMAGE_PREFIX}/<writer>/<page>.png images of the partition"
        )
    splits = official_train_split(train, test)
    return {
        split: stream_zip_members(raw_dir / IMAGES, DATASET, members)
        for split, members in splits.items()
    }


def _score(seed: int) -> np.ndarray:
    # White paper with five dark staff lines and a few grey marks.
    rng = np.random.default_rng(seed)
    page = np.full((20, 16), 250, dtype=np.uint8)
    page[4:17:3, :] = 20
    page[rng.integers(0, 20, 6), rng.integers(0, 16, 6)] = 90
    return page


def make_fixture(raw_dir: Path) -> None:
    # 6 writers × 5 pages, in the grey folder and in one other version (which is not read).
    writers = ("w-01", "w-02", "w-23", "w-27", "w-40", "w-50")
    images: dict[str, bytes] = {}
    train, test = [], []
    for w, writer in enumerate(writers):
        for page in range(1, 6):
            data = encode_image(_score(10 * w + page))
            images[f"{IMAGE_PREFIX}/{writer}/p{page:03d}.png"] = data
            images[f"CVCMUSCIMA_WI/PNG_GT_BW/{writer}/p{page:03d}.png"] = data
            (test if page == 5 else train).append(f"{writer}/p{page:03d}.png")
    write_zip(raw_dir / IMAGES, images)
    partitions = {
        TRAIN_LIST: ("\n".join(train) + "\n").encode(),
        TEST_LIST: ("\n".join(test) + "\n").encode(),
        "Partitions_Set/set_1_Dependent/set_1_training_01.txt": b"w-01/p001.png\n",
    }
    write_zip(raw_dir / PARTITIONS, partitions)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="CVC-MUSCIMA (writer identification)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://wwwo.cvc.uab.es/cvcmuscima/index_database.html",
        paper_title="CVC-MUSCIMA: a ground truth of handwritten music score images for writer "
        "identification and staff removal (Fornés, Dutta, Gordo & Lladós, IJDAR 15(3), 2012)",
        paper_url="https://doi.org/10.1007/s10032-011-0168-2",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                IMAGES,
                "url",
                "http://wwwo.cvc.uab.es/cvcmuscima/" + IMAGES,
                md5="33d7464a3dc376a9456bbfe7aad8c18f",
            ),
            Artefact(
                PARTITIONS,
                "url",
                "http://wwwo.cvc.uab.es/cvcmuscima/" + PARTITIONS,
                md5="dd22cff47fd50ca01ee077b757a978cd",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3 over the official writer-independent partition 01 "
        "(set_2_Independent): its training list drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)) in sorted member order; its testing list → test",
        notes="Images: the grey version (PNG_GT_Gray) only; label = writer folder, in the reference's "
        "order. Read straight from the zip (only one of its image versions is used, so it is not "
        "unpacked). The reference walks the zip in archive order; we use sorted member order, so T3 "
        "membership may differ from the paper's. The partition lists are read as one "
        "'<writer>/<page>.png' per line (e.g. w-14/p001.png), as the reference compares them; the "
        "files themselves were not available to check.",
    )
)
