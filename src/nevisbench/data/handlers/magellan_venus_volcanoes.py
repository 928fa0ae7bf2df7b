"""Magellan Venus volcanoes: 134 grey 1024×1024 SAR images of Venus, "does it hold a definite volcano?"."""

from __future__ import annotations

import math
import posixpath
import re
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import TarMember, archive_error, stream_tar_splits
from nevisbench.data.handlers._fixtures import fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "magellan_venus_volcanoes"
_FILE = "volcanoes.tar.gz"
# Members the reference skips (everything but the images: headers, chips, focus-of-attention
# files, ground truths, programs, tables, the readme); matched anywhere in the member name.
_IGNORED = re.compile(r".*\.spr$|Chips|FOA|GroundTruths|Programs|Tables|README")

CLASS_NAMES = ("no_definite_volcano", "definite_volcano")


def label_from_ground_truth(data: bytes) -> int:
    """1 when any line of an ``.lxyr`` file has confidence 1 ("definitely a volcano"), else 0.

    Each line is ``<confidence> <x> <y> <radius>``; like the reference, the confidence is the text
    before the first single space.
    """
    for line in data.decode("utf-8", "replace").splitlines():
        if line.split(" ")[0] == "1":
            return 1
    return 0


def decode_sdt(name: str, data: bytes) -> np.ndarray:
    """A ``.sdt`` image: raw unsigned bytes of a square grey image (1024×1024 in the real data)."""
    side = math.isqrt(len(data))
    if side == 0 or side * side != len(data):
        raise ValueError(f"dataset {DATASET}: {name} holds {len(data)} bytes, not a square image")
    return np.frombuffer(data, dtype=np.uint8).reshape(side, side)


def _index(path: Path) -> tuple[list[str], dict[str, int]]:
    """One pass: the image members in archive order and ``{image basename: label}``."""
    if not path.is_file():
        raise layout_error(DATASET, _FILE, _FILE)
    images: list[str] = []
    labels: dict[str, int] = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                if "GroundTruths" in member.name and member.name.endswith("lxyr"):
                    handle = archive.extractfile(member)
                    assert handle is not None
                    stem = posixpath.splitext(posixpath.basename(member.name))[0]
                    labels[stem + ".sdt"] = label_from_ground_truth(handle.read())
                elif not _IGNORED.search(member.name):
                    images.append(member.name)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise archive_error(DATASET, path, error) from None
    return images, labels


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    path = raw_dir / _FILE
    images, labels = _index(path)
    if not images:
        raise layout_error(DATASET, _FILE, "package/Images/*.sdt")
    members = []
    for name in images:
        basename = posixpath.basename(name)
        if basename not in labels:
            stem = posixpath.splitext(basename)[0]
            raise layout_error(DATASET, _FILE, f"package/GroundTruths/{stem}.lxyr (for {name})")
        members.append(TarMember(path, name, labels[basename]))
    # R4 over the images in the order the tar stores them (the reference's order).
    return stream_tar_splits(random_split(members, FRACTIONS_ALL_DATA), DATASET, decode_sdt)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {"package/README": b"Volcanoes on Venus (fixture)\n"}
    for i in range(1, 31):
        members[f"package/Images/img{i}.sdt"] = fixture_image(i, 16, 16, 1).tobytes()
        members[f"package/Images/img{i}.spr"] = b"2\n16\n0.0\n1.0\n16\n0.0\n1.0\n0\n"
        # Cycle through: a definite volcano; only lesser confidences; no volcano at all.
        lines = ["1 12 30 5\n3 40 40 6\n", "2 10 10 4\n4 20 20 3\n", ""][i % 3]
        members[f"package/GroundTruths/img{i}.lxyr"] = lines.encode()
    members["package/Chips/exp_A1_Ctrn1.sdt"] = fixture_image(99, 15, 15, 1).tobytes()
    members["package/Tables/exp_A1.txt"] = b"1 2 3\n"
    members["package/FOA/exp_A1_img1.foa"] = b"0 0\n"
    members["package/Programs/view.c"] = b"int main(void) { return 0; }\n"
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Magellan Venus Volcanoes",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://archive.ics.uci.edu/ml/datasets/volcanoes+on+venus+-+jartool+experiment",
        paper_title="Learning to Recognize Volcanoes on Venus (Burl, Asker, Smyth, Fayyad, Perona, "
        "Crumpler & Aubele, Machine Learning 30, 1998)",
        paper_url="https://doi.org/10.1023/A:1007400206189",
        license="unknown: see the homepage (UCI Machine Learning Repository)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://archive.ics.uci.edu/ml/machine-learning-databases/volcanoes-mld/"
                "volcanoes.tar.gz",
                md5="55143a4ec42b626126c9b4ed618f59f8",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the order the tar stores package/Images/*.sdt",
        notes="Label 1 (definite_volcano) when the image's GroundTruths/<img>.lxyr has a line "
        "whose confidence (text before the first space) is 1, else 0 (the reference's 'pos'/'neg'). "
        "Every member outside Chips/FOA/GroundTruths/Programs/Tables/README and not *.spr is an "
        "image, as in the reference; an image without a ground-truth file is a layout error (the "
        "reference fails there too). The .sdt files are read as square raw bytes (1024×1024 in the "
        "real data). The tar is streamed once per split rather than unpacked.",
    )
)
