"""Wikipaintings style: WikiArt paintings in 27 art styles, with the ArtGAN (ICIP 2016) train / val lists."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._archives import read_members, stream_zip_members
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "wiki_paintings_style"
IMAGES = "wikiart.zip"
CSVS = "wikiart_csv.zip"
TRAIN_CSV = "style_train.csv"
VAL_CSV = "style_val.csv"
IMAGE_DIR = "wikiart"
_BASE_URL = "http://web.fsktm.um.edu.my/~cschan/source/ICIP2017/"

# Style names in class-index order (ArtGAN's style_class.txt; the reference's STYLE_TO_CLASS_ID).
CLASS_NAMES = (
    "Abstract_Expressionism", "Action_painting", "Analytical_Cubism", "Art_Nouveau", "Baroque",
    "Color_Field_Painting", "Contemporary_Realism", "Cubism", "Early_Renaissance", "Expressionism",
    "Fauvism", "High_Renaissance", "Impressionism", "Mannerism_Late_Renaissance", "Minimalism",
    "Naive_Art_Primitivism", "New_Realism", "Northern_Renaissance", "Pointillism", "Pop_Art",
    "Post_Impressionism", "Realism", "Rococo", "Romanticism", "Symbolism", "Synthetic_Cubism",
    "Ukiyo_e",
)  # fmt: skip


def parse_csv(data: bytes, name: str) -> list[tuple[str, int]]:
    """``path/to/image.jpg,class_index`` rows as (member name, label), in file order.

    The files have no header, but the reference reads them with ``pandas.read_csv`` defaults, which
    take the first row as the header: that row's image is left out, here too.
    """
    rows = [row for row in csv.reader(io.StringIO(data.decode("utf-8"))) if row]
    out = []
    for row in rows[1:]:
        if len(row) != 2 or not row[1].strip().isdigit() or int(row[1]) >= len(CLASS_NAMES):
            raise layout_error(
                DATASET, CSVS, f"'<image path>,<class 0..26>' rows in {name} (got {row})"
            )
        out.append((f"{IMAGE_DIR}/{row[0]}", int(row[1])))
    return out


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    lists = read_members(raw_dir / CSVS, DATASET, (TRAIN_CSV, VAL_CSV))
    train = parse_csv(lists[TRAIN_CSV], TRAIN_CSV)
    test = parse_csv(lists[VAL_CSV], VAL_CSV)
    if not (raw_dir / IMAGES).is_file():
        raise layout_error(DATASET, IMAGES, "the archive")
    # T3 over the official train list in its file order (the reference's order too); val → test.
    splits = official_train_split(train, test)
    # A painting that cannot be read is counted as corrupt (the reference skips it with a warning).
    return {
        split: stream_zip_members(raw_dir / IMAGES, DATASET, members, unreadable_as_corrupt=True)
        for split, members in splits.items()
    }


def make_fixture(raw_dir: Path) -> None:
    # 24 training and 6 validation paintings across 6 styles; the CSVs have no header row.
    styles = (0, 3, 12, 20, 21, 26)
    folders = {3: "Art_Nouveau_Modern"}  # the image folder of style 3 differs from its class name
    images: dict[str, bytes] = {}
    train, val = [], []
    for s, style in enumerate(styles):
        folder = folders.get(style, CLASS_NAMES[style])
        for j in range(5):
            entry = f"{folder}/artist-{s}_painting-{j}.jpg"
            images[f"{IMAGE_DIR}/{entry}"] = encode_image(fixture_image(10 * s + j, 14, 10), "JPEG")
            (val if j == 4 else train).append(f"{entry},{style}\n")
    write_zip(raw_dir / IMAGES, images)
    write_zip(raw_dir / CSVS, {TRAIN_CSV: "".join(train).encode(), VAL_CSV: "".join(val).encode()})


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Wikipaintings: art style (WikiArt, ArtGAN split)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://github.com/cs-chan/ArtGAN/tree/master/WikiArt%20Dataset",
        paper_title="Ceci n'est pas une pipe: A Deep Convolutional Network for Fine-art Paintings "
        "Classification (Tan, Chan, Aguirre & Tanaka, ICIP 2016)",
        paper_url="https://doi.org/10.1109/ICIP.2016.7533051",
        license="non-commercial research use only; the images come from WikiArt.org under its terms "
        "of use (per the dataset's README)",
        artefacts=(
            Artefact(
                IMAGES,
                "url",
                _BASE_URL + IMAGES,
                md5="c6b43cbcd474b875a5626ffde3b627e1",
                # The ArtGAN README's copy (25.4 GB); used only if its checksum matches.
                mirrors=("https://drive.google.com/file/d/182-pFiKvXPB25DbTfAYjJ6gDE-ZCRXz0/view",),
            ),
            Artefact(CSVS, "url", _BASE_URL + CSVS, md5="0d221e7cb0812da6b59044cfca9aafee"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: style_train.csv drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)) in its row order; style_val.csv → test",
        notes="Label = the CSV's class index (names from style_class.txt). As in the reference, the "
        "first row of each CSV is lost (pandas reads it as a header), so one training and one test "
        "painting are left out. Images are read straight from the 25 GB zip (no unpacking); one that "
        "is missing or unreadable is counted as corrupt (the reference skips unreadable ones). The "
        "reference first shrinks each painting to at most 256 px a side (bicubic); we do not, since "
        "the store resizes every image to its own resolution anyway.",
    )
)
