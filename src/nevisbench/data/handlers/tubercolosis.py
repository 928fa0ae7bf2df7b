"""Tuberculosis chest X-ray database (Rahman et al.): normal or tuberculosis radiographs, from Kaggle.

The id keeps the reference's spelling."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._chest_xray import folder_labelled
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "tubercolosis"
_KAGGLE = "tawsifurrahman/tuberculosis-tb-chest-xray-dataset"
_FILE = kaggle_zip(_KAGGLE)
_TOP = "TB_Chest_Radiography_Database"

CLASS_NAMES = ("Normal", "Tuberculosis")


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    # Every image of the zip, labelled by its folder, in sorted path order (the reference's order).
    examples = folder_labelled(extracted_dir(raw_dir, _FILE), CLASS_NAMES, DATASET, _FILE)
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    paths = [f"{_TOP}/{CLASS_NAMES[k % 2]}/{CLASS_NAMES[k % 2]}-{k + 1}.png" for k in range(40)]
    members = image_members(paths, seed=400, channels=3)
    members[f"{_TOP}/Normal.metadata.xlsx"] = b"PK not really"
    members[f"{_TOP}/README.md.txt"] = b"readme"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Tuberculosis (TB) chest X-ray database",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/tawsifurrahman/tuberculosis-tb-chest-xray-dataset",
        paper_title="Reliable Tuberculosis Detection Using Chest X-Ray With Deep Learning, Segmentation "
        "and Visualization (Rahman et al., IEEE Access 2020)",
        paper_url="https://doi.org/10.1109/ACCESS.2020.3031384",
        license="unknown: see the homepage (the Kaggle page asks to cite the paper)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="3abdda8a1100ff97c9dce7cc2413d941",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0), sorted path order, as the reference's sorted zip listing)",
        notes="Stored as RGB, as the reference (which converts to RGB) does, though the radiographs are "
        "grey. Label = the image's folder (Normal / Tuberculosis); non-image files (metadata .xlsx, "
        "README) are ignored.",
    )
)
