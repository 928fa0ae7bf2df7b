"""NIH ChestX-ray14 (Wang et al.): 112,120 frontal chest X-rays with 14 finding labels plus "No Finding"."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip, layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "nih_chest_xray"
_KAGGLE = "nih-chest-xrays/data"
_FILE = kaggle_zip(_KAGGLE)
_TRAIN_LIST = "train_val_list.txt"
_TEST_LIST = "test_list.txt"
_LABELS_CSV = "Data_Entry_2017.csv"

# The reference's label order.
CLASS_NAMES = (
    "Atelectasis", "Consolidation", "Infiltration", "Pneumothorax", "Edema", "Emphysema", "Fibrosis",
    "Effusion", "Pneumonia", "Pleural_Thickening", "Cardiomegaly", "Nodule", "Mass", "Hernia", "No Finding",
)  # fmt: skip


def parse_labels(data: bytes) -> dict[str, list[int]]:
    """``{image file name: positive class indices}`` from Data_Entry_2017.csv ("Finding Labels" is
    the second column, findings separated by '|')."""
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    next(rows, None)  # the header
    out: dict[str, list[int]] = {}
    for row in rows:
        if len(row) < 2:
            continue
        names = row[1].split("|")
        unknown = [name for name in names if name not in index]
        if unknown:
            raise layout_error(
                DATASET,
                _FILE,
                f"finding {unknown[0]!r} (of {row[0]} in {_LABELS_CSV}) among {list(CLASS_NAMES)}",
            )
        out[row[0]] = [index[name] for name in names]
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    labels = parse_labels(require(root / _LABELS_CSV, DATASET, _FILE, root).read_bytes())
    train_names = set(iter_lines(require(root / _TRAIN_LIST, DATASET, _FILE, root).read_bytes()))
    test_names = set(iter_lines(require(root / _TEST_LIST, DATASET, _FILE, root).read_bytes()))
    pool: list[Example] = []
    test: list[Example] = []
    # Images in sorted path order (images_001/images/… first), as the reference's sorted zip listing;
    # an image belongs to the lists that name its file name.
    for path in list_files(root, (".png",)):
        name = path.name
        if name not in train_names and name not in test_names:
            continue
        if name not in labels:
            raise layout_error(DATASET, _FILE, f"the labels of {name} in {_LABELS_CSV}")
        relative = path.relative_to(root).as_posix()
        if name in train_names:
            pool.append(Example(path, labels[name], relative))
        if name in test_names:
            test.append(Example(path, labels[name], relative))
    if not pool or not test:
        raise layout_error(DATASET, _FILE, "images named in train_val_list.txt and test_list.txt")
    return official_train_split(pool, test)


def make_fixture(raw_dir: Path) -> None:
    names = [f"{patient:08d}_{visit:03d}.png" for patient in range(1, 9) for visit in range(5)]
    paths = [f"images_{1 + k // 20:03d}/images/{name}" for k, name in enumerate(names)]
    members = image_members(paths, seed=800, channels=1)
    findings = []
    for k, name in enumerate(names):
        if k % 3 == 0:
            labels = "No Finding"
        elif k % 3 == 1:
            labels = CLASS_NAMES[k % 14]
        else:
            labels = f"{CLASS_NAMES[k % 14]}|{CLASS_NAMES[(k + 5) % 14]}"
        findings.append(f"{name},{labels},0,{k // 5 + 1},58,M,PA,2682,2749,0.143,0.143,")
    members[_LABELS_CSV] = (
        "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
        "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n" + "\n".join(findings) + "\n"
    ).encode()
    # Patients 1-6 train/val, 7-8 test (the official lists keep patients apart).
    members[_TRAIN_LIST] = "".join(f"{name}\n" for name in names[:30]).encode()
    members[_TEST_LIST] = "".join(f"{name}\n" for name in names[30:]).encode()
    members["BBox_List_2017.csv"] = b"Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
    members["README_CHESTXRAY.pdf"] = b"%PDF-1.4"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="NIH Chest X-ray (ChestX-ray14)",
        num_classes=15,
        kind=TaskKind.MULTI_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/datasets/nih-chest-xrays/data",
        paper_title="ChestX-ray8: Hospital-scale Chest X-ray Database and Benchmarks on Weakly-Supervised "
        "Classification and Localization of Common Thorax Diseases (Wang et al., CVPR 2017)",
        paper_url="https://openaccess.thecvf.com/content_cvpr_2017/papers/"
        "Wang_ChestX-ray8_Hospital-Scale_Chest_CVPR_2017_paper.pdf",
        license="CC0 1.0 as stated on the Kaggle page (the NIH release asks users to cite the paper and "
        "acknowledge the NIH Clinical Center)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="ddd3acbfa23adf60ac08312b3c4040e2",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the images named in train_val_list.txt drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0), sorted path order as the reference's sorted zip listing); the "
        "images named in test_list.txt → test (the official lists keep patients apart; the random "
        "draw does not)",
        notes="Multi-label: the positives are the '|'-separated findings of Data_Entry_2017.csv; 'No "
        "Finding' is a class of its own (index 14), as in the reference. Images named in neither list "
        "are left out; an image missing from the CSV is a layout error (the reference would stop).",
    )
)
