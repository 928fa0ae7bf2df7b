"""Synthetic COVID-19 chest X-rays (Zunair & Hamza): GAN-made normal and COVID-19 radiographs."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._chest_xray import folder_labelled
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "synthetic_covid19_xray"
_RELEASE = "https://github.com/hasibzunair/synthetic-covid-cxr-dataset/releases/download/v0.1/"
# (file, MD5, the folder inside it): G1 holds the synthetic normal images, G2 the synthetic COVID-19
# ones; the reference names the classes Normal and Pneumonia.
_FILES = (
    ("G_NC.zip", "bd82149d00283fca892bc41e997a3070", "G1"),
    ("G_PC.zip", "acf56668f97be81fd8c05c4308f80c61", "G2"),
)
_FOLDER_TO_CLASS = {"G1": "Normal", "G2": "Pneumonia"}

CLASS_NAMES = ("Normal", "Pneumonia")


def _class_of(relative: Path) -> str | None:
    # The reference labels by the image's folder, which must be exactly G1 or G2 (else it stops).
    if relative.parent.as_posix() not in _FOLDER_TO_CLASS:
        raise layout_error(
            DATASET, "G_NC.zip / G_PC.zip", f"folder G1/ or G2/ for {relative.as_posix()}"
        )
    return _FOLDER_TO_CLASS[relative.parent.as_posix()]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    examples: list[Example] = []
    # The reference lists the download folder (unordered); we take the zips in name order.
    for filename, _, _ in _FILES:
        examples += folder_labelled(
            extracted_dir(raw_dir, filename), CLASS_NAMES, DATASET, filename, label_folder=_class_of
        )
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    for index, (filename, _, folder) in enumerate(_FILES):
        paths = [f"{folder}/{k}.png" for k in range(18)]
        write_zip(
            raw_dir / filename, image_members(paths, seed=600 + 50 * index, channels=3)
        )


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Synthetic COVID-19 Chest X-ray Dataset",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://github.com/hasibzunair/synthetic-covid-cxr-dataset",
        paper_title="Synthesis of COVID-19 Chest X-rays using Unpaired Image-to-Image Translation "
        "(Zunair & Hamza, Social Network Analysis and Mining 2021)",
        paper_url="https://doi.org/10.1007/s13278-021-00731-5",
        license="unknown: see the homepage",
        artefacts=tuple(
            Artefact(filename, "url", _RELEASE + filename, md5=md5, extract=True)
            for filename, md5, _ in _FILES
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) over G_NC.zip's images then G_PC.zip's, each in sorted path order",
        notes="Label by folder as the reference: G1 (in G_NC.zip) → Normal, G2 (in G_PC.zip) → "
        "Pneumonia (the reference's name for the synthetic COVID-19 class). The reference takes the two "
        "zips in directory-listing order, which is unspecified; we take them in name order, so split "
        "membership may differ from the paper's.",
    )
)
