"""PASCAL VOC (2007, 2012) as TFDS's ``voc`` builder reads it: multi-label classification by image.

The archives unpack to ``VOCdevkit/VOC<year>/`` with ``ImageSets/Main/<set>.txt`` (one image id a line),
``Annotations/<id>.xml`` and ``JPEGImages/<id>.jpg``. An image's label is the set of the 20 classes
among its annotated objects, every object counted: TFDS's ``labels`` feature, which the reference uses,
keeps objects marked ``difficult`` or ``truncated`` (only TFDS's unused ``labels_no_difficult`` drops
difficult ones).

TFDS stores a split in the order of the MD5 of ``split name + example key`` (the key is the image id);
``nevisbench.data.splits.tfds_order`` reproduces it, so contiguous slices hold the same images as
the reference's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Example, extracted_dir

VOC_CLASSES = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
)  # fmt: skip

_INDEX = {name: label for label, name in enumerate(VOC_CLASSES)}


def object_names(xml: bytes | str | Path) -> list[str]:
    """The class name of every ``<object>`` of an annotation (lower-cased), in file order.

    Raises:
        ValueError: the XML is malformed, or an object has no ``<name>``.
    """
    try:
        root = ET.parse(xml).getroot() if isinstance(xml, Path) else ET.fromstring(xml)
    except ET.ParseError as error:
        raise ValueError(f"malformed XML ({error})") from None
    names = []
    for obj in root.findall("object"):
        name = obj.findtext("name")
        if name is None or not name.strip():
            raise ValueError("an <object> without a <name>")
        names.append(name.strip().lower())
    return names


def labels_of(names: Iterable[str]) -> list[int]:
    """The sorted, distinct class indices of object names; an unknown name raises KeyError."""
    return sorted({_INDEX[name] for name in names})


class VocArchive:
    """One unpacked VOC archive: its set lists, annotations and images."""

    def __init__(self, raw_dir: Path, dataset: str, archive: str, year: int) -> None:
        self.dataset = dataset
        self.archive = archive
        self.prefix = f"VOCdevkit/VOC{year}"
        self.base = extracted_dir(raw_dir, archive) / self.prefix
        for folder in ("Annotations", "JPEGImages", "ImageSets/Main"):
            if not (self.base / folder).is_dir():
                raise layout_error(dataset, archive, f"folder {self.prefix}/{folder}/")

    def ids(self, set_name: str) -> list[str]:
        """The image ids of ``ImageSets/Main/<set_name>.txt``, in file order."""
        path = self.base / "ImageSets" / "Main" / f"{set_name}.txt"
        if not path.is_file():
            raise layout_error(
                self.dataset, self.archive, f"{self.prefix}/ImageSets/Main/{set_name}.txt"
            )
        return [line.split()[0] for line in iter_lines(path.read_bytes())]

    def example(self, image_id: str) -> Example:
        """The image with the classes of all its objects (difficult and truncated ones included)."""
        xml = self.base / "Annotations" / f"{image_id}.xml"
        shown = f"{self.prefix}/Annotations/{image_id}.xml"
        if not xml.is_file():
            raise layout_error(self.dataset, self.archive, shown)
        try:
            names = object_names(xml)
        except ValueError as error:
            raise layout_error(
                self.dataset, self.archive, f"a readable annotation {shown} ({error})"
            ) from None
        unknown = sorted(set(names) - set(VOC_CLASSES))
        if unknown:
            raise layout_error(
                self.dataset, self.archive, f"VOC classes for objects {unknown} in {shown}"
            )
        image = f"{self.prefix}/JPEGImages/{image_id}.jpg"
        return Example(self.base.parent.parent / image, labels_of(names), image)

    def examples(self, ids: Sequence[str]) -> Iterator[Example]:
        """The examples of ``ids``, each annotation read when its example is reached."""
        for image_id in ids:
            yield self.example(image_id)


# ------------------------------------------------------------------------------------------ fixtures


def annotation_xml(year: int, image_id: str, objects: Sequence[tuple[str, bool, bool]]) -> bytes:
    """A VOC annotation with ``objects`` as ``(class name, difficult, truncated)``."""
    parts = [
        f"<annotation><folder>VOC{year}</folder><filename>{image_id}.jpg</filename>",
        "<source><database>The VOC Database</database></source>",
        "<size><width>10</width><height>8</height><depth>3</depth></size><segmented>0</segmented>",
    ]
    for k, (name, difficult, truncated) in enumerate(objects):
        parts.append(
            f"<object><name>{name}</name><pose>Unspecified</pose><truncated>{int(truncated)}</truncated>"
            f"<difficult>{int(difficult)}</difficult><bndbox><xmin>{1 + k}</xmin><ymin>1</ymin>"
            f"<xmax>9</xmax><ymax>7</ymax></bndbox></object>"
        )
    parts.append("</annotation>\n")
    return "\n".join(parts).encode()


def write_archive(
    path: Path,
    year: int,
    sets: dict[str, Sequence[str]],
    objects: dict[str, Sequence[tuple[str, bool, bool]]],
) -> None:
    """A plain tar in the VOCdevkit layout: the set lists, and an annotation and a JPEG per image."""
    prefix = f"VOCdevkit/VOC{year}"
    members: dict[str, bytes] = {}
    for seed, (image_id, image_objects) in enumerate(sorted(objects.items())):
        members[f"{prefix}/Annotations/{image_id}.xml"] = annotation_xml(
            year, image_id, image_objects
        )
        members[f"{prefix}/JPEGImages/{image_id}.jpg"] = encode_image(
            fixture_image(seed, 8, 10), "JPEG"
        )
    for set_name, ids in sets.items():
        members[f"{prefix}/ImageSets/Main/{set_name}.txt"] = "".join(f"{i}\n" for i in ids).encode()
    # A per-class list, as the real archives hold (not read).
    members[f"{prefix}/ImageSets/Main/dog_train.txt"] = b""
    write_tar(path, members, compression="")


def fixture_objects(
    image_ids: Sequence[str], offset: int = 0
) -> dict[str, list[tuple[str, bool, bool]]]:
    """A deterministic mix of objects per image: 1-3 objects, repeats, difficult and truncated flags."""
    out: dict[str, list[tuple[str, bool, bool]]] = {}
    for k, image_id in enumerate(image_ids):
        j = k + offset
        objects = [(VOC_CLASSES[(3 * j) % 20], j % 4 == 1, j % 3 == 2)]
        if j % 2:
            objects.append((VOC_CLASSES[(7 * j + 5) % 20], j % 5 == 0, False))
        if j % 3 == 0:
            objects.append(objects[0][:1] + (False, True))  # the same class twice
        out[image_id] = objects
    return out
