"""Belgium Traffic Sign Classification (BelgiumTSC): cropped signs of 62 types."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, relative_name, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "belgium_tsc"
NAMES_FILE = "reducedSetTS.txt"
TRAIN = "BelgiumTSC_Training.zip"
TEST = "BelgiumTSC_Testing.zip"

# The sign codes reducedSetTS.txt lists after its header line, one per class folder 00000..00061.
CLASS_NAMES = (
    "A13", "A14", "A15", "A1A", "A1B", "A1C", "A1D", "A23", "A25", "A29", "A31", "A33", "A41",
    "A51", "A7A", "A7B", "A7C", "B15A", "B17", "B1", "B19", "B5", "C1", "C11", "C21", "C23", "C27",
    "C29", "C3", "C31LEFT", "C31RIGHT", "C35", "C43", "D10", "D1a", "D1b", "D3b", "D5", "D7", "D9",
    "E1", "E3", "E5", "E7", "B21", "E9a", "E9a_miva", "E9b", "E9c", "E9d", "E9e", "F12a", "F12b",
    "F19", "F45", "F47", "F49", "F50", "F59", "F87", "B11", "B9",
)  # fmt: skip


def _check_names(raw_dir: Path) -> None:
    lines = list(iter_lines(require(raw_dir / NAMES_FILE, DATASET, NAMES_FILE).read_bytes()))
    if len(lines) - 1 != len(CLASS_NAMES):  # a header line, then one line per class
        raise layout_error(
            DATASET, NAMES_FILE, f"{len(CLASS_NAMES)} class lines after the header (found {len(lines) - 1})"
        )


def _read(raw_dir: Path, filename: str) -> list[Example]:
    root = require(extracted_dir(raw_dir, filename), DATASET, filename)
    out = []
    # <Training|Testing>/<class number, 5 digits>/<file>.ppm in sorted member order; the per-class
    # GT-*.csv files are not images.
    for path in list_files(root):
        name = relative_name(path, root)
        folder = path.parent.name
        if not folder.isdigit() or int(folder) >= len(CLASS_NAMES):
            raise layout_error(DATASET, filename, f"a class folder 00000..00061 for {name}")
        out.append(Example(path, int(folder), name))
    if not out:
        raise layout_error(DATASET, filename, "class folders of images (e.g. 00000/*.ppm)")
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    _check_names(raw_dir)
    return official_train_split(_read(raw_dir, TRAIN), _read(raw_dir, TEST))


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / NAMES_FILE).write_text("62 used traffic signs types\n" + "\n".join(CLASS_NAMES) + "\n")
    layout = ((TRAIN, "Training", (0, 1, 2, 7, 19, 21, 61)), (TEST, "Testing", (3, 19, 61)))
    for filename, top, labels in layout:
        members: dict[str, bytes] = {}
        for label in labels:
            members[f"{top}/{label:05d}/GT-{label:05d}.csv"] = b"Filename;Width;Height;ClassId\n"
            for k in range(2):
                members[f"{top}/{label:05d}/{label * 3:05d}_{k:05d}.ppm"] = encode_image(
                    fixture_image(label * 10 + k), "PPM"
                )
        members[f"{top}/Readme.txt"] = b"BelgiumTSC\n"
        write_zip(raw_dir / filename, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Belgium Traffic Sign Classification (BelgiumTSC)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://btsd.ethz.ch/shareddata/",
        paper_title="Multi-view Traffic Sign Detection, Recognition, and 3D Localisation "
        "(Timofte, Zimmermann & Van Gool, Machine Vision and Applications 2014)",
        paper_url="https://doi.org/10.1007/s00138-011-0391-3",
        artefacts=(
            Artefact(
                NAMES_FILE,
                "url",
                "https://btsd.ethz.ch/shareddata/BelgiumTS/" + NAMES_FILE,
                md5="e6052a024e24060e5cec84fbda34fb5e",
            ),
            Artefact(
                TRAIN,
                "url",
                "http://www.vision.ee.ethz.ch/~timofter/BelgiumTSC/" + TRAIN,
                md5="c727ca9d00e3964ca676286a1808ccee",
                extract=True,
            ),
            Artefact(
                TEST,
                "url",
                "http://www.vision.ee.ethz.ch/~timofter/BelgiumTSC/" + TEST,
                md5="d208de4566388791c0028da8d6a545cc",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the official training images drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0)) in sorted member-path order; the official testing images "
        "are the test split",
        notes="Label = the number of the image's class folder (00000..00061), as the reference. "
        "Class names are the sign codes of reducedSetTS.txt (one per folder, after its header "
        "'62 used traffic signs types'), taken from third-party copies of that file (several "
        "independent public repositories list the same 62 codes in the same order and map folder "
        "NNNNN to the NNNNN-th code), not from the official download; "
        "the converter checks that the file lists 62 classes, as the reference does, but labels "
        "never depend on it. Only image files are read (the GT-*.csv and text files are skipped, "
        "as in the reference).",
    )
)
