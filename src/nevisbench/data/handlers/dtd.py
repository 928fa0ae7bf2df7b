"""DTD (Describable Textures Dataset): 5,640 texture images of 47 attributes, partition 1.

TFDS (``dtd``) uses the first of DTD's ten official partitions: ``labels/train1.txt``, ``val1.txt`` and
``test1.txt`` (1,880 images each). The reference splits TFDS's ``train`` 80/20 into train/dev and keeps
``validation`` and ``test`` (TFDS-B). TFDS stores a split in the order of the MD5 of ``split name +
example key`` (the key is the list's ``<class>/<file>.jpg``); that order is reproduced here.
"""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "dtd"
_FILE = "dtd-r1.0.1.tar.gz"
TFDS_B = (("train", 0.8), ("dev", 1.0))
# Our split ← (TFDS split name, DTD list file).
_LISTS = {
    "train_pool": ("train", "train1.txt"),
    "dev_test": ("validation", "val1.txt"),
    "test": ("test", "test1.txt"),
}

# TFDS's label names (dtd_key_attributes.txt): the image folders, sorted.
CLASS_NAMES = (
    "banded", "blotchy", "braided", "bubbly", "bumpy", "chequered", "cobwebbed", "cracked",
    "crosshatched", "crystalline", "dotted", "fibrous", "flecked", "freckled", "frilly", "gauzy",
    "grid", "grooved", "honeycombed", "interlaced", "knitted", "lacelike", "lined", "marbled",
    "matted", "meshed", "paisley", "perforated", "pitted", "pleated", "polka-dotted", "porous",
    "potholed", "scaly", "smeared", "spiralled", "sprinkled", "stained", "stratified", "striped",
    "studded", "swirly", "veined", "waffled", "woven", "wrinkled", "zigzagged",
)  # fmt: skip


_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def _split(raw_dir: Path, tfds_split: str, list_name: str) -> list[Example]:
    base = extracted_dir(raw_dir, _FILE) / "dtd"
    path = base / "labels" / list_name
    if not path.is_file():
        raise layout_error(DATASET, _FILE, f"dtd/labels/{list_name}")
    relatives = list(iter_lines(path.read_bytes()))
    for relative in relatives:
        if relative.split("/")[0] not in _LABELS or "/" not in relative:
            raise layout_error(
                DATASET, _FILE, f"a known '<class>/<file>' line for {relative!r} in {list_name}"
            )
    # TFDS's key is the list line, "<class>/<file>".
    return [
        Example(base / "images" / rel, _LABELS[rel.split("/")[0]], f"dtd/images/{rel}")
        for rel in tfds_order(relatives, tfds_split)
    ]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    splits = {ours: _split(raw_dir, tfds, name) for ours, (tfds, name) in _LISTS.items()}
    out = contiguous_split(splits.pop("train_pool"), TFDS_B)
    out.update(splits)
    return out


def make_fixture(raw_dir: Path) -> None:
    # 15 images of 3 textures; partition 1 lists 5 for each of train (4/1 after TFDS-B), val and test.
    # Another partition's list is written too, to check that only partition 1 is read.
    members: dict[str, bytes] = {}
    lists: dict[str, list[str]] = {
        "train1.txt": [],
        "val1.txt": [],
        "test1.txt": [],
        "train2.txt": [],
    }
    for i in range(15):
        name = CLASS_NAMES[(0, 30, 46)[i % 3]]
        relative = f"{name}/{name}_{i + 1:04d}.jpg"
        members[f"dtd/images/{relative}"] = encode_image(fixture_image(i, 12, 9), "JPEG")
        lists[("train1.txt", "val1.txt", "test1.txt")[i // 5]].append(relative + "\n")
        lists["train2.txt"].append(relative + "\n")
    members.update({f"dtd/labels/{name}": "".join(lines).encode() for name, lines in lists.items()})
    members["dtd/labels/labels_joint_anno.txt"] = b""
    # The real file is a plain tar despite its .tar.gz name.
    write_tar(raw_dir / _FILE, members, compression="")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="DTD (Describable Textures Dataset)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.robots.ox.ac.uk/~vgg/data/dtd/",
        paper_title="Describing Textures in the Wild (Cimpoi, Maji, Kokkinos, Mohamed & Vedaldi, CVPR 2014)",
        paper_url="https://www.robots.ox.ac.uk/~vgg/publications/2014/Cimpoi14/cimpoi14.pdf",
        license="research use (the homepage: 'made available to the computer vision community for "
        "research purposes'); image copyright stays with the original owners",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://www.robots.ox.ac.uk/~vgg/data/dtd/download/" + _FILE,
                md5="fff73e5086ae6bdbea199a49dfb8a4c1",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over TFDS dtd (partition 1): train = the first int(.8N) of TFDS train "
        "(labels/train1.txt) in TFDS's stored order (MD5 of 'train' + '<class>/<file>'), dev = the rest "
        "(1,504 / 376); dev_test = TFDS validation (val1.txt, 1,880); test = TFDS test (test1.txt, 1,880)",
        notes="Labels are the key attribute (the image folder), as TFDS's 'label'; the multi-attribute "
        "annotations and partitions 2-10 are not used. TFDS's stored order (MD5 of split name + key, "
        "ascending) is reproduced, so train/dev should hold the same images as the paper's.",
    )
)
