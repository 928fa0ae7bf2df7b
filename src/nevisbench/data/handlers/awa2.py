"""Animals with Attributes 2 (Xian et al.): 37,322 animal photos of 50 classes, labelled with the 85 binary
attributes of their class; the 10 zero-shot test classes form the test split."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import numpy as np

from nevisbench.data.handlers._archives import zip_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "awa2"
_FILE = "AwA2-data.zip"
_TOP = "Animals_with_Attributes2"

# predicates.txt, in its order (ids 1..85).
CLASS_NAMES = (
    "black", "white", "blue", "brown", "gray", "orange", "red", "yellow", "patches", "spots", "stripes",
    "furry", "hairless", "toughskin", "big", "small", "bulbous", "lean", "flippers", "hands", "hooves",
    "pads", "paws", "longleg", "longneck", "tail", "chewteeth", "meatteeth", "buckteeth", "strainteeth",
    "horns", "claws", "tusks", "smelly", "flys", "hops", "swims", "tunnels", "walks", "fast", "slow",
    "strong", "weak", "muscle", "bipedal", "quadrapedal", "active", "inactive", "nocturnal", "hibernate",
    "agility", "fish", "meat", "plankton", "vegetation", "insects", "forager", "grazer", "hunter",
    "scavenger", "skimmer", "stalker", "newworld", "oldworld", "arctic", "coastal", "desert", "bush",
    "plains", "forest", "fields", "jungle", "mountains", "ocean", "ground", "water", "tree", "cave",
    "fierce", "timid", "smart", "group", "solitary", "nestspot", "domestic",
)  # fmt: skip

_NAME = r"[a-z+]+"
_NUMBERED = re.compile(rf"(\d+)\t({_NAME})")


def _text(root: Path, name: str) -> list[str]:
    data = require(root / _TOP / name, DATASET, _FILE, root).read_bytes()
    return [line for line in data.decode("utf-8").splitlines() if line.strip()]


def numbered(lines: list[str], name: str) -> dict[str, int]:
    """``{name: id − 1}`` of a ``<id>\\t<name>`` file (classes.txt, predicates.txt)."""
    out = {}
    for line in lines:
        match = _NUMBERED.search(line)
        if match is None:
            raise layout_error(DATASET, _FILE, f"an '<id>\\t<name>' line in {name} (got {line!r})")
        out[match.group(2)] = int(match.group(1)) - 1
    return out


def names(lines: list[str]) -> set[str]:
    """The class names of trainclasses.txt / testclasses.txt (one per line)."""
    return {match.group(0) for line in lines if (match := re.search(_NAME, line))}


def attributes(lines: list[str], num_classes: int) -> list[list[int]]:
    """Per class (classes.txt order), the indices of its attributes set in predicate-matrix-binary.txt."""
    matrix = np.array([[int(v) for v in line.split()] for line in lines], dtype=np.int64)
    if matrix.shape != (num_classes, len(CLASS_NAMES)):
        raise layout_error(
            DATASET,
            _FILE,
            f"a {num_classes}×{len(CLASS_NAMES)} predicate-matrix-binary.txt (got {matrix.shape})",
        )
    return [np.flatnonzero(row).tolist() for row in matrix]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    classes = numbered(_text(root, "classes.txt"), "classes.txt")
    predicates = numbered(_text(root, "predicates.txt"), "predicates.txt")
    if [name for name, _ in sorted(predicates.items(), key=lambda item: item[1])] != list(
        CLASS_NAMES
    ):
        raise layout_error(
            DATASET, _FILE, f"the 85 predicates {CLASS_NAMES[:3]}… in predicates.txt"
        )
    per_class = attributes(_text(root, "predicate-matrix-binary.txt"), len(classes))
    train_classes = names(_text(root, "trainclasses.txt"))
    test_classes = names(_text(root, "testclasses.txt"))
    pool: list[Example] = []
    test: list[Example] = []
    # The zip's member order, as the reference iterates infolist().
    for name in zip_names(raw_dir / _FILE, DATASET):
        if name.endswith("/") or "JPEGImages" not in name:
            continue
        animal = PurePosixPath(name).parent.name
        target = pool if animal in train_classes else test if animal in test_classes else None
        if target is None:
            continue
        if animal not in classes:
            raise layout_error(DATASET, _FILE, f"class {animal!r} (of {name}) in classes.txt")
        target.append(Example(root / name, per_class[classes[animal]], name))
    if not pool or not test:
        raise layout_error(
            DATASET, _FILE, f"images under {_TOP}/JPEGImages/ of the train and test classes"
        )
    return official_train_split(pool, test)


_FIXTURE_CLASSES = ("antelope", "grizzly+bear", "killer+whale", "beaver", "dalmatian")


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(11)
    members: dict[str, bytes] = {}
    # The real zip lists the folder entries and images first, the text files after.
    for k in range(36):
        animal = _FIXTURE_CLASSES[k % 5]
        members[f"{_TOP}/JPEGImages/{animal}/{animal}_{10001 + k // 5:05d}.jpg"] = encode_image(
            fixture_image(1200 + k, 10, 13), "JPEG"
        )
    members[f"{_TOP}/classes.txt"] = "".join(
        f"\t{k + 1}\t{a}\n" for k, a in enumerate(_FIXTURE_CLASSES)
    ).encode()
    members[f"{_TOP}/trainclasses.txt"] = "".join(f"{a}\n" for a in _FIXTURE_CLASSES[:4]).encode()
    members[f"{_TOP}/testclasses.txt"] = f"{_FIXTURE_CLASSES[4]}\n".encode()
    members[f"{_TOP}/predicates.txt"] = "".join(
        f"\t{k + 1}\t{p}\n" for k, p in enumerate(CLASS_NAMES)
    ).encode()
    matrix = rng.integers(0, 2, size=(len(_FIXTURE_CLASSES), len(CLASS_NAMES)))
    members[f"{_TOP}/predicate-matrix-binary.txt"] = "".join(
        " ".join(map(str, row)) + "\n" for row in matrix
    ).encode()
    members[f"{_TOP}/predicate-matrix-continuous.txt"] = "".join(
        "  ".join(f"{v * 50.0:.2f}" for v in row) + "\n" for row in matrix
    ).encode()
    members[f"{_TOP}/licenses/README.txt"] = b"licenses"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Animals with Attributes 2 (attribute prediction)",
        num_classes=85,
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://cvml.ist.ac.at/AwA2/",
        paper_title="Zero-Shot Learning – A Comprehensive Evaluation of the Good, the Bad and the Ugly "
        "(Xian, Lampert, Schiele & Akata, TPAMI 2018)",
        paper_url="https://arxiv.org/abs/1707.00600",
        license="unknown: see the homepage (each image keeps its own license, listed in the archive)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://cvml.ist.ac.at/AwA2/AwA2-data.zip",
                md5="eaa27cf799d5cf55af372356d7281b5e",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3*: the images of the 40 classes of trainclasses.txt drawn train .70 / dev "
        ".15 / dev_test .15 (RandomState(0), in the zip's member order, as the reference); the images of "
        "the 10 classes of testclasses.txt → test (so test holds unseen animals)",
        notes="Multi-label: each image's positives are its class's row of predicate-matrix-binary.txt "
        "(class-level attributes, the same for every image of a class). The reference shrinks images to at "
        "most 256 px on the long side (bicubic) before storing; we store the originals and let the store's "
        "resolution apply.",
    )
)
