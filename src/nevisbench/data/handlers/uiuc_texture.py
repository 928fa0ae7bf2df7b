"""UIUC texture database: 1,000 grey 640×480 images of 25 textures (40 each), in five zips."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "uiuc_texture"
_BASE_URL = (
    "https://web.archive.org/web/20070829035029/"
    "http://www-cvr.ai.uiuc.edu/ponce_grp/data/texture_database/"
)
_MD5 = {
    "T01-T05.zip": "e622e4708e336d51b3bbd45503618af1",
    "T06-T10.zip": "50ab35564058d3f1d05e6f5d767db5df",
    "T11-T15.zip": "d1c7584aeb0ab1e41c7157c60e84c3ad",
    "T16-T20.zip": "d527ba7d820e1eeaef49f9c07b82aa34",
    "T21-T25.zip": "74a29af10123f2be70ea481e5af3ec36",
}
ARCHIVES = tuple(_MD5)

# The class folders of the five zips (T<nn>_<texture>), sorted, as the reference numbers them.
CLASS_NAMES = (
    "T01_bark1", "T02_bark2", "T03_bark3", "T04_wood1", "T05_wood2", "T06_wood3", "T07_water",
    "T08_granite", "T09_marble", "T10_floor1", "T11_floor2", "T12_pebbles", "T13_wall",
    "T14_brick1", "T15_brick2", "T16_glass1", "T17_glass2", "T18_carpet1", "T19_carpet2",
    "T20_upholstery", "T21_wallpaper", "T22_fur", "T23_knit", "T24_corduroy", "T25_plaid",
)  # fmt: skip
_INDEX = {name: label for label, name in enumerate(CLASS_NAMES)}


def examples(raw_dir: Path) -> list[Example]:
    """The images of the five zips in turn, each zip in sorted member order, labelled by folder."""
    out = []
    for archive in ARCHIVES:
        root = extracted_dir(raw_dir, archive)
        if not root.is_dir():
            raise layout_error(DATASET, archive, "the unpacked archive")
        # Every file but Windows thumbnails (the reference's only filter), in sorted path order.
        for path in (p for p in list_files(root, None) if p.name != "Thumbs.db"):
            relative = path.relative_to(root).as_posix()
            folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
            if folder not in _INDEX:
                raise layout_error(
                    DATASET, archive, f"a class folder ({CLASS_NAMES[0]}, …) holding {relative}"
                )
            out.append(Example(path, _INDEX[folder], f"{archive}/{relative}"))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return random_split(examples(raw_dir), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    # Each zip holds its five class folders; 2 grey JPEGs per class here (40 in the real ones).
    for position, archive in enumerate(ARCHIVES):
        members: dict[str, bytes] = {}
        for name in CLASS_NAMES[5 * position : 5 * position + 5]:
            for j in range(1, 3):
                image = fixture_image(_INDEX[name] * 10 + j, 12, 16, channels=1)
                members[f"{name}/{name[:3]}_{j:02d}.jpg"] = encode_image(image, "JPEG")
        write_zip(raw_dir / archive, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="UIUC texture database",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://web.archive.org/web/20070829035029/"
        "http://www-cvr.ai.uiuc.edu/ponce_grp/data/index.html",
        paper_title="A Sparse Texture Representation Using Local Affine Regions (Lazebnik, Schmid & "
        "Ponce, IEEE TPAMI 27(8), 2005); NEVIS dates it by A Training-free Classification Framework "
        "for Textures, Writers, and Materials (Timofte & Van Gool, BMVC 2012)",
        paper_url="https://doi.org/10.1109/TPAMI.2005.151",
        license="unknown: see the homepage",
        artefacts=tuple(
            Artefact(name, "url", _BASE_URL + name, md5=md5, extract=True)
            for name, md5 in _MD5.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) over the zips T01-T05 … T21-T25 in turn, each in sorted member order",
        notes="Class names are static (the 25 folder names, sorted, which the reference reads at run "
        "time); label = the image's folder. The reference reads the five zips in directory-listing "
        "order (unspecified); we read them in name order, so R4 membership may differ from the paper's "
        "if its listing gave another order. Every member but Thumbs.db is an example, as in the "
        "reference. Its preprocessing='random_crop' metadata is never applied there (quirk Q1) nor here.",
    )
)
