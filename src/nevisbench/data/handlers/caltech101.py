"""Caltech 101: 9,144 images of 101 object categories plus a background class, as TFDS splits them.

TFDS (``caltech101``, 3.0.x) puts 30 images of each class, drawn with ``np.random.seed(1234)``, in its
``train`` split and the rest in ``test``; the reference then takes contiguous slices of TFDS's ``train``
(TFDS-A). TFDS stores a split in the order of the MD5 of ``split name + example key``; that order is
reproduced here, so the slices hold the same images as the paper's for the same 30-per-class draw.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "caltech101"
_FILE = "101_ObjectCategories.tar.gz"
_TOP = "101_ObjectCategories"
TRAIN_PER_CLASS = 30
TFDS_SEED = 1234
TFDS_A = (("train", 0.7), ("dev", 0.15), ("dev_test", 1.0))

# TFDS's label names: the class folders lower-cased, in sorted order (BACKGROUND_Google is a class).
CLASS_NAMES = (
    "accordion", "airplanes", "anchor", "ant", "background_google", "barrel", "bass", "beaver",
    "binocular", "bonsai", "brain", "brontosaurus", "buddha", "butterfly", "camera", "cannon",
    "car_side", "ceiling_fan", "cellphone", "chair", "chandelier", "cougar_body", "cougar_face",
    "crab", "crayfish", "crocodile", "crocodile_head", "cup", "dalmatian", "dollar_bill", "dolphin",
    "dragonfly", "electric_guitar", "elephant", "emu", "euphonium", "ewer", "faces", "faces_easy",
    "ferry", "flamingo", "flamingo_head", "garfield", "gerenuk", "gramophone", "grand_piano",
    "hawksbill", "headphone", "hedgehog", "helicopter", "ibis", "inline_skate", "joshua_tree",
    "kangaroo", "ketch", "lamp", "laptop", "leopards", "llama", "lobster", "lotus", "mandolin",
    "mayfly", "menorah", "metronome", "minaret", "motorbikes", "nautilus", "octopus", "okapi",
    "pagoda", "panda", "pigeon", "pizza", "platypus", "pyramid", "revolver", "rhino", "rooster",
    "saxophone", "schooner", "scissors", "scorpion", "sea_horse", "snoopy", "soccer_ball",
    "stapler", "starfish", "stegosaurus", "stop_sign", "strawberry", "sunflower", "tick",
    "trilobite", "umbrella", "watch", "water_lilly", "wheelchair", "wild_cat", "windsor_chair",
    "wrench", "yin_yang",
)  # fmt: skip


def tfds_partition(
    folders: dict[str, list[str]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """TFDS's draw: ``(folder, file)`` pairs of its train split (30 per class) and of its test split.

    One RandomState(1234) draws ``choice(files, 30, replace=False)`` for each class folder in turn, as
    TFDS does with the global NumPy state; folders and files are taken in sorted (byte) order.
    """
    state = np.random.RandomState(TFDS_SEED)
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str]] = []
    for folder in sorted(folders):
        files = sorted(folders[folder])
        if len(files) < TRAIN_PER_CLASS:
            raise ValueError(
                f"dataset {DATASET}: class folder {folder} has {len(files)} files, fewer than the "
                f"{TRAIN_PER_CLASS} that TFDS puts in train"
            )
        chosen = [str(name) for name in state.choice(files, TRAIN_PER_CLASS, replace=False)]
        taken = set(chosen)
        # TFDS draws among every file of the folder but keeps only the .jpg ones.
        train.extend((folder, name) for name in chosen if name.endswith(".jpg"))
        test.extend((folder, name) for name in files if name not in taken and name.endswith(".jpg"))
    return train, test


def _folders(base: Path) -> dict[str, list[str]]:
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    folders: dict[str, list[str]] = {}
    for folder in base.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        if folder.name.lower() not in index:
            raise layout_error(DATASET, _FILE, f"a known class for folder {_TOP}/{folder.name}/")
        folders[folder.name] = [
            p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
        ]
    if not folders:
        raise layout_error(DATASET, _FILE, f"class folders under {_TOP}/")
    return folders


def _ordered(base: Path, pairs: list[tuple[str, str]], split: str) -> list[Example]:
    """The ``(folder, file)`` pairs' examples in TFDS's stored order of ``split``."""
    # TFDS's example key is "<folder>/<file>".
    ordered = tfds_order(pairs, split, key=lambda pair: f"{pair[0]}/{pair[1]}")
    return [
        Example(base / folder / name, CLASS_NAMES.index(folder.lower()), f"{_TOP}/{folder}/{name}")
        for folder, name in ordered
    ]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    base = extracted_dir(raw_dir, _FILE) / _TOP
    if not base.is_dir():
        raise layout_error(DATASET, _FILE, f"folder {_TOP}/")
    train_pairs, test_pairs = tfds_partition(_folders(base))
    out = contiguous_split(_ordered(base, train_pairs, "train"), TFDS_A)
    out["test"] = _ordered(base, test_pairs, "test")
    return out


def make_fixture(raw_dir: Path) -> None:
    # Two classes (one with the real archive's upper-case folder name) of 32 images: 30 of each go to
    # TFDS's train, so train/dev/dev_test get 42/9/9 and test 4.
    members: dict[str, bytes] = {}
    for c, folder in enumerate(("Faces_easy", "accordion")):
        for i in range(1, 33):
            image = fixture_image(100 * c + i, 8, 8)
            members[f"{_TOP}/{folder}/image_{i:04d}.jpg"] = encode_image(image, "JPEG", quality=90)
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Caltech 101",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://data.caltech.edu/records/mzrjq-6wc02",
        paper_title="Learning Generative Visual Models from Few Training Examples: An Incremental "
        "Bayesian Approach Tested on 101 Object Categories (Fei-Fei, Fergus & Perona, CVPR Workshop "
        "on Generative-Model Based Vision, 2004)",
        paper_url="https://doi.org/10.1109/CVPR.2004.383",
        license="CC BY 4.0 (CaltechDATA record)",
        artefacts=(
            Artefact(
                _FILE,
                "gdrive",
                "137RyRjvTBkBiIfeYBNZBtViDHQ6_Ewsp",
                md5="b224c7392d521a49829488ab0f1120d9",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS caltech101: TFDS train = 30 images per class drawn with "
        "np.random.seed(1234) (3,060), TFDS test = the rest (6,084); train = the first int(.7N) of TFDS "
        "train in TFDS's stored order (MD5 of 'train' + '<folder>/<file>'), dev = the next int(.15N), "
        "dev_test = the rest (2,142 / 459 / 459); test = TFDS test",
        notes="Labels are TFDS's: the class folder lower-cased, numbered in sorted order (102 classes, "
        "BACKGROUND_Google included, Faces and Faces_easy kept apart). TFDS's stored order is "
        "reproduced exactly (MD5 of split name + key '<folder>/<file>', ascending), but its "
        "30-per-class draw walks folders and files in the directory-listing order of the machine "
        "that built TFDS's copy (tf.io.gfile.listdir, unsorted), and one RandomState serves every "
        "class in turn. The keys name each example, not the order it was drawn in, so that order "
        "cannot be recovered from them; we draw in sorted (byte) order, which is exact only if that "
        "machine listed folders sorted. Train/test membership, and so the slices, may differ from "
        "the paper's. "
        "The archive is the TFDS 3.0.1 source (the Google Drive copy of 101_ObjectCategories.tar.gz); "
        "the annotations (Annotations.tar) are not used.",
    )
)
