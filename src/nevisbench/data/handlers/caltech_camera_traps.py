"""Caltech Camera Traps (ECCV 2018 subset): camera-trap photos of 16 animal classes (incl. empty)."""

from __future__ import annotations

import json
from pathlib import Path

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN_AND_DEV, random_split
from nevisbench.values import TaskKind

_IMAGES = "eccv_18_all_images_sm.tar.gz"
_ANNOTATIONS = "eccv_18_annotations.tar.gz"
_ANNOTATION_DIR = "eccv_18_annotation_files"
_URL = "https://lilablobssc.blob.core.windows.net/caltechcameratraps/"
# The reference's label order.
CLASS_NAMES = (
    "bobcat", "opossum", "empty", "coyote", "raccoon", "bird", "dog", "cat", "squirrel", "rabbit",
    "skunk", "rodent", "badger", "deer", "car", "fox",
)  # fmt: skip
# Stored split ← annotation file (the "trans" sets: locations also seen in training).
ANNOTATION_FILES = {
    "train": "train_annotations.json",
    "dev_test": "trans_val_annotations.json",
    "test": "trans_test_annotations.json",
}


def parse_annotations(data: bytes, where: str) -> dict[str, int]:
    """COCO-style JSON → ``{image id: label}``; an image with several boxes gets the last one's
    category, as the reference's dict does."""
    try:
        coco = json.loads(data)
        names = {category["id"]: category["name"] for category in coco["categories"]}
        pairs = [(str(a["image_id"]), names[a["category_id"]]) for a in coco["annotations"]]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"dataset caltech_camera_traps: {where} is not the expected COCO JSON ({error!r})"
        ) from None
    out = {}
    for image_id, name in pairs:
        if name not in CLASS_NAMES:
            raise layout_error("caltech_camera_traps", _ANNOTATIONS, f"class {name!r} ({where})")
        out[image_id] = CLASS_NAMES.index(name)
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    wanted = {split: f"{_ANNOTATION_DIR}/{name}" for split, name in ANNOTATION_FILES.items()}
    members = read_members(raw_dir / _ANNOTATIONS, "caltech_camera_traps", wanted.values())
    labels = {split: parse_annotations(members[name], name) for split, name in wanted.items()}
    root = extracted_dir(raw_dir, _IMAGES)
    images = list_files(root, (".jpg", ".jpeg", ".png"))
    if not images:
        raise layout_error("caltech_camera_traps", _IMAGES, "images")
    # Image id = file name without its suffix, as the reference matches them.
    chosen: dict[str, list[Example]] = {split: [] for split in labels}
    for path in images:
        for split, table in labels.items():
            label = table.get(path.stem)
            if label is not None:
                chosen[split].append(Example(path, label, path.relative_to(root).as_posix()))
    out = random_split(chosen["train"], FRACTIONS_TRAIN_AND_DEV)
    out["dev_test"], out["test"] = chosen["dev_test"], chosen["test"]
    return out


def _coco(ids: list[str], first_label: int) -> bytes:
    categories = [{"id": 100 + k, "name": name} for k, name in enumerate(CLASS_NAMES)]
    annotations = [
        {"id": f"a{k}", "image_id": image_id, "category_id": 100 + (first_label + k) % 16}
        for k, image_id in enumerate(ids)
    ]
    return json.dumps({"categories": categories, "annotations": annotations, "images": []}).encode()


def make_fixture(raw_dir: Path) -> None:
    ids = [f"5968c0f9-23d2-11e8-a6a3-ec086b02{k:04x}" for k in range(40)]
    sets = {"train": ids[:24], "dev_test": ids[24:30], "test": ids[30:36]}
    annotations = {
        f"{_ANNOTATION_DIR}/{ANNOTATION_FILES[split]}": _coco(members, 3 * k)
        for k, (split, members) in enumerate(sets.items())
    }
    # Images of the "cis" sets (other locations) are in the archive but not used.
    annotations[f"{_ANNOTATION_DIR}/cis_val_annotations.json"] = _coco(ids[36:], 0)
    write_tar(raw_dir / _ANNOTATIONS, annotations)
    images = {
        f"eccv_18_all_images_sm/{image_id}.jpg": encode_image(fixture_image(k, 8, 8), "JPEG")
        for k, image_id in enumerate(ids)
    }
    write_tar(raw_dir / _IMAGES, images)


SPEC = register_dataset(
    DatasetSpec(
        id="caltech_camera_traps",
        title="Caltech Camera Traps (ECCV 2018)",
        num_classes=16,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://lila.science/datasets/caltech-camera-traps",
        paper_title="Recognition in Terra Incognita (Beery, Van Horn & Perona, ECCV 2018)",
        paper_url="https://arxiv.org/abs/1807.04975",
        license="Community Data License Agreement (permissive variant), per LILA BC",
        artefacts=(
            Artefact(
                _IMAGES, "url", _URL + _IMAGES, md5="8143c17aa2a12872b66f284ff211531f", extract=True
            ),
            Artefact(
                _ANNOTATIONS, "url", _URL + _ANNOTATIONS, md5="66a1f481b44aa1edadf75c9cfbd27aba"
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T2: the images of train_annotations.json drawn train .80 / dev .20 "
        "(RandomState(0)) in sorted path order; trans_val_annotations.json → dev_test; "
        "trans_test_annotations.json → test (the cis_* sets are not used)",
        notes="An image with several annotations takes the last one's class, as the reference. "
        "The reference draws in tar member order; we use sorted paths, so membership may differ "
        "from the paper's.",
    )
)
