"""MPEG-7 CE-Shape-1: 1,400 binary silhouettes, 20 of each of 70 shape classes."""

from __future__ import annotations

import logging
import posixpath
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import THUMBS_DB, archive_error, tree_names
from nevisbench.data.handlers._fixtures import encode_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "mpeg7"
_FILE = "MPEG7dataset.zip"

# The 70 shape names of the file names (original/<name>-<k>.gif), in Python's sorted order (upper
# case first), which is how the reference numbers them.
CLASS_NAMES = tuple(sorted((
    "apple", "bat", "beetle", "bell", "bird", "Bone", "bottle", "brick", "butterfly", "camel",
    "car", "carriage", "cattle", "cellular_phone", "chicken", "children", "chopper", "classic",
    "Comma", "crown", "cup", "deer", "device0", "device1", "device2", "device3", "device4",
    "device5", "device6", "device7", "device8", "device9", "dog", "elephant", "face", "fish",
    "flatfish", "fly", "fork", "fountain", "frog", "Glas", "guitar", "hammer", "hat", "HCircle",
    "Heart", "horse", "horseshoe", "jar", "key", "lizzard", "lmfish", "Misk", "octopus", "pencil",
    "personal_car", "pocket", "rat", "ray", "sea_snake", "shoe", "spoon", "spring", "stef",
    "teddy", "tree", "truck", "turtle", "watch",
)))  # fmt: skip
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}

log = logging.getLogger(__name__)


def shape_of(member: str) -> str | None:
    """The shape name of a member (its base name up to the first '-'); None for the six extra
    files (confusions.* and shapedata.*), which the reference skips."""
    name = posixpath.basename(member).split("-")[0]
    if "confusion" in name or "shapedata" in name:
        return None
    return name


def directory_entries(path: Path) -> list[str]:
    """The zip's directory entries (``original/``), in its central directory's order."""
    try:
        with zipfile.ZipFile(require(path, DATASET, _FILE)) as archive:
            return [info.filename for info in archive.infolist() if info.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise archive_error(DATASET, path, error) from None


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    # The reference builds its class list from every name of the zip, a directory entry included:
    # "original/" gives the shape "" (sorted first), so it counts 71 classes and labels each shape
    # one higher. A directory is not a class: we keep the 70 shapes and say where we depart.
    folders = directory_entries(raw_dir / _FILE)
    if folders:
        log.info(
            "dataset %s: %s has directory entries (%s); they are not classes, so labels are 0..69, "
            "where the reference counted an empty class first and numbered the shapes 1..70 "
            "(docs/decisions.md)",
            DATASET, _FILE, ", ".join(folders),
        )  # fmt: skip
    root = extracted_dir(raw_dir, _FILE)
    examples = []
    for name in tree_names(root, DATASET, _FILE):  # sorted, as the reference reads the zip
        shape = None if THUMBS_DB.search(name) else shape_of(name)
        if shape is None:
            continue
        if shape not in _LABELS:
            raise layout_error(DATASET, _FILE, f"a known shape for {name} (it names {shape!r})")
        examples.append(Example(root / name, _LABELS[shape], name))
    if not examples:
        raise layout_error(DATASET, _FILE, "original/*.gif")
    return random_split(examples, FRACTIONS_ALL_DATA)


def _silhouette(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.zeros((14, 12), dtype=np.uint8)
    top, left = rng.integers(0, 5, size=2)
    image[top : top + 8, left : left + 6] = 255
    return image


def make_fixture(raw_dir: Path) -> None:
    shapes = ["apple", "Bone", "device0", "HCircle", "lizzard", "sea_snake", "watch"]
    # A directory entry first, as zip tools write one for the folder: it is not a class.
    members = {"original/": b""}
    members |= {
        f"original/{shape}-{k}.gif": encode_image(_silhouette(10 * i + k), "GIF")
        for i, shape in enumerate(shapes)
        for k in range(1, 6)
    }
    for extra in ("confusions", "shapedata"):
        members[f"original/{extra}.gif"] = encode_image(_silhouette(99), "GIF")
        members[f"original/{extra}.eps"] = b"%!PS-Adobe-3.0 EPSF-3.0\n"
        members[f"original/{extra}.fig"] = b"#FIG 3.2\n"
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="MPEG-7 CE-Shape-1",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://dabi.temple.edu/external/shape/MPEG7/dataset.html",
        paper_title="Shape Descriptors for Non-rigid Shapes with a Single Closed Contour "
        "(Latecki, Lakämper & Eckhardt, CVPR 2000); the reference cites Learning Context "
        "Sensitive Shape Similarity by Graph Transduction (Bai, Yang, Latecki, Liu & Tu, 2009)",
        paper_url="https://doi.org/10.1109/CVPR.2000.855834",
        license="unknown: see the homepage (distributed by Temple University for benchmarking)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://dabi.temple.edu/external/shape/MPEG7/MPEG7dataset.zip",
                md5="bedd54856c425dcc6e242515c4f67d75",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member-name order",
        notes="Label = the file's shape name (base name before the first '-'), numbered in "
        "Python's sorted order (case-sensitive: Bone, Comma, Glas, HCircle, Heart, Misk, then "
        "the lower-case names), as the reference numbers the names it finds at run time; here "
        "the 70 names are static and a file naming another shape is a layout error. The six "
        "extra files (confusions.*, shapedata.*) are skipped. Directory entries of the zip "
        "(original/) are not classes: the reference builds its class list from every zip entry, "
        "so a directory entry would give it 71 classes, an empty '' class first and every shape "
        "one label higher; convert detects such entries and logs it, and the labels stay 0..69 "
        "(the same images in the same classes, numbered one lower than such a reference run).",
    )
)
