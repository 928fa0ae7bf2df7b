"""Oxford-IIIT Pet: 7,349 photographs of 37 cat and dog breeds, with the official trainval/test lists.

TFDS (``oxford_iiit_pet``) reads ``annotations/trainval.txt`` as its ``train`` split and
``annotations/test.txt`` as ``test``; the reference takes contiguous slices of TFDS's ``train``
(TFDS-A). TFDS stores a split in the order of the MD5 of ``split name + example key`` (the key is
``<image name>.jpg``); that order is reproduced here.
"""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "oxford_iiit_pet"
_IMAGES = "images.tar.gz"
_ANNOTATIONS = "annotations.tar.gz"
TFDS_A = (("train", 0.7), ("dev", 0.15), ("dev_test", 1.0))

# The breeds in class-id order (the list files number them 1..37); cats are capitalised.
CLASS_NAMES = (
    "Abyssinian", "american_bulldog", "american_pit_bull_terrier", "basset_hound", "beagle", "Bengal",
    "Birman", "Bombay", "boxer", "British_Shorthair", "chihuahua", "Egyptian_Mau",
    "english_cocker_spaniel", "english_setter", "german_shorthaired", "great_pyrenees", "havanese",
    "japanese_chin", "keeshond", "leonberger", "Maine_Coon", "miniature_pinscher", "newfoundland",
    "Persian", "pomeranian", "pug", "Ragdoll", "Russian_Blue", "saint_bernard", "samoyed",
    "scottish_terrier", "shiba_inu", "Siamese", "Sphynx", "staffordshire_bull_terrier",
    "wheaten_terrier", "yorkshire_terrier",
)  # fmt: skip


def parse_list(data: bytes, list_name: str) -> list[tuple[str, int]]:
    """``(image name, label)`` of each line ``<name> <class id 1..37> <species> <breed id>``."""
    out = []
    for line in iter_lines(data):
        if line.startswith("#"):
            continue
        fields = line.split()
        if (
            len(fields) != 4
            or not fields[1].isdigit()
            or not 1 <= int(fields[1]) <= len(CLASS_NAMES)
        ):
            raise layout_error(
                DATASET, _ANNOTATIONS, f"'<name> <class 1..37> <species> <id>' in {list_name}"
            )
        name, label = fields[0], int(fields[1]) - 1
        # The image name is <breed>_<number>; a breed that disagrees with the class id means another list.
        if name.rsplit("_", 1)[0] != CLASS_NAMES[label]:
            raise layout_error(
                DATASET, _ANNOTATIONS, f"breed {CLASS_NAMES[label]} for {name} in {list_name}"
            )
        out.append((name, label))
    return out


def _split(raw_dir: Path, list_name: str, tfds_split: str) -> list[Example]:
    annotations = extracted_dir(raw_dir, _ANNOTATIONS) / "annotations"
    images = extracted_dir(raw_dir, _IMAGES) / "images"
    path = annotations / list_name
    if not path.is_file():
        raise layout_error(DATASET, _ANNOTATIONS, f"annotations/{list_name}")
    if not images.is_dir():
        raise layout_error(DATASET, _IMAGES, "folder images/")
    entries = parse_list(path.read_bytes(), list_name)
    # TFDS's key is the image file, "<name>.jpg".
    ordered = tfds_order(entries, tfds_split, key=lambda entry: f"{entry[0]}.jpg")
    return [Example(images / f"{name}.jpg", label, f"images/{name}.jpg") for name, label in ordered]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    out = contiguous_split(_split(raw_dir, "trainval.txt", "train"), TFDS_A)
    out["test"] = _split(raw_dir, "test.txt", "test")
    return out


def make_fixture(raw_dir: Path) -> None:
    # 12 trainval images (8/1/3 after TFDS-A) and 4 test images of 3 breeds. Both real archives are
    # plain tars despite their .tar.gz names; so are these.
    breeds = ((0, 1), (1, 2), (32, 1))  # (class index, species 1 cat / 2 dog)
    images: dict[str, bytes] = {}
    lists: dict[str, list[str]] = {"trainval.txt": [], "test.txt": []}
    for i in range(16):
        label, species = breeds[i % 3]
        name = f"{CLASS_NAMES[label]}_{i + 1}"
        images[f"images/{name}.jpg"] = encode_image(fixture_image(i, 9, 11), "JPEG")
        lists["test.txt" if i >= 12 else "trainval.txt"].append(
            f"{name} {label + 1} {species} {i + 1}\n"
        )
    write_tar(raw_dir / _IMAGES, images, compression="")
    members = {f"annotations/{name}": "".join(lines).encode() for name, lines in lists.items()}
    members["annotations/list.txt"] = b"#Image CLASS-ID SPECIES BREED ID\n"
    write_tar(raw_dir / _ANNOTATIONS, members, compression="")


_BASE = "https://www.robots.ox.ac.uk/~vgg/data/pets/data/"

SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Oxford-IIIT Pet",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.robots.ox.ac.uk/~vgg/data/pets/",
        paper_title="Cats and Dogs (Parkhi, Vedaldi, Zisserman & Jawahar, CVPR 2012)",
        paper_url="https://www.robots.ox.ac.uk/~vgg/publications/2012/parkhi12a/parkhi12a.pdf",
        license="CC BY-SA 4.0 (the homepage; image copyright stays with the original owners)",
        artefacts=(
            Artefact(
                _IMAGES,
                "url",
                _BASE + _IMAGES,
                md5="5c4f3ee8e5d25df40f4fd59a7f44e54c",
                mirrors=("https://thor.robots.ox.ac.uk/~vgg/data/pets/" + _IMAGES,),
                extract=True,
            ),
            Artefact(
                _ANNOTATIONS,
                "url",
                _BASE + _ANNOTATIONS,
                md5="95a8c909bbe2e81eed6a22bccdf3f68f",
                mirrors=("https://thor.robots.ox.ac.uk/~vgg/data/pets/" + _ANNOTATIONS,),
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS oxford_iiit_pet: TFDS train = annotations/trainval.txt "
        "(3,680), TFDS test = annotations/test.txt (3,669); train = the first int(.7N) of TFDS train in "
        "TFDS's stored order (MD5 of 'train' + '<name>.jpg'), dev = the next int(.15N), dev_test = the "
        "rest (2,576 / 552 / 552); test = TFDS test",
        notes="Labels are the 37 breeds (TFDS 'label', from the lists' class id), not the cat/dog species. "
        "TFDS's stored order (MD5 of split name + '<name>.jpg', ascending) is reproduced, so the slices "
        "should hold the same images as the paper's. The few files that are not clean JPEGs (PNG or "
        "CMYK data, an alpha channel) are decoded by the store and converted to RGB; TFDS 4.0 re-encodes "
        "them, the 3.x version the reference used did not.",
    )
)
