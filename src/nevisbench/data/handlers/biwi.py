"""BIWI Kinect head pose (Fanelli et al.): face images of 20 people (24 sequences), with yaw, pitch and
roll each cut into 5 equal-frequency bins: a 15-label multi-label task, one positive per angle."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip, layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "biwi"
_KAGGLE = "kmader/biwi-kinect-head-pose-database"
_FILE = kaggle_zip(_KAGGLE)
_POSE = "_pose.txt"
_BINS = 5
# The angles in the order the reference stores them (pyquaternion's yaw_pitch_roll order).
ANGLES = ("yaw", "pitch", "roll")

# Sequences (subject folders) per split: the reference's subject split.
SUBJECTS = {
    "train": (5, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
    "dev": (2, 7),
    "dev_test": (3, 9),
    "test": (1, 4, 8, 10),
}

CLASS_NAMES = tuple(f"{angle} bin {k}" for angle in ANGLES for k in range(_BINS))


def quaternion(rotation: np.ndarray) -> np.ndarray:
    """``(w, x, y, z)`` of a 3×3 rotation matrix (column-vector convention), by the branch on the
    diagonal that pyquaternion uses (the largest of w, x, y, z is computed from the trace terms)."""
    m = rotation.T
    if m[2, 2] < 0:
        if m[0, 0] > m[1, 1]:
            t = 1 + m[0, 0] - m[1, 1] - m[2, 2]
            q = [m[1, 2] - m[2, 1], t, m[0, 1] + m[1, 0], m[2, 0] + m[0, 2]]
        else:
            t = 1 - m[0, 0] + m[1, 1] - m[2, 2]
            q = [m[2, 0] - m[0, 2], m[0, 1] + m[1, 0], t, m[1, 2] + m[2, 1]]
    elif m[0, 0] < -m[1, 1]:
        t = 1 - m[0, 0] - m[1, 1] + m[2, 2]
        q = [m[0, 1] - m[1, 0], m[2, 0] + m[0, 2], m[1, 2] + m[2, 1], t]
    else:
        t = 1 + m[0, 0] + m[1, 1] + m[2, 2]
        q = [t, m[1, 2] - m[2, 1], m[2, 0] - m[0, 2], m[0, 1] - m[1, 0]]
    return np.asarray(q, dtype=np.float64) * (0.5 / math.sqrt(t))


def yaw_pitch_roll(rotation: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch, roll in degrees (intrinsic z-y'-x'', i.e. R = R_x(roll)·R_y(pitch)·R_z(yaw)), from
    the unit quaternion as pyquaternion computes them."""
    q = quaternion(rotation)
    w, x, y, z = q / np.linalg.norm(q)
    yaw = math.atan2(2 * (w * z - x * y), 1 - 2 * (y * y + z * z))
    pitch = math.asin(max(-1.0, min(1.0, 2 * (w * y + z * x))))
    roll = math.atan2(2 * (w * x - y * z), 1 - 2 * (x * x + y * y))
    return math.degrees(yaw), math.degrees(pitch), math.degrees(roll)


def parse_pose(data: bytes, name: str) -> np.ndarray:
    """The 3×3 rotation of a ``*_pose.txt`` (its first three lines; the head position follows)."""
    try:
        rows = [[float(v) for v in line.split()] for line in data.decode("utf-8").splitlines()[:3]]
        matrix = np.array(rows, dtype=np.float64)
    except ValueError:
        matrix = np.zeros(0)
    if matrix.shape != (3, 3):
        raise layout_error(DATASET, _FILE, f"a 3×3 rotation in the first lines of {name}")
    return matrix


def equal_frequency_edges(values: np.ndarray, bins: int = _BINS) -> np.ndarray:
    """``bins + 1`` edges: the sorted values interpolated at ``0, N/bins, …, N`` (the first is the
    minimum, the last the maximum)."""
    count = len(values)
    return np.interp(np.linspace(0, count, bins + 1), np.arange(count), np.sort(values))


def bin_of(value: float, edges: np.ndarray) -> int:
    """The bin (0-based) of ``value``: ``edges[j] <= value < edges[j + 1]``, the maximum in the last bin.

    These are the labels the reference trains on after its load-time repair (``_patch_biwi_minibatch``)."""
    return min(int(np.digitize(value, edges)), len(edges) - 1) - 1


def labels_of(angles: Sequence[Sequence[float]]) -> list[list[int]]:
    """Per image, its 3 positives: ``bin(yaw)``, ``5 + bin(pitch)``, ``10 + bin(roll)``, with edges
    computed over all images (all subjects) per angle."""
    table = np.asarray(angles, dtype=np.float64).reshape(-1, len(ANGLES))
    edges = [equal_frequency_edges(table[:, i]) for i in range(len(ANGLES))]
    return [[bin_of(row[i], edges[i]) + _BINS * i for i in range(len(ANGLES))] for row in table]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    if not root.is_dir():
        raise layout_error(DATASET, _FILE, "the unpacked archive")
    # Every pose file, in sorted path order; its image is <frame>_rgb.png beside it.
    images: list[str] = []
    angles: list[tuple[float, float, float]] = []
    for path in list_files(root, (".txt",)):
        if path.name.endswith(_POSE):
            relative = path.relative_to(root).as_posix()
            angles.append(yaw_pitch_roll(parse_pose(path.read_bytes(), relative)))
            images.append(relative[: -len(_POSE)] + "_rgb.png")
    if not images:
        raise layout_error(DATASET, _FILE, "*_pose.txt files under faces_0/<subject>/")
    label_of = dict(zip(images, labels_of(angles), strict=True))
    subject_split = {subject: split for split, subjects in SUBJECTS.items() for subject in subjects}
    out: dict[str, list[Example]] = {split: [] for split in SUBJECTS}
    for path in list_files(root, (".png",)):
        relative = path.relative_to(root).as_posix()
        if relative not in label_of:
            continue  # depth masks and other images without a pose
        folder = path.parent.name
        if len(folder) != 2 or not folder.isdigit():
            raise layout_error(DATASET, _FILE, f"a two-digit subject folder for {relative}")
        split = subject_split.get(int(folder))
        if split is not None:
            out[split].append(Example(path, label_of[relative], relative))
    return out


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """R = R_x(roll)·R_y(pitch)·R_z(yaw), angles in degrees."""
    a, b, c = (math.radians(v) for v in (yaw, pitch, roll))
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rx = np.array([[1, 0, 0], [0, math.cos(c), -math.sin(c)], [0, math.sin(c), math.cos(c)]])
    return rx @ ry @ rz


def pose_text(yaw: float, pitch: float, roll: float) -> bytes:
    """A ``*_pose.txt`` in the dataset's format: the rotation (3 lines), a blank line, the position."""
    rows = [" ".join(f"{v:.6f}" for v in row) for row in _rotation(yaw, pitch, roll)]
    return ("\n".join(rows) + " \n\n88.7665 -4.08406 878.874 \n").encode()


def fixture_poses() -> dict[str, tuple[float, float, float]]:
    """``{image path: (yaw, pitch, roll)}`` of the fixture: 6 frames of subjects 01-07 and 09."""
    out = {}
    for subject in (1, 2, 3, 4, 5, 6, 7, 9):
        for frame in range(6):
            k = subject * 6 + frame
            out[f"faces_0/{subject:02d}/frame_{3 + frame:05d}_rgb.png"] = (
                (k * 37) % 120 - 60.0,
                (k * 23) % 80 - 40.0,
                (k * 11) % 60 - 30.0,
            )
    return out


def make_fixture(raw_dir: Path) -> None:
    poses = fixture_poses()
    members = image_members(list(poses), seed=1500, channels=3)
    for image, angles in poses.items():
        frame = image[: -len("_rgb.png")]
        members[frame + _POSE] = pose_text(*angles)
        members[frame + "_depth.bin"] = b"\0\0\0\0"
    members["faces_0/01/rgb.cal"] = b"517.679 0 320\n"
    members["faces_0/01/depth.cal"] = b"575.816 0 320\n"
    members["head_pose_masks/01/frame_00003_depth_mask.png"] = members[
        "faces_0/01/frame_00003_rgb.png"
    ]
    members["faces_0/readme.txt"] = b"BIWI"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="BIWI Kinect head pose (binned yaw / pitch / roll)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/datasets/kmader/biwi-kinect-head-pose-database",
        paper_title="Random Forests for Real Time 3D Face Analysis (Fanelli, Dantone, Gall, Fossati & "
        "Van Gool, IJCV 2013)",
        paper_url="https://doi.org/10.1007/s11263-012-0549-0",
        license="unknown: see the homepage (the original release is for research use only)",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="59d49d96e5719f248f6d66f8ff205569",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule, by sequence (subject folder under faces_0/): test 01, 04, 08, 10; "
        "dev_test 03, 09; dev 02, 07; train 05, 06, 11-24; images in sorted path order",
        notes="Labels: each pose file's rotation → quaternion → yaw, pitch, roll (degrees) as pyquaternion "
        "computes them (the reference's label groups are yaw 0-4, pitch 5-9, roll 10-14, despite its "
        "angle list reading roll, pitch, yaw); each angle cut into 5 bins with equal-frequency edges "
        "over all images, an angle's maximum in its last bin. The reference repairs an off-by-one of its "
        "stored labels at load time (_patch_biwi_minibatch: an angle with no positive gets the last bin, "
        "a spill-over into the next angle's first bin is removed); the repair leaves one-positive-per-"
        "angle labels unchanged, so we store the repaired labels directly. pyquaternion "
        "refuses a matrix that is not orthogonal to 1e-4; we do not check.",
    )
)
