"""CMU AMP face expression database: 75 grey 64×64 images of each of 13 people, varying expression."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import tree_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "cmu_amp_expression"
_FILE = "faceExpressionDatabase.zip"
NUM_CLASSES = 13
IMAGES_PER_CLASS = 75
SEED = 1
CLASS_NAMES = tuple(chr(ord("A") + label) for label in range(NUM_CLASSES))


def split_sizes() -> tuple[int, int, int]:
    """Train, dev and dev_test images per class, computed as the reference computes them: 20% test,
    then 70/15/15 of the rest, each truncated to an int. In floating point 0.8·0.7·75 is just
    below 42, so train gets 41 and test the remaining 16 (not the 42/9/9/15 one might expect)."""
    ratios = np.array([(1 - 0.2) * (1 - 0.15 - 0.15), (1 - 0.2) * 0.15, (1 - 0.2) * 0.15])
    train, dev, dev_test = (IMAGES_PER_CLASS * ratios).astype(np.int32)
    return int(train), int(dev), int(dev_test)


def file_splits() -> dict[str, str]:
    """``{file name: split}`` for every file the rule names (``A00.bmp`` .. ``M74.bmp``): per
    class in label order, one ``default_rng(1)`` permutation of the 75 image numbers, cut into
    train, dev, dev_test and the rest as test."""
    train, dev, dev_test = split_sizes()
    bounds = np.cumsum([train, dev, dev_test])
    rng = np.random.default_rng(SEED)
    out: dict[str, str] = {}
    for letter in CLASS_NAMES:
        parts = np.split(rng.permutation(IMAGES_PER_CLASS), bounds)
        for split, numbers in zip(("train", "dev", "dev_test", "test"), parts, strict=True):
            for number in numbers:
                out[f"{letter}{int(number):02d}.bmp"] = split
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    assignment = file_splits()
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    # Sorted, as the reference reads the zip; files the rule does not name (readme.txt, any
    # other) are skipped, as the reference's filter skips them.
    for name in tree_names(root, DATASET, _FILE):
        split = assignment.get(name)
        if split is not None:
            out[split].append(Example(root / name, ord(name[0]) - ord("A"), name))
    if not any(out.values()):
        raise layout_error(DATASET, _FILE, "A00.bmp .. M74.bmp")
    return out


def make_fixture(raw_dir: Path) -> None:
    # Two whole classes (so per-class counts can be checked) and a few images of the others.
    members: dict[str, bytes] = {"readme.txt": b"CMU AMP face expression database (fixture)\n"}
    for label, letter in enumerate(CLASS_NAMES):
        count = IMAGES_PER_CLASS if letter in ("A", "M") else 3
        for number in range(count):
            image = fixture_image(100 * label + number, 8, 8, 1)
            members[f"{letter}{number:02d}.bmp"] = encode_image(image, "BMP")
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="CMU AMP expression",
        num_classes=NUM_CLASSES,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://chenlab.ece.cornell.edu/projects/FaceAuthentication/Default.html",
        paper_title="Face Authentication for Multiple Subjects Using Eigenflow (Liu, Chen & "
        "Kumar, Pattern Recognition 36(2), 2003)",
        paper_url="https://doi.org/10.1016/S0031-3203(02)00033-X",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://chenlab.ece.cornell.edu/_download/FaceAuthentication/"
                "faceExpressionDatabase.zip",
                md5="f6c2fdf87c095c17e2527c36a0528966",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom per-class rule: for each person A..M in turn, one numpy "
        "default_rng(1) permutation of image numbers 0..74 gives 41 train, 9 dev, 9 dev_test "
        "and 16 test images (533 / 117 / 117 / 208 in all)",
        notes="Label = the file name's letter (A..M) − 'A'. The split sizes are the reference "
        "code's: its int() truncation of 0.8·0.7·75 (41.999…) gives 41/9/9/16 per class, not the "
        "42/9/9/15 of its description. Membership is by file name (A00.bmp .. M74.bmp at the zip's "
        "top level), so it equals the reference's exactly; other files are skipped.",
    )
)
