"""PASCAL VOC 2005: whole images of cars, motorbikes, bicycles and people (test sets 1 and 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import (
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

DATASET = "pascal_voc2005"
_TRAIN_FILE = "voc2005_1.tar.gz"
_TEST_FILE = "voc2005_2.tar.gz"
_URL = "http://host.robots.ox.ac.uk/pascal/VOC/download/"

CLASS_NAMES = ("car", "motorbike", "bike", "person")

# Which folders of each archive hold each class, in the reference's order (class by class, then
# folder by folder); a member belongs to a folder when its name starts with the folder's path and
# ends with 'png'. The reference keeps the training folders of VOC2005_1 for train/dev/dev_test
# and the VOC2005_2 folders for test.
TRAIN_FOLDERS = {
    "car": ("Caltech_cars", "ETHZ_sideviews-cars", "TUGraz_cars"),
    "bike": ("TUGraz_bike",),
    "motorbike": ("Caltech_motorbikes_side",),
    "person": ("TUGraz_person",),
}
TEST_FOLDERS = {
    "car": ("car", "voiture"),
    "bike": ("bicycle", "bike", "velo"),
    "motorbike": ("motocyclette", "motorbike", "motorcycle"),
    "person": ("INRIA_graz-person-test", "INRIA_inria-person-test", "pedestrian", "pieton"),
}


def select(
    path: Path, root: str, folders: dict[str, tuple[str, ...]], artefact: str
) -> list[TarMember]:
    """The images of each class's folders, in the reference's order; a folder without any image is
    a layout error (the reference asserts each has one)."""
    names = [name for name in tar_names(path, DATASET, artefact) if name.endswith("png")]
    out = []
    for class_name, class_folders in folders.items():
        label = CLASS_NAMES.index(class_name)
        for folder in class_folders:
            prefix = f"{root}/PNGImages/{folder}"
            found = [TarMember(path, name, label) for name in names if name.startswith(prefix)]
            if not found:
                raise layout_error(DATASET, artefact, f"{prefix}/*.png")
            out.extend(found)
    return out


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    train_path, test_path = raw_dir / _TRAIN_FILE, raw_dir / _TEST_FILE
    pool = select(train_path, "VOC2005_1", TRAIN_FOLDERS, _TRAIN_FILE)
    test = select(test_path, "VOC2005_2", TEST_FOLDERS, _TEST_FILE)
    # T3: the VOC2005_1 pool drawn 70/15/15 in the reference's order; all of VOC2005_2 as test.
    out = stream_tar_splits(random_split(pool, FRACTIONS_TRAIN), DATASET)
    out["test"] = stream_tar_members(test, DATASET)
    return out


def _fixture_archive(
    path: Path, root: str, folders: dict[str, tuple[str, ...]], count: int
) -> None:
    members: dict[str, bytes] = {}
    seed = 0
    for class_folders in folders.values():
        for folder in class_folders:
            for index in range(1, count + 1):
                seed += 1
                image = encode_image(fixture_image(seed, 10, 14))
                members[f"{root}/PNGImages/{folder}/{folder.lower()}_{index:03d}.png"] = image
                members[f"{root}/Annotations/{folder}/{folder.lower()}_{index:03d}.txt"] = (
                    b"# PASCAL Annotation Version 1.00\n"
                )
    members[f"{root}/README.txt"] = b"VOC2005 fixture\n"
    write_tar(path, members)


def make_fixture(raw_dir: Path) -> None:
    _fixture_archive(raw_dir / _TRAIN_FILE, "VOC2005_1", TRAIN_FOLDERS, 4)
    _fixture_archive(raw_dir / _TEST_FILE, "VOC2005_2", TEST_FOLDERS, 1)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="PASCAL VOC 2005",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://host.robots.ox.ac.uk/pascal/VOC/voc2005/",
        paper_title="The 2005 PASCAL Visual Object Classes Challenge (Everingham et al., "
        "Machine Learning Challenges workshop, LNAI 3944, 2006)",
        paper_url="https://doi.org/10.1007/11736790_8",
        license="unknown: see the homepage (images gathered from several research groups' sets)",
        artefacts=(
            Artefact(
                _TRAIN_FILE, "url", _URL + _TRAIN_FILE, md5="6fbeaee73a81c462b190ca837b977896"
            ),
            Artefact(_TEST_FILE, "url", _URL + _TEST_FILE, md5="15ec3d318b84ffdfa25f1e05de0014e2"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the VOC2005_1 images of the listed folders (class by class, "
        "folder by folder, each in tar order) drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)); test = the listed VOC2005_2 folders",
        notes="Whole images, single label: the class of the folder (car: Caltech_cars, "
        "ETHZ_sideviews-cars, TUGraz_cars / car, voiture; motorbike: Caltech_motorbikes_side / "
        "motocyclette, motorbike, motorcycle; bike: TUGraz_bike / bicycle, bike, velo; person: "
        "TUGraz_person / INRIA_graz-person-test, INRIA_inria-person-test, pedestrian, pieton). "
        "Folder membership is the reference's string-prefix test on "
        "<VOC2005_k>/PNGImages/<folder>, kept as is; a member matching two prefixes would count "
        "twice, as in the reference. The tars are streamed once per split rather than unpacked.",
    )
)
