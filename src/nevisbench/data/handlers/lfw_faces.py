"""Face / non-face: the 200 25×25 grey crops from Labeled Faces in the Wild that scikit-image ships."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "lfw_subset.npy"
_SIDE = 25
FACE, NON_FACE = 0, 1


def _read(raw_dir: Path) -> np.ndarray:
    path = raw_dir / _FILE
    try:
        images = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise ValueError(f"{path}: not a readable .npy array ({error})") from None
    if images.ndim != 3 or images.shape[1:] != (_SIDE, _SIDE) or len(images) % 2:
        raise ValueError(
            f"{path}: expected an even number of {_SIDE}×{_SIDE} images, got shape {images.shape}"
        )
    # The file holds float64 in [0, 1] (skimage's docstring says uint8, but the array is float: the
    # crops were resized, so values are not multiples of 1/255). Refuse anything else rather than
    # silently wrap or clip it.
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"{path}: expected float images in [0, 1], got dtype {images.dtype}")
    if not np.isfinite(images).all() or images.min() < 0.0 or images.max() > 1.0:
        raise ValueError(f"{path}: image values outside [0, 1]")
    return np.rint(images * 255.0).astype(np.uint8)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    images = _read(raw_dir)
    # skimage.data.lfw_subset: "100 first images are faces and subsequent 100 are non-faces".
    half = len(images) // 2
    examples = [
        Example(image, FACE if i < half else NON_FACE, f"index {i}")
        for i, image in enumerate(images)
    ]
    # No official split: the reference's all-data rule (R4) over the array's order.
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(0)
    raw_dir.mkdir(parents=True, exist_ok=True)
    np.save(raw_dir / _FILE, rng.uniform(0.0, 1.0, size=(40, _SIDE, _SIDE)))


SPEC = register_dataset(
    DatasetSpec(
        id="lfw_faces",
        title="LFW face / non-face subset (scikit-image)",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=("face", "non_face"),
        homepage="http://vis-www.cs.umass.edu/lfw/",
        paper_title="Labeled Faces in the Wild: A Database for Studying Face Recognition in Unconstrained "
        "Environments (Huang, Ramesh, Berg & Learned-Miller, UMass Amherst TR 07-49, 2007); the subset: "
        "scikit-image's skimage.data.lfw_subset (faces randomly selected from LFW, non-faces cut from "
        "its backgrounds, all resized to 25×25)",
        paper_url="http://vis-www.cs.umass.edu/lfw/lfw.pdf",
        license="no license stated by LFW (web news photographs, released for research); this subset "
        "ships with scikit-image (BSD 3-Clause)",
        artefacts=(Artefact(_FILE, "package", "scikit-image:skimage/data/lfw_subset.npy"),),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each example drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0), array order: the first half faces, the second half non-faces)",
    )
)
