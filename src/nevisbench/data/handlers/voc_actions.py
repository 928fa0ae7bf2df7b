"""PASCAL VOC 2012 Actions: person boxes of the trainval action set, each cut out and labelled with the
actions it does (multi-label, 10 actions + "other")."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import (
    Artefact,
    Crop,
    DatasetSpec,
    Example,
    extracted_dir,
    register_dataset,
)
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "voc_actions"
_FILE = "VOCtrainval_11-May-2012.tar"
_ROOT = "VOCdevkit/VOC2012"

CLASS_NAMES = (
    "jumping", "phoning", "playinginstrument", "reading", "ridingbike", "ridinghorse", "running",
    "takingphoto", "usingcomputer", "walking", "other",
)  # fmt: skip
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def action_image_ids(root: Path) -> list[str]:
    """Sorted ids of every image listed in ``ImageSets/Action/<action>_trainval.txt`` (10 actions).

    Every listed image counts, whatever its flag, as in the reference ("other" has no list).
    """
    folder = require(root / _ROOT / "ImageSets" / "Action", DATASET, _FILE, root)
    ids: set[str] = set()
    for action in CLASS_NAMES[:-1]:
        path = require(folder / f"{action}_trainval.txt", DATASET, _FILE, root)
        ids.update(line.split()[0] for line in iter_lines(path.read_bytes()))
    return sorted(ids)


def parse_objects(xml: bytes, source: str) -> list[tuple[tuple[int, int, int, int], list[int]]]:
    """``[(box, positive action labels)]`` of the annotated people of one action XML, in file order.

    Boxes are ``int(float(v))`` of the VOC corners, cut as ``(xmin, ymin, xmax, ymax)`` like the
    reference. Objects without an ``actions`` element (none are expected) are skipped.
    """
    try:
        tree = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise ValueError(f"dataset {DATASET}: {source} is not valid XML ({error})") from None
    out = []
    for item in tree.iter("object"):
        actions = item.find("actions")
        box = item.find("bndbox")
        if actions is None:
            continue
        if box is None:
            raise layout_error(DATASET, _FILE, f"bndbox of an object in {source}")
        corners = []
        for key in ("xmin", "ymin", "xmax", "ymax"):
            value = box.findtext(key)
            if value is None:
                raise layout_error(DATASET, _FILE, f"{key} of an object in {source}")
            corners.append(int(float(value)))
        positives = []
        for action in actions:
            if action.tag not in _LABELS:
                raise layout_error(DATASET, _FILE, f"action {action.tag!r} of {source} among the 11 actions")
            if int(float((action.text or "0").strip())) == 1:
                positives.append(_LABELS[action.tag])
        out.append(((corners[0], corners[1], corners[2], corners[3]), sorted(positives)))
    return out


def _examples(root: Path) -> Iterator[Example]:
    base = root / _ROOT
    for image_id in action_image_ids(root):
        xml = base / "Annotations" / f"{image_id}.xml"
        if not xml.exists():
            continue  # the reference skips listed images without an annotation
        image = base / "JPEGImages" / f"{image_id}.jpg"
        for number, (box, labels) in enumerate(parse_objects(xml.read_bytes(), xml.name)):
            yield Example(Crop(image, box), labels, f"{image_id}.jpg#{number}")


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    # R4 over the person boxes: images in sorted id order, boxes in XML order.
    return random_split(_examples(root), FRACTIONS_ALL_DATA)


def _xml(people: list[tuple[tuple[int, int, int, int], set[str]]]) -> bytes:
    parts = ["<annotation><filename>x.jpg</filename><segmented>0</segmented>"]
    for (x0, y0, x1, y1), actions in people:
        flags = "".join(f"<{a}>{int(a in actions)}</{a}>" for a in CLASS_NAMES)
        parts.append(f"<object><name>person</name><actions>{flags}</actions><bndbox><xmax>{x1}</xmax>"
                     f"<xmin>{x0}</xmin><ymax>{y1}.0</ymax><ymin>{y0}</ymin></bndbox></object>")
    parts.append("</annotation>")
    return "".join(parts).encode()


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, bytes] = {}
    lists: dict[str, list[str]] = {a: [] for a in CLASS_NAMES[:-1]}
    for i in range(24):
        image_id = f"2011_{i:06d}"
        members[f"{_ROOT}/JPEGImages/{image_id}.jpg"] = encode_image(fixture_image(i, 16, 20), "JPEG")
        first = CLASS_NAMES[i % 10]
        people = [((1, 2, 11, 14), {first})]
        if i % 3 == 0:
            people.append(((5, 1, 20, 16), {"walking", "phoning"} if i % 2 else {"other"}))
        members[f"{_ROOT}/Annotations/{image_id}.xml"] = _xml(people)
        lists[first].append(f"{image_id}  1  1")
        lists["reading" if first != "reading" else "running"].append(f"{image_id}  1 -1")
    lists["jumping"].append("2011_999999  1  1")  # listed, but without annotation: skipped
    for action, lines in lists.items():
        members[f"{_ROOT}/ImageSets/Action/{action}_trainval.txt"] = "".join(f"{x}\n" for x in lines).encode()
    write_tar(raw_dir / _FILE, members, compression="")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="PASCAL VOC 2012 Actions (person crops)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://host.robots.ox.ac.uk/pascal/VOC/voc2012/",
        paper_title="The PASCAL Visual Object Classes Challenge: A Retrospective (Everingham, Eslami, "
        "Van Gool, Williams, Winn & Zisserman, IJCV 2015)",
        paper_url="https://doi.org/10.1007/s11263-014-0733-5",
        license="annotations by the VOC organisers; images from Flickr under their own terms (see the "
        "Flickr terms of use linked from the homepage)",
        artefacts=(
            Artefact(_FILE, "url", "http://pjreddie.com/media/files/VOCtrainval_11-May-2012.tar",
                     md5="6cd6e144f989b92b3379bac3b3de84fd", extract=True,
                     mirrors=("http://host.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar",)),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 over person boxes: each box drawn train .56 / dev .12 / dev_test .12 / "
        "test .20 (RandomState(0)), images in sorted id order, boxes in XML order; only the trainval "
        "action images are used",
        notes="One example per annotated person: the crop (xmin, ymin, xmax, ymax) = int(float()) of the "
        "VOC box, labelled with every action flagged 1 (multi-label; a person may have none). The "
        "reference iterates the image ids as a Python set (an order that changes between runs), so its "
        "split cannot be reproduced; we use sorted ids. The reference also lists VOC2012test.tar, which "
        "it never reads; we do not download it. Listed images without an annotation are skipped, as in "
        "the reference.",
    )
)
