"""PASCAL VOC 2006 as single-label classification: 5,304 PNG images in 10 classes."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import class_lookup, layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "pascal_voc2006"
TRAINVAL = "voc2006_trainval.tar"
TEST = "voc2006_test.tar"
_SETS = "VOCdevkit/VOC2006/ImageSets/"
_IMAGES = "VOCdevkit/VOC2006/PNGImages/"

CLASS_NAMES = (
    "bicycle", "bus", "car", "cat", "cow", "dog", "horse", "motorbike", "person", "sheep",
)  # fmt: skip
_LABELS = class_lookup(CLASS_NAMES)


def image_labels(class_files: list[tuple[str, bytes]]) -> dict[str, int]:
    """``{image file name: label}`` from the per-class lists, as the reference reads them.

    A line ``<id>  1`` marks a positive image (``-1`` negative, ``0`` difficult). An image listed
    positive for several classes gets the class whose list comes last in the archive.
    """
    labels: dict[str, int] = {}
    for class_name, data in class_files:
        for line in data.decode("utf-8", "replace").splitlines(keepends=True):
            # The reference keeps lines ending " 1\n" and drops their last 4 characters
            # ("  1\n": the ids are padded so that positives have two spaces before the 1).
            if line.endswith(" 1\n"):
                labels[line[:-4] + ".png"] = _LABELS[class_name]
    return labels


def _split(raw_dir: Path, filename: str, suffix: str) -> list[Example]:
    root = require(extracted_dir(raw_dir, filename), DATASET, filename)
    order = tar_names(raw_dir / filename, DATASET, as_extracted=True)
    class_files = []
    for name in order:  # the class lists in archive order: the last positive one wins
        if name.startswith(_SETS) and name.endswith(suffix):
            class_name = name.rsplit("/", 1)[-1][: -len(suffix)]
            if class_name not in _LABELS:
                raise layout_error(DATASET, filename, f"class {class_name!r} of {name} among {CLASS_NAMES}")
            class_files.append((class_name, require(root / name, DATASET, filename, root).read_bytes()))
    found = {class_name for class_name, _ in class_files}
    if found != set(CLASS_NAMES):
        missing = ", ".join(f"{_SETS}{c}{suffix}" for c in CLASS_NAMES if c not in found)
        raise layout_error(DATASET, filename, missing)
    labels = image_labels(class_files)
    # Every member whose file name is a positive image, in archive order (images that are
    # positive for no class are left out).
    return [
        Example(root / name, labels[name.rsplit("/", 1)[-1]], name)
        for name in order
        if name.rsplit("/", 1)[-1] in labels
    ]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    train_pool = _split(raw_dir, TRAINVAL, "_trainval.txt")
    test = _split(raw_dir, TEST, "_test.txt")
    return official_train_split(train_pool, test)


# ---------------------------------------------------------------------------------------- fixture

# Fixture image ids and the classes they are positive for (the per-class lists mark the rest -1,
# and one of them 0, difficult).
_FIXTURE_POSITIVES = {
    "trainval": {f"{k:06d}": [CLASS_NAMES[k % 10]] for k in range(1, 21)}
    | {"000021": ["car", "person"], "000022": []},
    "test": {f"{k:06d}": [CLASS_NAMES[k % 10]] for k in range(101, 111)},
}
# Written in this order: "person" before "car" so that the archive order, not the alphabet,
# decides which of several positive classes an image gets.
_FIXTURE_CLASS_ORDER = ("person",) + tuple(c for c in CLASS_NAMES if c != "person")


def _fixture_tar(path: Path, positives: dict[str, list[str]], suffix: str) -> None:
    members: dict[str, bytes] = {}
    for class_name in _FIXTURE_CLASS_ORDER:
        lines = []
        for image_id, classes in positives.items():
            flag = " 1" if class_name in classes else (" 0" if image_id == "000022" else "-1")
            lines.append(f"{image_id} {flag}\n")
        members[f"{_SETS}{class_name}{suffix}"] = "".join(lines).encode()
    # Images stored in reverse id order: the archive's order, not sorted order, is kept.
    for image_id in sorted(positives, reverse=True):
        members[f"{_IMAGES}{image_id}.png"] = encode_image(fixture_image(int(image_id)))
    members["VOCdevkit/VOC2006/Annotations/000001.txt"] = b"# PASCAL Annotation Version 1.00\n"
    write_tar(path, members, compression="")


def make_fixture(raw_dir: Path) -> None:
    _fixture_tar(raw_dir / TRAINVAL, _FIXTURE_POSITIVES["trainval"], "_trainval.txt")
    _fixture_tar(raw_dir / TEST, _FIXTURE_POSITIVES["test"], "_test.txt")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="PASCAL VOC 2006 (single-label)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://host.robots.ox.ac.uk/pascal/VOC/voc2006/",
        paper_title="The PASCAL Visual Object Classes Challenge 2006 (VOC2006) Results "
        "(Everingham, Zisserman, Williams & Van Gool, 2006)",
        paper_url="http://host.robots.ox.ac.uk/pascal/VOC/voc2006/results.pdf",
        artefacts=(
            Artefact(
                TRAINVAL,
                "url",
                "http://host.robots.ox.ac.uk/pascal/VOC/download/" + TRAINVAL,
                md5="af06612e5ad9863bde6fa7aae55f8866",
                extract=True,
            ),
            Artefact(
                TEST,
                "url",
                "http://host.robots.ox.ac.uk/pascal/VOC/download/" + TEST,
                md5="6bd028d82d057621c4fc69e9c56517ef",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the trainval images drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)) in the tar's member order; the test tar's images are the test split",
        notes="Single-label, as the reference (Q11): an image is labelled with the classes whose "
        "ImageSets/<class>_{trainval,test}.txt mark it positive ('  1'; difficult '0' and "
        "negatives '-1' do not count); when several do, the class whose list comes last in the "
        "tar wins, as in the reference; images positive for no class are dropped. The reference "
        "numbers classes in the tar order of those lists; we use the alphabetical VOC order and "
        "map by name (the same order if the tar stores the lists alphabetically). Examples follow "
        "the tar's own member order (read from its headers), as the reference's.",
    )
)
