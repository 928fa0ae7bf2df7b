"""German Traffic Sign Recognition Benchmark (GTSRB): about 51,800 sign crops of 43 classes."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, relative_name, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "german_tsr"
TRAIN = "GTSRB_Final_Training_Images.zip"
TEST = "GTSRB_Final_Test_Images.zip"
TEST_LABELS = "GTSRB_Final_Test_GT.zip"
LABEL_FILE = "GT-final_test.csv"
_URL = "https://sid.erda.dk/public/archives/daaeac0d7ce1152aea9b61d9f1e19370/"

# Class ids 0..42 (the folder numbers 00000..00042), named by the sign they show.
CLASS_NAMES = (
    "speed_limit_20", "speed_limit_30", "speed_limit_50", "speed_limit_60", "speed_limit_70",
    "speed_limit_80", "end_of_speed_limit_80", "speed_limit_100", "speed_limit_120", "no_passing",
    "no_passing_for_trucks", "right_of_way_at_next_intersection", "priority_road", "yield", "stop",
    "no_vehicles", "no_trucks", "no_entry", "general_caution", "dangerous_curve_left",
    "dangerous_curve_right", "double_curve", "bumpy_road", "slippery_road",
    "road_narrows_on_the_right", "road_work", "traffic_signals", "pedestrians",
    "children_crossing", "bicycles_crossing", "beware_of_ice_snow", "wild_animals_crossing",
    "end_of_all_speed_and_passing_limits", "turn_right_ahead", "turn_left_ahead", "ahead_only",
    "go_straight_or_right", "go_straight_or_left", "keep_right", "keep_left",
    "roundabout_mandatory", "end_of_no_passing", "end_of_no_passing_for_trucks",
)  # fmt: skip


def test_labels(raw_dir: Path) -> dict[str, int]:
    """``{test image file name: label}`` from GT-final_test.csv (``Filename;...;ClassId``)."""
    data = read_members(require(raw_dir / TEST_LABELS, DATASET, TEST_LABELS), DATASET, [LABEL_FILE])
    out: dict[str, int] = {}
    for line in data[LABEL_FILE].decode("utf-8", "replace").splitlines():
        fields = line.split(";")
        if len(fields) < 2 or not fields[-1].strip().isdigit():
            continue  # the header line
        out[fields[0].strip()] = int(fields[-1].strip())
    return out


def _check(label: int, filename: str, name: str) -> int:
    if not 0 <= label < len(CLASS_NAMES):
        raise layout_error(DATASET, filename, f"a class id 0..42 for {name}")
    return label


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    train_root = require(extracted_dir(raw_dir, TRAIN), DATASET, TRAIN)
    test_root = require(extracted_dir(raw_dir, TEST), DATASET, TEST)
    train = []
    # GTSRB/Final_Training/Images/<class, 5 digits>/<track>_<frame>.ppm, sorted member order.
    for path in list_files(train_root):
        name = relative_name(path, train_root)
        if not path.parent.name.isdigit():
            raise layout_error(DATASET, TRAIN, f"a class folder 00000..00042 for {name}")
        train.append(Example(path, _check(int(path.parent.name), TRAIN, name), name))
    labels = test_labels(raw_dir)
    test = []
    for path in list_files(test_root):  # GTSRB/Final_Test/Images/<number>.ppm
        name = relative_name(path, test_root)
        if path.name not in labels:
            raise layout_error(DATASET, TEST_LABELS, f"the label of {path.name} in {LABEL_FILE}")
        test.append(Example(path, _check(labels[path.name], TEST_LABELS, name), name))
    if not train or not test:
        raise layout_error(DATASET, TRAIN if not train else TEST, "*.ppm images")
    return official_train_split(train, test)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for label in (0, 14, 42):
        folder = f"GTSRB/Final_Training/Images/{label:05d}"
        members[f"{folder}/GT-{label:05d}.csv"] = b"Filename;Width;Height;ClassId\n"
        for k in range(4):
            members[f"{folder}/{k // 2:05d}_{k:05d}.ppm"] = encode_image(fixture_image(label + k), "PPM")
    members["GTSRB/Readme-Images.txt"] = b"GTSRB training images\n"
    write_zip(raw_dir / TRAIN, members)
    test_members: dict[str, bytes] = {}
    rows = ["Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"]
    for k, label in enumerate((3, 14, 42, 0)):
        test_members[f"GTSRB/Final_Test/Images/{k:05d}.ppm"] = encode_image(fixture_image(100 + k), "PPM")
        rows.append(f"{k:05d}.ppm;12;12;1;1;11;11;{label}")
    test_members["GTSRB/Final_Test/Images/GT-final_test.test.csv"] = b"Filename;Width;Height\n"
    write_zip(raw_dir / TEST, test_members)
    write_zip(raw_dir / TEST_LABELS, {LABEL_FILE: ("\r\n".join(rows) + "\r\n").encode()})


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="German Traffic Sign Recognition Benchmark (GTSRB)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://benchmark.ini.rub.de/gtsrb_dataset.html",
        paper_title="The German Traffic Sign Recognition Benchmark: A Multi-class Classification "
        "Competition (Stallkamp, Schlipsing, Salmen & Igel, IJCNN 2011)",
        paper_url="https://doi.org/10.1109/IJCNN.2011.6033395",
        artefacts=(
            Artefact(TRAIN, "url", _URL + TRAIN, md5="f33fd80ac59bff73c82d25ab499e03a3", extract=True),
            Artefact(TEST, "url", _URL + TEST, md5="c7e4e6327067d32654124b0fe9e82185", extract=True),
            Artefact(TEST_LABELS, "url", _URL + TEST_LABELS, md5="fe31e9c9270bbcd7b84b7f21a9d9d9e5"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the official training images drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0)) in sorted member-path order; the official test images "
        "(labels from GT-final_test.csv) are the test split",
        notes="Train label = the class folder number; test label = the last field of the image's "
        "row in GT-final_test.csv, as the reference. The sign images are used whole (the ROI "
        "columns are not applied, as in the reference). Class names are the signs' meanings.",
    )
)
