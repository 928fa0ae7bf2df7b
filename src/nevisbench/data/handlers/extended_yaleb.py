"""Extended Yale Face Database B: grey faces of 28 subjects under 9 poses and 64 lightings."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import (
    class_lookup,
    label_of,
    layout_error,
    list_files,
    relative_name,
    require,
)
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "extended_yaleb"
_FILE = "extended-yale-dataset-b.zip"

# The 28 subjects of the extension (yaleB11..yaleB39; there is no yaleB14), sorted, as the
# reference numbers them.
CLASS_NAMES = tuple(f"yaleB{k}" for k in range(11, 40) if k != 14)
_LABELS = class_lookup(CLASS_NAMES)

# The reference's split by pose: the more frontal poses train, the more extreme ones evaluate.
POSES = {
    "train": ("P00", "P02", "P03", "P04", "P07"),
    "dev": ("P05",),
    "dev_test": ("P01",),
    "test": ("P06", "P08"),
}
_SPLIT_OF_POSE = {pose: split for split, poses in POSES.items() for pose in poses}


def pose_of(file_name: str) -> str:
    """The pose of ``yaleB39_P03A+070E-35.pgm``: characters 8..10 of the name (``P03``)."""
    return file_name[8:11]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    out: dict[str, list[Example]] = {split: [] for split in POSES}
    for path in list_files(root, (".pgm",)):
        if path.name.endswith("Ambient.pgm"):  # the ambient (unlit) image of each pose
            continue
        name = relative_name(path, root)
        pose = pose_of(path.name)
        if pose not in _SPLIT_OF_POSE:
            raise layout_error(DATASET, _FILE, f"a pose P00..P08 in the file name {name}")
        label = label_of(_LABELS, path.name.split("_")[0], DATASET, _FILE, name)
        out[_SPLIT_OF_POSE[pose]].append(Example(path, label, name))
    if not any(out.values()):
        raise layout_error(DATASET, _FILE, "face images (yaleB*/yaleB*_P*.pgm)")
    return out


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    seed = 0
    for subject in ("yaleB11", "yaleB15", "yaleB39"):
        for pose in range(9):
            stem = f"{subject}/{subject}_P{pose:02d}"
            members[f"{stem}.info"] = f"{subject}_P{pose:02d}A+000E+00.pgm\n".encode()
            members[f"{subject}/{subject}_P{pose:02d}_Ambient.pgm"] = encode_image(
                fixture_image(pose, channels=1), "PPM"
            )
            for light in ("A+000E+00", "A-035E+40"):
                seed += 1
                members[f"{subject}/{subject}_P{pose:02d}{light}.pgm"] = encode_image(
                    fixture_image(seed, channels=1), "PPM"
                )
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Extended Yale Face Database B",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://vision.ucsd.edu/~leekc/ExtYaleDatabase/ExtYaleB.html",
        paper_title="Acquiring Linear Subspaces for Face Recognition under Variable Lighting "
        "(Lee, Ho & Kriegman, IEEE TPAMI 2005)",
        paper_url="https://doi.org/10.1109/TPAMI.2005.92",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                "souvadrahati/extended-yale-dataset-b",
                md5="ef37284be91fe0c81dcd96baa948a2db",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (by pose, from the file name yaleB<subject>_P<pose>...): "
        "train = poses P00, P02, P03, P04, P07; dev = P05; dev_test = P01; test = P06, P08 "
        "(every subject in every split; the task is to name the subject)",
        notes="Label = the subject id before the first '_' of the file name, numbered in sorted "
        "order as the reference. Only *.pgm files are read and the per-pose *_Ambient.pgm images "
        "(no face lighting) are skipped, as in the reference. Examples in sorted member-path "
        "order.",
    )
)
