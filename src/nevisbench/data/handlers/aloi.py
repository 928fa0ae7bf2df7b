"""ALOI (Amsterdam Library of Object Images): 1,000 objects under varied colour, view and light."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import (
    THUMBS_DB,
    TarMember,
    stream_tar_members,
    stream_tar_splits,
    tar_names,
)
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split
from nevisbench.values import TaskKind

DATASET = "aloi"
_URL = "http://aloi.science.uva.nl/tars/"
NUM_CLASSES = 1000
CLASS_NAMES = tuple(f"object_{number}" for number in range(1, NUM_CLASSES + 1))

# Quarter-resolution (192×144) colour tars. The reference also downloads aloi_red4_stereo.tar
# (md5 44fef81680375641ea374c32dbe6d68d) but never reads it, so it is not listed here.
ILLUMINATION = "aloi_red4_ill.tar"  # 24 per object: 8 light directions × 3 cameras → test
COLOUR = "aloi_red4_col.tar"  # 12 per object: illumination colour temperatures → train pool
VIEW = "aloi_red4_view.tar"  # 72 per object: viewing angle in 5° steps → train pool
_MD5 = {
    ILLUMINATION: "0f72c3acf66908e61b6f8d5bf5981193",
    COLOUR: "c0486588258de8a26df4ed7aff0b34f8",
    VIEW: "ca29f342bb0c1fa4788e9f76f591ec59",
}


def label_of(member: str, artefact: str) -> int:
    """``<dir>/<object>/<file>`` → object − 1 (the second path component)."""
    parts = member.split("/")
    try:
        label = int(parts[1]) - 1
    except (IndexError, ValueError):
        raise layout_error(DATASET, artefact, f"a <dir>/<object>/ path (found {member})") from None
    if not 0 <= label < NUM_CLASSES:
        raise layout_error(DATASET, artefact, f"an object number in 1..{NUM_CLASSES} ({member})")
    return label


def _members(raw_dir: Path, artefact: str) -> list[TarMember]:
    path = raw_dir / artefact
    members = [
        TarMember(path, name, label_of(name, artefact))
        for name in tar_names(path, DATASET)
        if not THUMBS_DB.search(name)
    ]
    if not members:
        raise layout_error(DATASET, artefact, "png4/<object>/*.png")
    return members


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    # T3 with handler-defined pools: colour then view images (each tar in its own order) drawn
    # 70/15/15; the illumination images are the test set.
    pool = _members(raw_dir, COLOUR) + _members(raw_dir, VIEW)
    test = _members(raw_dir, ILLUMINATION)
    out = stream_tar_splits(random_split(pool, FRACTIONS_TRAIN), DATASET)
    out["test"] = stream_tar_members(test, DATASET)
    return out


def make_fixture(raw_dir: Path) -> None:
    objects = (1, 2, 1000)
    variants = {
        COLOUR: [f"i{t}" for t in (110, 250)],
        VIEW: [f"r{angle}" for angle in range(0, 30, 5)],
        ILLUMINATION: [f"l{light}c{camera}" for light in (1, 8) for camera in (1, 3)],
    }
    for artefact, suffixes in variants.items():
        members = {
            f"png4/{obj}/{obj}_{suffix}.png": encode_image(fixture_image(obj + 7 * k, 9, 12))
            for obj in objects
            for k, suffix in enumerate(suffixes)
        }
        write_tar(raw_dir / artefact, members, compression="")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="ALOI (Amsterdam Library of Object Images)",
        num_classes=NUM_CLASSES,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://aloi.science.uva.nl/",
        paper_title="The Amsterdam Library of Object Images (Geusebroek, Burghouts & Smeulders, "
        "IJCV 61(1), 2005)",
        paper_url="https://doi.org/10.1023/B:VISI.0000042993.50813.60",
        license="unknown: see the homepage (free for research use)",
        artefacts=tuple(
            Artefact(name, "url", _URL + name, md5=_MD5[name])
            for name in (ILLUMINATION, COLOUR, VIEW)
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3 with handler-defined pools: the colour-temperature images "
        "(aloi_red4_col.tar) then the viewing-angle images (aloi_red4_view.tar), each in tar "
        "order, drawn train .70 / dev .15 / dev_test .15 (RandomState(0)); test = the "
        "illumination-direction images (aloi_red4_ill.tar)",
        notes="Label = object number − 1 from the member path <dir>/<object>/<file>. The "
        "reference's fourth tar (aloi_red4_stereo.tar) is not used by its handler, so it is not "
        "downloaded. The tars (~110,000 images) are streamed once per split rather than unpacked.",
    )
)
