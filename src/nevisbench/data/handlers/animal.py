"""ANIMAL (Bai et al.): 2,000 grey silhouettes of 20 animal categories, 100 shapes each, in two zips."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "animal"
_FILES = ("non_rigid_shape_A.zip", "non_rigid_shape_B.zip")

# The 20 categories of the paper, sorted (the reference numbers them in a set's iteration order,
# which changes from run to run, so no order of its can be matched).
CLASS_NAMES = (
    "bird", "butterfly", "cat", "cow", "crocodile", "deer", "dog", "dolphin", "duck", "elephant",
    "fish", "flying bird", "hen", "horse", "leopard", "monkey", "rabbit", "rat", "spider", "tortoise",
)  # fmt: skip


def _key(name: str) -> str:
    # Folder names are matched loosely ("Flying_Bird", "flyingbird" and "flying bird" are one class).
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Folder spellings of the release that differ from the paper's names: public code that reads the
# zips names the folder "dolphine" (lowercase single words, e.g. deer, cow, fish, tortoise, hen).
ALIASES = {"dolphine": "dolphin"}

_LABELS = {_key(name): label for label, name in enumerate(CLASS_NAMES)}
_LABELS.update({_key(alias): _LABELS[_key(name)] for alias, name in ALIASES.items()})


def label_of(folder: str, artefact: str) -> int:
    """The label of a class folder, or a LayoutError naming the folder."""
    label = _LABELS.get(_key(folder))
    if label is None:
        raise layout_error(DATASET, artefact, f"class folder {folder!r} among the 20 ANIMAL categories")
    return label


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    examples: list[Example] = []
    for artefact in _FILES:
        root = require(extracted_dir(raw_dir, artefact), DATASET, artefact)
        files = [p for p in list_files(root) if p.name.lower() != "thumbs.db"]
        if not files:
            raise layout_error(DATASET, artefact, "image files")
        for path in files:
            # The layout is <zip root folder>/<class>/<image>: the label is the parent folder.
            relative = path.relative_to(root)
            if len(relative.parts) < 2:
                raise layout_error(DATASET, artefact, f"a class folder above {relative}")
            examples.append(Example(path, label_of(path.parent.name, artefact), f"{artefact}:{relative}"))
    # R4 over zip A then zip B, each in sorted member order (the reference's generator order).
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    halves = (
        (_FILES[0], "non_rigid_shape_A", CLASS_NAMES[:3]),
        (_FILES[1], "non_rigid_shape_B", ("Flying_Bird", "dolphine", "hen")),
    )
    seed = 0
    for artefact, top, classes in halves:
        members: dict[str, bytes] = {}
        for folder in classes:
            for k in range(8):
                seed += 1
                members[f"{top}/{folder}/{folder}{k + 1}.tif"] = encode_image(fixture_image(seed, 12, 10, 1), "TIFF")
        members[f"{top}/{classes[0]}/Thumbs.db"] = b"not an image"
        write_zip(raw_dir / artefact, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="ANIMAL shape dataset",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://xiang.bai.googlepages.com/",
        paper_title="Integrating Contour and Skeleton for Shape Classification (Bai, Liu & Tu, ICCV "
        "Workshops 2009)",
        paper_url="https://doi.org/10.1109/ICCVW.2009.5457679",
        artefacts=tuple(
            Artefact(name, "url", f"http://xiang.bai.googlepages.com/{name}", md5=md5, extract=True)
            for name, md5 in zip(
                _FILES, ("d88d44dc6d2382de3a5857d86fb5d430", "dae4a05b9797a3109078d1553173b9a8"), strict=True
            )
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the order zip A then zip B, each in sorted path order",
        notes="Label = the image's class folder. The reference numbers classes in a Python set's "
        "iteration order (different on every run); we use the 20 category names of the paper in "
        "sorted order and match folder names to them ignoring case and punctuation. Public code that "
        "reads the real zips shows <zip root>/<class>/<class><n>.tif with lowercase folders (bird, "
        "butterfly, cow, deer, duck, elephant, fish, hen, leopard, rabbit, tortoise) and the "
        "spelling 'dolphine', which is mapped to dolphin; the other folder names are unverified, "
        "so an unknown folder raises a layout error naming it. Thumbs.db files are skipped, as in "
        "the reference.",
    )
)
