"""CBIS-DDSM (Lee et al.): full mammograms labelled benign / malignant / benign without callback, from Kaggle."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip, layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "ddsm"
_KAGGLE = "awsaf49/cbis-ddsm-breast-cancer-image-dataset"
_FILE = kaggle_zip(_KAGGLE)
_DICOM_INFO = "csv/dicom_info.csv"
_TRAIN_CSVS = ("csv/calc_case_description_train_set.csv", "csv/mass_case_description_train_set.csv")
_TEST_CSVS = ("csv/calc_case_description_test_set.csv", "csv/mass_case_description_test_set.csv")

CLASS_NAMES = ("BENIGN", "MALIGNANT", "BENIGN_WITHOUT_CALLBACK")


def _rows(root: Path, member: str) -> list[dict[str, str]]:
    data = require(root / member, DATASET, _FILE, root).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _column(row: dict[str, str], name: str, member: str) -> str:
    if name not in row:
        raise layout_error(DATASET, _FILE, f"column {name!r} of {member}")
    return row[name]


def _images_by_patient(root: Path) -> dict[str, list[str]]:
    """``{PatientID: image paths in dicom_info.csv order}``, each path rewritten as the zip stores it:
    ``jpeg/<folder>/<file>`` (dicom_info.csv gives ``CBIS-DDSM/jpeg/<folder>/<file>``)."""
    rows = _rows(root, _DICOM_INFO)
    out: dict[str, list[str]] = {}
    for row in rows:
        path = PurePosixPath(_column(row, "image_path", _DICOM_INFO))
        patient = _column(row, "PatientID", _DICOM_INFO)
        out.setdefault(patient, []).append(f"jpeg/{path.parent.name}/{path.name}")
    return out


def cases(
    root: Path, members: Iterable[str], images: dict[str, list[str]]
) -> list[tuple[str, int]]:
    """The reference's rows of one split: the case descriptions (calc then mass) joined with
    dicom_info.csv on the case's id (the first part of its 'image file path', which is the full
    mammogram's PatientID), then one row per image, the first one kept (so an image with several
    abnormalities takes the pathology of the first listed)."""
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    seen: set[str] = set()
    out: list[tuple[str, int]] = []
    for member in members:
        rows = _rows(root, member)
        for row in rows:
            patient = _column(row, "image file path", member).split("/")[0]
            pathology = _column(row, "pathology", member)
            if pathology not in index:
                raise layout_error(
                    DATASET,
                    _FILE,
                    f"pathology {pathology!r} (in {member}) among {list(CLASS_NAMES)}",
                )
            for image in images.get(patient, ()):
                if image not in seen:
                    seen.add(image)
                    out.append((image, index[pathology]))
    return out


def _examples(root: Path, rows: list[tuple[str, int]]) -> list[Example]:
    out = []
    for image, label in rows:
        out.append(Example(require(root / image, DATASET, _FILE, root), label, image))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    images = _images_by_patient(root)
    train = _examples(root, cases(root, _TRAIN_CSVS, images))
    test = _examples(root, cases(root, _TEST_CSVS, images))
    return official_train_split(train, test)


_CASE_HEADER = (
    "patient_id,breast density,left or right breast,image view,abnormality id,abnormality type,"
    "calc type,calc distribution,assessment,pathology,subtlety,image file path,"
    "cropped image file path,ROI mask file path"
)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    dicom = ["file_path,image_path,AccessionNumber,PatientID,SeriesDescription"]
    cases_by_file: dict[str, list[str]] = {name: [] for name in _TRAIN_CSVS + _TEST_CSVS}
    paths = []
    for k in range(34):
        kind = "Calc" if k % 2 == 0 else "Mass"
        test = k >= 26
        case = f"{kind}-{'Test' if test else 'Training'}_P_{k:05d}_LEFT_CC"
        full = f"1.3.6.1.4.1.9590.100.1.2.{1000 + k}"
        crop = f"1.3.6.1.4.1.9590.100.1.2.{5000 + k}"
        paths.append(f"jpeg/{full}/1-{k}.jpg")
        dicom.append(
            f"CBIS-DDSM/dicom/{full}/1-{k}.dcm,CBIS-DDSM/jpeg/{full}/1-{k}.jpg,,{case},full mammogram images"
        )
        # The cropped image belongs to the case's "_1" id, which no case row names: never used.
        dicom.append(
            f"CBIS-DDSM/dicom/{crop}/2-{k}.dcm,CBIS-DDSM/jpeg/{crop}/2-{k}.jpg,,{case}_1,cropped images"
        )
        pathology = CLASS_NAMES[k % 3]
        file = (_TEST_CSVS if test else _TRAIN_CSVS)[k % 2]
        # Quoted paths with a trailing newline, as in the real files.
        row = (
            f'P_{k:05d},3,LEFT,CC,1,{kind.lower()},,,4,{pathology},3,"{case}/{full}/000000.dcm\n",'
            f'"{case}_1/{crop}/000001.dcm\n",x'
        )
        cases_by_file[file].append(row)
        if k % 5 == 0:
            # A second abnormality of the same image, listed later: the first pathology wins.
            other = CLASS_NAMES[(k + 1) % 3]
            cases_by_file[file].append(
                f'P_{k:05d},3,LEFT,CC,2,{kind.lower()},,,4,{other},3,"{case}/{full}/000000.dcm\n",,x'
            )
    members.update(image_members(paths, seed=900, channels=1, fmt="JPEG"))
    members[_DICOM_INFO] = ("\n".join(dicom) + "\n").encode()
    for file, rows in cases_by_file.items():
        members[file] = (_CASE_HEADER + "\n" + "\n".join(rows) + "\n").encode()
    members["csv/meta.csv"] = b"SeriesInstanceUID,StudyInstanceUID\n"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="CBIS-DDSM (Curated Breast Imaging Subset of DDSM)",
        num_classes=3,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/awsaf49/cbis-ddsm-breast-cancer-image-dataset",
        paper_title="A curated mammography data set for use in computer-aided detection and diagnosis "
        "research (Lee et al., Scientific Data 2017)",
        paper_url="https://doi.org/10.1038/sdata.2017.177",
        license="CC BY 3.0 (The Cancer Imaging Archive's CBIS-DDSM collection)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="eba16e95a30193fcbda1d2668d96015f",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the full mammograms of the official calc + mass training case lists "
        "drawn train .70 / dev .15 / dev_test .15 (RandomState(0), in the order of the case rows: calc "
        "then mass, as the reference's merged table); those of the calc + mass test lists → test",
        notes="Full mammograms, not the cropped lesions, as the reference chose. Label = the case's "
        "pathology; an image with several abnormalities appears once, with the pathology of its first "
        "case row (the reference's drop_duplicates keeps the first). Cases are joined to images through "
        "dicom_info.csv's PatientID, as the reference does; an image listed there but absent from the "
        "zip is a layout error.",
    )
)
