"""Pneumonia chest X-ray (Kermany et al.): paediatric chest radiographs, normal or pneumonia, from Kaggle."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._chest_xray import folder_labelled
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_val_split
from nevisbench.values import TaskKind

DATASET = "pneumonia_chest_xray"
_KAGGLE = "paultimothymooney/chest-xray-pneumonia"
_FILE = kaggle_zip(_KAGGLE)
# The zip holds the data twice (chest_xray/{train,val,test} and chest_xray/chest_xray/...) plus a
# __MACOSX copy; the reference reads chest_xray/chest_xray/ only.
_ROOT = "chest_xray/chest_xray"

CLASS_NAMES = ("NORMAL", "PNEUMONIA")


def _split(raw_dir: Path, split: str) -> list[Example]:
    root = extracted_dir(raw_dir, _FILE) / _ROOT / split
    return folder_labelled(root, CLASS_NAMES, DATASET, _FILE, prefix=f"{_ROOT}/{split}/")


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return official_train_val_split(
        _split(raw_dir, "train"), _split(raw_dir, "val"), _split(raw_dir, "test")
    )


def make_fixture(raw_dir: Path) -> None:
    paths = []
    for split, count in (("train", 24), ("val", 4), ("test", 4)):
        for k in range(count):
            label = CLASS_NAMES[k % 2]
            paths.append(f"{_ROOT}/{split}/{label}/IM-{k:04d}-0001.jpeg")
    members = image_members(paths, seed=300, channels=1, fmt="JPEG")
    # What the reference ignores: the duplicate top-level copy, macOS metadata, .DS_Store.
    members["chest_xray/train/NORMAL/IM-9999-0001.jpeg"] = members[paths[0]]
    members["chest_xray/__MACOSX/chest_xray/._train"] = b"\0"
    members[f"{_ROOT}/.DS_Store"] = b"\0"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Chest X-ray images (pneumonia)",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/paultimothymooney/chest-xray-pneumonia",
        paper_title="Identifying Medical Diagnoses and Treatable Diseases by Image-Based Deep Learning "
        "(Kermany et al., Cell 2018)",
        paper_url="https://doi.org/10.1016/j.cell.2018.02.010",
        license="CC BY 4.0 (as stated on the Kaggle page and Mendeley Data)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="930763e3580e76de9c2c849ec933b5d6",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T2: the official train folder drawn train .8 / dev .2 (RandomState(0), "
        "sorted path order, as the reference's sorted zip listing); the official val folder → dev_test; "
        "the official test folder → test",
        notes="Only chest_xray/chest_xray/ is read (the zip also holds a top-level copy and a __MACOSX "
        "folder), as the reference does; label = the image's folder (NORMAL / PNEUMONIA). The official "
        "val folder has only 16 images, so dev_test is tiny.",
    )
)
