"""Caltech 101 Silhouettes (28×28): 8,671 binary object silhouettes of 101 classes, with split 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_val_split
from nevisbench.values import TaskKind

DATASET = "silhouettes_28"
SIDE = 28
_ALL = f"caltech101_silhouettes_{SIDE}.mat"
_SPLIT = f"caltech101_silhouettes_{SIDE}_split1.mat"

# The "classnames" of the .mat files (label = the 1-based class number - 1).
CLASS_NAMES = (
    "Airplanes Side 2", "Faces 2", "Faces 3", "Leopards", "Motorbikes 16", "accordion", "anchor", "ant",
    "barrel", "bass", "beaver", "binocular", "bonsai", "brain", "brontosaurus", "buddha", "butterfly",
    "camera", "cannon", "car side", "ceiling fan", "cellphone", "chair", "chandelier", "cougar body",
    "cougar face", "crab", "crayfish", "crocodile", "crocodile head", "cup", "dalmatian", "dollar bill",
    "dolphin", "dragonfly", "electric guitar", "elephant", "emu", "euphonium", "ewer", "ferry",
    "flamingo", "flamingo head", "garfield", "gerenuk", "gramophone", "grand piano", "hawksbill",
    "headphone", "hedgehog", "helicopter", "ibis", "inline skate", "joshua tree", "kangaroo", "ketch",
    "lamp", "laptop", "llama", "lobster", "lotus", "mandolin", "mayfly", "menorah", "metronome",
    "minaret", "nautilus", "octopus", "okapi", "pagoda", "panda", "pigeon", "pizza", "platypus",
    "pyramid", "revolver", "rhino", "rooster", "saxophone", "schooner", "scissors", "scorpion",
    "sea horse", "snoopy", "soccer ball", "stapler", "starfish", "stegosaurus", "stop sign",
    "strawberry", "sunflower", "tick", "trilobite", "umbrella", "watch", "water lilly", "wheelchair",
    "wild cat", "windsor chair", "wrench", "yin yang",
)  # fmt: skip


def _load(path: Path) -> dict:
    return load_mat(require(path, DATASET, path.name), DATASET, path.name)


def check_class_names(mat: dict, artefact: str) -> None:
    if "classnames" not in mat:
        raise layout_error(DATASET, artefact, "variable 'classnames'")
    found = tuple(str(np.asarray(n).squeeze()) for n in mat["classnames"].ravel())
    if found != CLASS_NAMES:
        raise layout_error(DATASET, artefact, "the 101 class names of Caltech 101 Silhouettes (they differ)")


def to_image(row: np.ndarray) -> np.ndarray:
    """One data row (784 values in [0, 1]) → a 28×28 uint8 image.

    The reference reshapes the row in C order, as done here; the .mat stores MATLAB's column-major
    rows, so the images come out transposed (the same for every image, so nothing is lost).
    """
    return np.rint(np.asarray(row, dtype=np.float64).reshape(SIDE, SIDE) * 255).astype(np.uint8)


def examples(mat: dict, split: str) -> list[Example]:
    data_key, labels_key = f"{split}_data", f"{split}_labels"
    for key in (data_key, labels_key):
        if key not in mat:
            raise layout_error(DATASET, _SPLIT, f"variable {key!r}")
    data = np.asarray(mat[data_key])
    labels = np.asarray(mat[labels_key]).reshape(-1).astype(np.int64) - 1
    if data.ndim != 2 or data.shape[1] != SIDE * SIDE or len(data) != len(labels):
        raise ValueError(f"dataset {DATASET}: {_SPLIT}: {data_key} has shape {data.shape} for {len(labels)} labels")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise ValueError(f"dataset {DATASET}: {_SPLIT}: {labels_key} outside 1..{len(CLASS_NAMES)}")
    return [Example(to_image(row), int(label), f"{data_key}[{i}]") for i, (row, label) in enumerate(zip(data, labels, strict=True))]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    # The reference takes the class names from the whole-set file and the data from split 1.
    check_class_names(_load(raw_dir / _ALL), _ALL)
    split = _load(raw_dir / _SPLIT)
    return official_train_val_split(examples(split, "train"), examples(split, "val"), examples(split, "test"))


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    names = np.empty((1, len(CLASS_NAMES)), dtype=object)
    names[0, :] = list(CLASS_NAMES)
    counts = {"train": 20, "val": 4, "test": 4}
    split: dict[str, object] = {"classnames": names}
    everything = []
    for name, count in counts.items():
        data = (rng.random((count, SIDE * SIDE)) > 0.5).astype(np.float64)
        labels = ((np.arange(count) * 7) % len(CLASS_NAMES) + 1).astype(np.float64).reshape(-1, 1)
        split[f"{name}_data"], split[f"{name}_labels"] = data, labels
        everything.append((data, labels))
    scipy.io.savemat(raw_dir / _SPLIT, split)
    scipy.io.savemat(raw_dir / _ALL, {
        "X": np.concatenate([d for d, _ in everything]),
        "Y": np.concatenate([lab for _, lab in everything]).reshape(1, -1),
        "classnames": names,
    })


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Caltech 101 Silhouettes (28×28)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://people.cs.umass.edu/~marlin/data.shtml",
        paper_title="Inductive Principles for Restricted Boltzmann Machine Learning (Marlin, Swersky, "
        "Chen & de Freitas, AISTATS 2010)",
        paper_url="https://proceedings.mlr.press/v9/marlin10a.html",
        artefacts=(
            Artefact(_ALL, "url", f"https://people.cs.umass.edu/~marlin/data/{_ALL}",
                     md5="1432d2809e8bf111f1104a234731ddb1"),
            Artefact(_SPLIT, "url", f"https://people.cs.umass.edu/~marlin/data/{_SPLIT}",
                     md5="4483e9c14b188fd09937f9ea6f9ea777"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T2 with the official split 1: train_data (4,100) drawn train .80 / dev "
        ".20 (RandomState(0), file order); val_data (2,264) is dev_test; test_data (2,307) is test",
        notes="Images are the 0/1 rows times 255, reshaped in C order as the reference does (so they "
        "are the transpose of the silhouettes as MATLAB shows them). The class names are checked "
        "against the whole-set file, from which the reference reads them; its data are not used.",
    )
)
