"""Stanford Dogs: 20,580 ImageNet photographs of 120 dog breeds, with the official train/test lists.

TFDS (``stanford_dogs``) keeps the official split (``lists.tar``: ``train_list.mat``, ``test_list.mat``);
the reference takes contiguous slices of TFDS's ``train`` (TFDS-A). TFDS stores a split in the order of
the MD5 of ``split name + example key`` (the key is the image's path in ``images.tar``); that order is
reproduced here.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "stanford_dogs"
_IMAGES = "images.tar"
_LISTS = "lists.tar"
TFDS_A = (("train", 0.7), ("dev", 0.15), ("dev_test", 1.0))

# The breed folders (WordNet id + name), sorted: TFDS numbers the lower-cased folder names in sorted order.
CLASS_NAMES = (
    "n02085620-Chihuahua", "n02085782-Japanese_spaniel", "n02085936-Maltese_dog",
    "n02086079-Pekinese", "n02086240-Shih-Tzu", "n02086646-Blenheim_spaniel", "n02086910-papillon",
    "n02087046-toy_terrier", "n02087394-Rhodesian_ridgeback", "n02088094-Afghan_hound",
    "n02088238-basset", "n02088364-beagle", "n02088466-bloodhound", "n02088632-bluetick",
    "n02089078-black-and-tan_coonhound", "n02089867-Walker_hound", "n02089973-English_foxhound",
    "n02090379-redbone", "n02090622-borzoi", "n02090721-Irish_wolfhound",
    "n02091032-Italian_greyhound", "n02091134-whippet", "n02091244-Ibizan_hound",
    "n02091467-Norwegian_elkhound", "n02091635-otterhound", "n02091831-Saluki",
    "n02092002-Scottish_deerhound", "n02092339-Weimaraner", "n02093256-Staffordshire_bullterrier",
    "n02093428-American_Staffordshire_terrier", "n02093647-Bedlington_terrier",
    "n02093754-Border_terrier", "n02093859-Kerry_blue_terrier", "n02093991-Irish_terrier",
    "n02094114-Norfolk_terrier", "n02094258-Norwich_terrier", "n02094433-Yorkshire_terrier",
    "n02095314-wire-haired_fox_terrier", "n02095570-Lakeland_terrier", "n02095889-Sealyham_terrier",
    "n02096051-Airedale", "n02096177-cairn", "n02096294-Australian_terrier",
    "n02096437-Dandie_Dinmont", "n02096585-Boston_bull", "n02097047-miniature_schnauzer",
    "n02097130-giant_schnauzer", "n02097209-standard_schnauzer", "n02097298-Scotch_terrier",
    "n02097474-Tibetan_terrier", "n02097658-silky_terrier", "n02098105-soft-coated_wheaten_terrier",
    "n02098286-West_Highland_white_terrier", "n02098413-Lhasa", "n02099267-flat-coated_retriever",
    "n02099429-curly-coated_retriever", "n02099601-golden_retriever",
    "n02099712-Labrador_retriever", "n02099849-Chesapeake_Bay_retriever",
    "n02100236-German_short-haired_pointer", "n02100583-vizsla", "n02100735-English_setter",
    "n02100877-Irish_setter", "n02101006-Gordon_setter", "n02101388-Brittany_spaniel",
    "n02101556-clumber", "n02102040-English_springer", "n02102177-Welsh_springer_spaniel",
    "n02102318-cocker_spaniel", "n02102480-Sussex_spaniel", "n02102973-Irish_water_spaniel",
    "n02104029-kuvasz", "n02104365-schipperke", "n02105056-groenendael", "n02105162-malinois",
    "n02105251-briard", "n02105412-kelpie", "n02105505-komondor", "n02105641-Old_English_sheepdog",
    "n02105855-Shetland_sheepdog", "n02106030-collie", "n02106166-Border_collie",
    "n02106382-Bouvier_des_Flandres", "n02106550-Rottweiler", "n02106662-German_shepherd",
    "n02107142-Doberman", "n02107312-miniature_pinscher", "n02107574-Greater_Swiss_Mountain_dog",
    "n02107683-Bernese_mountain_dog", "n02107908-Appenzeller", "n02108000-EntleBucher",
    "n02108089-boxer", "n02108422-bull_mastiff", "n02108551-Tibetan_mastiff",
    "n02108915-French_bulldog", "n02109047-Great_Dane", "n02109525-Saint_Bernard",
    "n02109961-Eskimo_dog", "n02110063-malamute", "n02110185-Siberian_husky",
    "n02110627-affenpinscher", "n02110806-basenji", "n02110958-pug", "n02111129-Leonberg",
    "n02111277-Newfoundland", "n02111500-Great_Pyrenees", "n02111889-Samoyed",
    "n02112018-Pomeranian", "n02112137-chow", "n02112350-keeshond", "n02112706-Brabancon_griffon",
    "n02113023-Pembroke", "n02113186-Cardigan", "n02113624-toy_poodle",
    "n02113712-miniature_poodle", "n02113799-standard_poodle", "n02113978-Mexican_hairless",
    "n02115641-dingo", "n02115913-dhole", "n02116738-African_hunting_dog",
)  # fmt: skip


def read_file_list(data: bytes, member: str) -> list[str]:
    """The ``file_list`` of a list .mat file: ``<folder>/<file>.jpg`` paths relative to ``Images/``."""
    content = load_mat(
        data, DATASET, _LISTS, member, squeeze_me=True, variable_names=("file_list",)
    )
    if "file_list" not in content:
        raise layout_error(DATASET, _LISTS, f"variable file_list in {member}")
    return [str(path) for path in np.atleast_1d(content["file_list"])]


_LABELS = {name.lower(): label for label, name in enumerate(CLASS_NAMES)}


def _split(raw_dir: Path, files: list[str], tfds_split: str) -> list[Example]:
    images = extracted_dir(raw_dir, _IMAGES) / "Images"
    if not images.is_dir():
        raise layout_error(DATASET, _IMAGES, "folder Images/")
    examples = []
    for relative in files:
        folder = relative.split("/")[0]
        if folder.lower() not in _LABELS:
            raise layout_error(DATASET, _LISTS, f"a known breed folder for {relative}")
        key = f"Images/{relative}"  # TFDS's key: the member path in images.tar
        examples.append(Example(images / relative, _LABELS[folder.lower()], key))
    return tfds_order(examples, tfds_split, key=lambda example: example.name)  # the name is the key


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    lists = read_members(raw_dir / _LISTS, DATASET, ("train_list.mat", "test_list.mat"))
    train = read_file_list(lists["train_list.mat"], "train_list.mat")
    test = read_file_list(lists["test_list.mat"], "test_list.mat")
    out = contiguous_split(_split(raw_dir, train, "train"), TFDS_A)
    out["test"] = _split(raw_dir, test, "test")
    return out


def _mat(files: list[str], labels: list[int]) -> bytes:
    buffer = io.BytesIO()
    cells = np.empty((len(files), 1), dtype=object)
    for row, name in enumerate(files):
        cells[row, 0] = np.array([name])
    scipy.io.savemat(
        buffer,
        {
            "file_list": cells,
            "annotation_list": cells.copy(),
            "labels": np.array(labels, dtype=np.uint8).reshape(-1, 1),
        },
    )
    return buffer.getvalue()


def make_fixture(raw_dir: Path) -> None:
    # 10 train images (7/1/2 after TFDS-A) and 3 test images of 3 breeds, in the real layouts:
    # images.tar holds Images/<folder>/<file>.jpg; lists.tar holds the three .mat lists at its root.
    images: dict[str, bytes] = {}
    split_files: dict[str, tuple[list[str], list[int]]] = {"train": ([], []), "test": ([], [])}
    for i in range(13):
        label = (0, 5, 119)[i % 3]
        folder = CLASS_NAMES[label]
        relative = f"{folder}/{folder.split('-')[0]}_{1000 + i}.jpg"
        images[f"Images/{relative}"] = encode_image(fixture_image(i, 8, 10), "JPEG")
        files, labels = split_files["test" if i >= 10 else "train"]
        files.append(relative)
        labels.append(label + 1)
    write_tar(raw_dir / _IMAGES, images, compression="")
    every = (
        split_files["train"][0] + split_files["test"][0],
        split_files["train"][1] + split_files["test"][1],
    )
    write_tar(
        raw_dir / _LISTS,
        {
            "file_list.mat": _mat(*every),
            "train_list.mat": _mat(*split_files["train"]),
            "test_list.mat": _mat(*split_files["test"]),
        },
        compression="",
    )


_BASE = "http://vision.stanford.edu/aditya86/ImageNetDogs/"

SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Stanford Dogs",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage=_BASE + "main.html",
        paper_title="Novel Dataset for Fine-Grained Image Categorization: Stanford Dogs (Khosla, "
        "Jayadevaprakash, Yao & Fei-Fei, CVPR Workshop on Fine-Grained Visual Categorization, 2011)",
        paper_url="http://vision.stanford.edu/aditya86/ImageNetDogs/khoslaFGVC2011.pdf",
        license="unknown: see the homepage (ImageNet images; research use)",
        artefacts=(
            Artefact(
                _IMAGES,
                "url",
                _BASE + _IMAGES,
                sha256="a443fc2f9a851aa1a7b8e4fa4af94b8459fce2c9f5a2f4dd4669cf9673a4ec58",
                extract=True,
            ),
            Artefact(
                _LISTS,
                "url",
                _BASE + _LISTS,
                sha256="34b47cacd9a98b5d150e084f24d29391c084c55272295ec65c85651bc35f4d6c",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS stanford_dogs: TFDS train = train_list.mat (12,000), TFDS "
        "test = test_list.mat (8,580); train = the first int(.7N) of TFDS train in TFDS's stored order "
        "(MD5 of 'train' + 'Images/<folder>/<file>'), dev = the next int(.15N), dev_test = the rest "
        "(8,400 / 1,800 / 1,800); test = TFDS test",
        notes="Whole images labelled by breed folder (TFDS 0.2 numbers the lower-cased folder names in "
        "sorted order, which is WordNet-id order); the bounding boxes are not used, so annotation.tar "
        "is not fetched. Checksums are TFDS's SHA-256 (no MD5 is published). TFDS's stored order (MD5 of "
        "split name + key, ascending) is reproduced, so the slices should hold the same images as the "
        "paper's.",
    )
)
