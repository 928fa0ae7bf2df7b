"""UMD high-resolution textures: 1,000 grey 1280×960 images of 25 textures (40 each), in two zips."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "umd"
ARCHIVES = ("textures-1.zip", "textures-2.zip")
_BASE_URL = "http://users.umiacs.umd.edu/~fer/High-resolution-data-base/"
_MD5 = {
    "textures-1.zip": "818b5b13035374cffd4db604e718ddbf",
    "textures-2.zip": "e9853d0f7eaa9e57c4756e9017d0cbc9",
}
NUM_CLASSES = 25
# The source names textures by number only: folders 1..25 hold the classes (label = number - 1).
CLASS_NAMES = tuple(f"texture_{k:02d}" for k in range(1, NUM_CLASSES + 1))


def _members(root: Path) -> list[Path]:
    """Every file of an unpacked zip but ``*.db`` (Windows thumbnails), sorted by member path.

    The reference decodes every other file, so nothing else is filtered: a stray non-image is
    counted as corrupt by the store rather than silently dropped.
    """
    return [p for p in list_files(root, None) if not p.name.lower().endswith(".db")]


def label_of(relative: str, archive: str) -> int:
    """The label of a member path: the number of its folder, minus one."""
    folder = relative.split("/")[-2] if "/" in relative else ""
    if not folder.isdigit() or not 1 <= int(folder) <= NUM_CLASSES:
        raise layout_error(
            DATASET, archive, f"a class folder numbered 1..{NUM_CLASSES} above {relative}"
        )
    return int(folder) - 1


def examples(raw_dir: Path) -> list[Example]:
    out = []
    for archive in ARCHIVES:
        root = extracted_dir(raw_dir, archive)
        if not root.is_dir():
            raise layout_error(DATASET, archive, "the unpacked archive")
        for path in _members(root):
            relative = path.relative_to(root).as_posix()
            out.append(Example(path, label_of(relative, archive), f"{archive}/{relative}"))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return random_split(examples(raw_dir), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    # textures-1 holds classes 1..12, textures-2 classes 13..25; 2 grey images per class here.
    for archive, classes in zip(ARCHIVES, (range(1, 13), range(13, 26)), strict=True):
        members: dict[str, bytes] = {}
        for k in classes:
            for j in range(1, 3):
                members[f"{archive[:-4]}/{k}/T{k:02d}_{j:02d}.png"] = encode_image(
                    fixture_image(100 * k + j, 12, 16, channels=1)
                )
        members[f"{archive[:-4]}/{classes[0]}/Thumbs.db"] = b"not an image"
        write_zip(raw_dir / archive, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="UMD high-resolution texture database",
        num_classes=NUM_CLASSES,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://users.umiacs.umd.edu/~fer/website-texture/texture.htm",
        paper_title="A Projective Invariant for Textures (Xu, Ji & Fermüller, CVPR 2006)",
        paper_url="http://users.umiacs.umd.edu/~fer/website-texture/texture.htm",
        license="unknown: see the homepage",
        artefacts=tuple(
            Artefact(name, "url", _BASE_URL + name, md5=_MD5[name], extract=True)
            for name in ARCHIVES
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) over textures-1.zip then textures-2.zip, each in sorted member order",
        notes="Label = number of the image's folder minus one (folders 1..25); the source has no class "
        "names, so they are texture_01..texture_25. Every member but *.db is an example (as in the "
        "reference; undecodable ones are counted as corrupt). The reference reads the two zips in "
        "directory-listing order (unspecified); we read textures-1 first, so R4 membership may "
        "differ from the paper's if its listing gave the other order.",
    )
)
