"""LFW-a (LFW aligned with a commercial face aligner): the 423 people of LFW with at least five images
(5,985 images), split per person by image order."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.handlers._lfw import MIN_IMAGES, PEOPLE, split_person
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "lfwa"
_FILE = "lfwa.zip"

CLASS_NAMES = PEOPLE  # LFW's people with at least five images, sorted (the label order)
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    people: dict[str, list[Path]] = {}
    # The reference takes the ".jpg" members (case-sensitive) and groups them by their folder name.
    for path in list_files(root, (".jpg",)):
        if path.suffix == ".jpg":
            people.setdefault(path.parent.name, []).append(path)
    if not people:
        raise layout_error(DATASET, _FILE, "the per-person folders of .jpg images")
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    for person in sorted(people):
        images = sorted(people[person], key=lambda p: p.name)
        if len(images) < MIN_IMAGES:
            continue
        if person not in _LABELS:
            raise layout_error(DATASET, _FILE, f"person {person!r} ({len(images)} images) in the LFW list of "
                               f"people with at least {MIN_IMAGES} images")
        for split, members in split_person(images).items():
            out[split].extend(Example(p, _LABELS[person], p.relative_to(root).as_posix()) for p in members)
    return out


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, bytes] = {}
    seed = 0
    for person, count in (("Abdullah_Gul", 5), ("Zhu_Rongji", 7), ("Aaron_Eckhart", 1), ("Nobody_Known", 4)):
        for k in range(1, count + 1):
            seed += 1
            members[f"lfw2/{person}/{person}_{k:04d}.jpg"] = encode_image(fixture_image(seed, 16, 16), "JPEG")
    members["lfw2/Zhu_Rongji/notes.txt"] = b"not an image"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="LFW-a (aligned Labeled Faces in the Wild)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://talhassner.github.io/home/projects/lfwa/index.html",
        paper_title="Effective Face Recognition by Combining Multiple Descriptors and Learned Background "
        "Statistics (Wolf, Hassner & Taigman, TPAMI 2011)",
        paper_url="https://doi.org/10.1109/TPAMI.2010.230",
        license="released for research; no license stated (LFW images are web news photographs)",
        artefacts=(
            Artefact(_FILE, "gdrive", "1p1wjaqpTh_5RHfJu4vUh8JJCdKwYMHCp",
                     md5="96313a4780499f939bc4a06d5bebaf7d", extract=True),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (as for LFW): people with at least 5 images (423 people, 5,985 "
        "images); per person, images in file-name order: the last 2 → test, the one before → dev_test, "
        "the one before that → dev, the rest → train",
        notes="Label = the person's index in the sorted list of the 423 names. The reference numbers "
        "people and orders their images in the zip's member order, which for this archive is expected "
        "to be sorted; we sort explicitly, so split membership matches if it is.",
    )
)
