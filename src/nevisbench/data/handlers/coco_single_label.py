"""MS-COCO 2017 as single-label object crops: every annotated box of at least 16×16 pixels, cut out
and labelled with its category (90 labels = COCO category ids 1..90, of which 80 are used)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, Crop, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "coco_single_label"
_TRAIN_IMAGES = "train2017.zip"
_VAL_IMAGES = "val2017.zip"
_ANNOTATIONS = "annotations_trainval2017.zip"
MIN_SIDE = 16
"""Boxes narrower or lower than this (in pixels, before rounding) are left out, as in the reference."""

# Label = COCO category id - 1; the ten ids COCO 2017 never uses keep a placeholder name.
CLASS_NAMES = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "unused id 12", "stop sign", "parking meter", "bench", "bird",
    "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "unused id 26",
    "backpack", "umbrella", "unused id 29", "unused id 30", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard",
    "surfboard", "tennis racket", "bottle", "unused id 45", "wine glass", "cup", "fork", "knife",
    "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
    "donut", "cake", "chair", "couch", "potted plant", "bed", "unused id 66", "dining table",
    "unused id 68", "unused id 69", "toilet", "unused id 71", "tv", "laptop", "mouse", "remote",
    "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "unused id 83",
    "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
)  # fmt: skip


class BoxRecord(NamedTuple):
    """One kept annotation: the image member, the crop box and the label."""

    member: str
    box: tuple[int, int, int, int]
    label: int


def crop_box(bbox: list[float]) -> tuple[int, int, int, int]:
    """COCO ``[x, y, width, height]`` → ``(left, top, right, bottom)`` rounded like PIL's crop.

    The reference clips right/bottom to the image and lets PIL round each coordinate; the store clips
    to the image after decoding, which gives the same pixels.
    """
    x, y, width, height = (float(v) for v in bbox)
    return round(x), round(y), round(x + width), round(y + height)


def select_boxes(info: dict, prefix: str, source: str) -> list[BoxRecord]:
    """The kept annotations of one instances file, in the file's annotation order."""
    try:
        files = {image["id"]: image["file_name"] for image in info["images"]}
        categories = {c["id"]: c["name"] for c in info.get("categories", [])}
        annotations = info["annotations"]
    except (KeyError, TypeError):
        raise layout_error(DATASET, _ANNOTATIONS, f"the images/annotations lists of {source}") from None
    for category_id, name in categories.items():
        if not 1 <= category_id <= len(CLASS_NAMES) or CLASS_NAMES[category_id - 1] != name:
            raise layout_error(DATASET, _ANNOTATIONS, f"category {category_id} {name!r} of {source} "
                               "in the COCO 2017 list")
    out: list[BoxRecord] = []
    for annotation in annotations:
        _, _, width, height = annotation["bbox"]
        if width < MIN_SIDE or height < MIN_SIDE:
            continue
        label = int(annotation["category_id"]) - 1
        if not 0 <= label < len(CLASS_NAMES):
            raise ValueError(f"dataset {DATASET}: {source}: category id {label + 1} outside 1..90")
        image_id = annotation["image_id"]
        if image_id not in files:
            raise layout_error(DATASET, _ANNOTATIONS, f"image id {image_id} of {source}")
        # Crowd regions are kept too: the reference does not look at "iscrowd".
        out.append(BoxRecord(f"{prefix}/{files[image_id]}", crop_box(annotation["bbox"]), label))
    return out


def _crops(archive: Path, records: list[BoxRecord]) -> Iterator[Example]:
    require(archive, DATASET, archive.name)
    with zipfile.ZipFile(archive) as images:
        cached_member, cached = "", b""
        for record in records:
            if record.member != cached_member:
                try:
                    cached = images.read(record.member)
                except KeyError:
                    raise layout_error(DATASET, archive.name, record.member) from None
                cached_member = record.member
            yield Example(Crop(cached, record.box), record.label, f"{record.member}{list(record.box)}")


def convert(raw_dir: Path) -> dict[str, Iterator[Example] | list[Example]]:
    names = {"train": "annotations/instances_train2017.json", "val": "annotations/instances_val2017.json"}
    members = read_members(require(raw_dir / _ANNOTATIONS, DATASET, _ANNOTATIONS), DATASET, names.values())
    train = select_boxes(json.loads(members.pop(names["train"])), "train2017", names["train"])
    test = select_boxes(json.loads(members.pop(names["val"])), "val2017", names["val"])
    # Split the light records first, then cut each split's crops lazily from its zip (no extraction:
    # train2017.zip alone is 18 GB).
    pools = official_train_split(train, test)
    out: dict[str, Iterator[Example] | list[Example]] = {}
    for split, records in pools.items():
        archive = raw_dir / (_VAL_IMAGES if split == "test" else _TRAIN_IMAGES)
        out[split] = _crops(archive, records)
    return out


def _instances(prefix: str, count: int, seed: int) -> tuple[dict, dict[str, bytes]]:
    images, annotations, files = [], [], {}
    for i in range(count):
        name = f"{seed + i:012d}.jpg"
        images.append({"id": seed + i, "file_name": name, "width": 40, "height": 30})
        files[f"{prefix}/{name}"] = encode_image(fixture_image(seed + i, 30, 40), "JPEG")
        category = (7, 1, 90, 18)[i % 4]
        # One kept box (partly outside the image), one too small to keep.
        annotations.append({"id": 2 * i, "image_id": seed + i, "category_id": category,
                            "bbox": [20.4, 10.6, 30.0, 16.0], "iscrowd": 0})
        annotations.append({"id": 2 * i + 1, "image_id": seed + i, "category_id": 3,
                            "bbox": [1.0, 1.0, 15.9, 20.0], "iscrowd": 0})
    categories = [{"id": i + 1, "name": n} for i, n in enumerate(CLASS_NAMES) if not n.startswith("unused")]
    return {"images": images, "annotations": annotations, "categories": categories}, files


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    train, train_files = _instances("train2017", 30, 100)
    val, val_files = _instances("val2017", 4, 900)
    write_zip(raw_dir / _TRAIN_IMAGES, train_files)
    write_zip(raw_dir / _VAL_IMAGES, val_files)
    write_zip(raw_dir / _ANNOTATIONS, {
        "annotations/instances_train2017.json": json.dumps(train).encode(),
        "annotations/instances_val2017.json": json.dumps(val).encode(),
        "annotations/captions_val2017.json": b"{}",
    })


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="MS-COCO 2017 single-label object crops",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://cocodataset.org/",
        paper_title="Microsoft COCO: Common Objects in Context (Lin, Maire, Belongie, Bourdev, Girshick, "
        "Hays, Perona, Ramanan, Zitnick & Dollár, ECCV 2014)",
        paper_url="https://arxiv.org/abs/1405.0312",
        license="annotations CC BY 4.0; images under their Flickr licenses (COCO terms of use)",
        artefacts=(
            Artefact(_TRAIN_IMAGES, "url", "http://images.cocodataset.org/zips/train2017.zip",
                     md5="cced6f7f71b7629ddf16f17bbcfab6b2"),
            Artefact(_VAL_IMAGES, "url", "http://images.cocodataset.org/zips/val2017.zip",
                     md5="442b8da7639aecaf257c1dceb8ba8c80"),
            Artefact(_ANNOTATIONS, "url",
                     "http://images.cocodataset.org/annotations/annotations_trainval2017.zip",
                     md5="f4bbac642086de4f52a3fdda2de5fa2c"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3 over object crops: every train2017 annotation with box width and "
        "height >= 16 px (annotation order of instances_train2017.json) drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0)); the val2017 crops (same filter) are the test split",
        notes="One example per kept box, labelled category_id - 1 (90 labels; ids 12, 26, 29, 30, 45, "
        "66, 68, 69, 71, 83 are never used). Crowd boxes are kept, as in the reference. Box corners are "
        "rounded like PIL's crop and clipped to the image. The reference also lists test2017.zip and "
        "image_info_test2017.zip, which its converter never reads; we do not download them. Crops are "
        "cut from the zips directly (no extraction).",
    )
)
