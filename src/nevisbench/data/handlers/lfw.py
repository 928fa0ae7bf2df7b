"""Labeled Faces in the Wild as face identification: the 423 people with at least 5 images."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import class_lookup, label_of, layout_error, require
from nevisbench.data.handlers._lfw import MIN_IMAGES, PEOPLE, split_person
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "lfw"
_FILE = "lfw.tgz"

CLASS_NAMES = PEOPLE
_LABELS = class_lookup(CLASS_NAMES)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    order = tar_names(raw_dir / _FILE, DATASET, as_extracted=True)
    # Each person's images in archive order (lfw/<person>/<person>_NNNN.jpg).
    by_person: dict[str, list[str]] = defaultdict(list)
    for name in order:
        parts = name.split("/")
        if len(parts) < 2:
            raise layout_error(DATASET, _FILE, f"a person folder for {name}")
        by_person[parts[-2]].append(name)
    split_of: dict[str, tuple[str, int]] = {}
    for person, names in by_person.items():
        if len(names) < MIN_IMAGES:
            continue
        label = label_of(_LABELS, person, DATASET, _FILE, f"{person}/ ({len(names)} images)")
        for split, members in split_person(names).items():
            for name in members:
                split_of[name] = (split, label)
    if not split_of:
        raise layout_error(DATASET, _FILE, f"a person folder with at least {MIN_IMAGES} images")
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    for name in order:  # each split in archive order, as the reference writes it
        if name in split_of:
            split, label = split_of[name]
            out[split].append(Example(root / name, label, name))
    return out


# ---------------------------------------------------------------------------------------- fixture

# People and the image numbers stored for them, in archive order (deliberately not sorted).
_FIXTURE = {
    "Abdullah_Gul": (3, 1, 2, 6, 5, 4),
    "Aaron_Peirsol": (1, 2, 3, 4),  # fewer than 5 images: left out
    "Zinedine_Zidane": (1, 2, 3, 4, 5),
    "George_W_Bush": (7, 6, 5, 4, 3, 2, 1),
}


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    seed = 0
    for person, numbers in _FIXTURE.items():
        for number in numbers:
            seed += 1
            members[f"lfw/{person}/{person}_{number:04d}.jpg"] = encode_image(fixture_image(seed), "JPEG")
    write_tar(raw_dir / _FILE, members, compression="gz")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Labeled Faces in the Wild (identification, people with 5+ images)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://vis-www.cs.umass.edu/lfw/",
        paper_title="Labeled Faces in the Wild: A Database for Studying Face Recognition in "
        "Unconstrained Environments (Huang, Ramesh, Berg & Learned-Miller, UMass Amherst TR 07-49, "
        "2007)",
        paper_url="http://vis-www.cs.umass.edu/lfw/lfw.pdf",
        license="no license stated (news photographs collected from the web, released for research)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://vis-www.cs.umass.edu/lfw/lfw.tgz",
                md5="a17d05bd522c52d84eca14327a23d494",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (per person, in the tar's member order): people with "
        "fewer than 5 images are dropped; of each remaining person's images the last two are "
        "test, the one before dev_test, the one before that dev, the rest train (423 people, "
        "5,985 images)",
        notes="Not the lfw_faces demo subset. The reference numbers people in the order they first "
        "appear in lfw.tgz; we number them alphabetically (CLASS_NAMES, fixed: the 423 names with "
        "5+ images) and map by folder name, so label ids may differ from the reference's while "
        "split membership (which follows the tar's own member order, read from its headers) does "
        "not. Every file of a person's folder counts towards the 5, as in the reference.",
    )
)
