"""COVID-19 Radiography Database (Chowdhury et al., Rahman et al.): 4 classes of chest X-rays, from Kaggle."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._chest_xray import folder_labelled
from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "covid_19_xray"
_KAGGLE = "tawsifurrahman/covid19-radiography-database"
_FILE = kaggle_zip(_KAGGLE)
_TOP = "COVID-19_Radiography_Dataset"

CLASS_NAMES = ("COVID", "Lung_Opacity", "Normal", "Viral Pneumonia")


def _class_folder(relative: Path) -> str | None:
    # The version the reference read has <class>/<image>.png. Later versions of the Kaggle dataset
    # have <class>/images/ and <class>/masks/ (lung masks, not X-rays): take images/, skip masks/.
    parent = relative.parent
    if parent.name == "masks":
        return None
    if parent.name == "images":
        return parent.parent.name
    return parent.name


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    examples = folder_labelled(
        extracted_dir(raw_dir, _FILE), CLASS_NAMES, DATASET, _FILE, label_folder=_class_folder
    )
    # The reference drops repeated (grey pixels, label) pairs before drawing the splits.
    return random_split(unique_by_pixels(examples, "L"), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    paths = [f"{_TOP}/{CLASS_NAMES[k % 4]}/{CLASS_NAMES[k % 4]}-{k + 1}.png" for k in range(44)]
    members = image_members(paths, seed=500, channels=1)
    # Two exact duplicates (same pixels, same class): the reference keeps the first only.
    members[f"{_TOP}/COVID/COVID-900.png"] = members[paths[0]]
    members[f"{_TOP}/Normal/Normal-900.png"] = members[paths[2]]
    members[f"{_TOP}/COVID.metadata.xlsx"] = b"PK not really"
    members[f"{_TOP}/README.md.txt"] = b"readme"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="COVID-19 Radiography Database",
        num_classes=4,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/tawsifurrahman/covid19-radiography-database",
        paper_title="Can AI Help in Screening Viral and COVID-19 Pneumonia? (Chowdhury et al., IEEE Access "
        "2020); Exploring the Effect of Image Enhancement Techniques on COVID-19 Detection Using Chest "
        "X-ray Images (Rahman et al., Computers in Biology and Medicine 2021)",
        paper_url="https://doi.org/10.1109/ACCESS.2020.3010287",
        license="unknown: see the homepage (the Kaggle page asks to cite the papers and the image sources)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="1888824db56de7f47b886a536961b763",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 after de-duplication: images in sorted path order (the reference's sorted "
        "zip listing), repeated (grey pixels, label) pairs dropped, then each drawn train .56 / dev .12 / "
        "dev_test .12 / test .20 (RandomState(0))",
        notes="Duplicates are found as the reference does: MD5 of the decoded image converted to grey, "
        "plus the label (so convert decodes every image once more). An image that fails to decode is "
        "kept for the store to count as corrupt (the reference would stop). The reference read the "
        "version with <class>/<image>.png; later Kaggle versions put X-rays in <class>/images/ beside "
        "lung masks in <class>/masks/: we read images/ and skip masks/ (such a version has another MD5).",
    )
)
