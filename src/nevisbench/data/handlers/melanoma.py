"""ISIC 2017 melanoma challenge (part 3): dermoscopy images in 3 classes (melanoma, keratosis, nevus)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

_URL = "https://isic-challenge-data.s3.amazonaws.com/2017/"
CLASS_NAMES = ("melanoma", "seborrheic_keratosis", "benign_nevi")
# Part: (image zip, ground-truth CSV, MD5 of the zip, MD5 of the CSV).
PARTS = {
    "train": ("ISIC-2017_Training_Data.zip", "ISIC-2017_Training_Part3_GroundTruth.csv",
              "a14a7e622c67a358797ae59abb8a0b0c", "0cb4add57c65c22ca1a1cb469ad1f0c5"),
    "dev_test": ("ISIC-2017_Validation_Data.zip", "ISIC-2017_Validation_Part3_GroundTruth.csv",
                 "8d6419d942112f709894c0d82f6c9038", "8d4826a76adcd8fb928ca52a23ebae4c"),
    "test": ("ISIC-2017_Test_v2_Data.zip", "ISIC-2017_Test_v2_Part3_GroundTruth.csv",
             "5f6a0b5e1f2972bd1f5ea02680489f09", "9e957b72a0c4f9e0d924889fd03b36ed"),
}  # fmt: skip
TRAIN_FRACTION = 0.8
SPLIT_SEED = 1


def parse_ground_truth(text: str, folder: str, where: str) -> list[tuple[str, int]]:
    """``image_id,melanoma,seborrheic_keratosis`` rows (after a header) → [(member path, label)].

    Label: melanoma if its flag is 1, else seborrheic keratosis if that flag is 1, else benign
    nevus; both flags set is an error, as in the reference.
    """
    pairs = []
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        parts = line.strip().split(",")
        if len(parts) != 3:
            raise ValueError(f"dataset melanoma: {where}: expected 3 columns in {line!r}")
        melanoma, keratosis = float(parts[1]) == 1, float(parts[2]) == 1
        if melanoma and keratosis:
            raise ValueError(f"dataset melanoma: {where}: {parts[0]} has two classes")
        label = 0 if melanoma else 1 if keratosis else 2
        pairs.append((f"{folder}/{parts[0]}.jpg", label))
    return pairs


def train_dev_paths(pairs: list[tuple[str, int]]) -> tuple[set[str], set[str]]:
    """The reference's train/dev cut: the (path, label) rows permuted by ``default_rng(1)``; the
    first ``int(0.8 N)`` rows are train, the rest dev."""
    rows = np.random.default_rng(SPLIT_SEED).permutation(pairs)
    cut = int(len(rows) * TRAIN_FRACTION)
    return {str(row[0]) for row in rows[:cut]}, {str(row[0]) for row in rows[cut:]}


def _part(raw_dir: Path, part: str) -> tuple[list[tuple[str, int]], Path]:
    zip_name, csv_name = PARTS[part][:2]
    folder = zip_name.removesuffix(".zip")
    text = require(raw_dir / csv_name, "melanoma", csv_name, raw_dir).read_text("utf-8")
    return parse_ground_truth(text, folder, csv_name), extracted_dir(raw_dir, zip_name)


def _examples(
    pairs: list[tuple[str, int]], root: Path, keep: set[str], zip_name: str
) -> list[Example]:
    # In sorted member order (the reference reads the zip sorted), only the listed images (the
    # zips also hold *_superpixels.png files).
    examples = []
    for path, label in sorted(pairs):
        if path in keep:
            file = root / path
            if not file.is_file():
                raise layout_error("melanoma", zip_name, path)
            examples.append(Example(file, label, path))
    return examples


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    pairs, root = _part(raw_dir, "train")
    train, dev = train_dev_paths(pairs)
    zip_name = PARTS["train"][0]
    out = {
        "train": _examples(pairs, root, train, zip_name),
        "dev": _examples(pairs, root, dev, zip_name),
    }
    for part in ("dev_test", "test"):
        pairs, root = _part(raw_dir, part)
        out[part] = _examples(pairs, root, {path for path, _ in pairs}, PARTS[part][0])
    return out


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for index, (part, (zip_name, csv_name, _, _)) in enumerate(PARTS.items()):
        folder = zip_name.removesuffix(".zip")
        count = 20 if part == "train" else 5
        rows, members = ["image_id,melanoma,seborrheic_keratosis\n"], {}
        for k in range(count):
            image_id = f"ISIC_{index * 1000 + k:07d}"
            flags = ((1.0, 0.0), (0.0, 1.0), (0.0, 0.0))[k % 3]
            rows.append(f"{image_id},{flags[0]},{flags[1]}\n")
            members[f"{folder}/{image_id}.jpg"] = encode_image(
                fixture_image(index * 100 + k, 8, 8), "JPEG"
            )
            members[f"{folder}/{image_id}_superpixels.png"] = encode_image(fixture_image(k, 8, 8))
        write_zip(raw_dir / zip_name, members)
        (raw_dir / csv_name).write_text("".join(rows))


SPEC = register_dataset(
    DatasetSpec(
        id="melanoma",
        title="ISIC 2017 melanoma classification",
        num_classes=3,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://challenge.isic-archive.com/data/",
        paper_title="Skin Lesion Analysis Toward Melanoma Detection: A Challenge at the 2017 "
        "International Symposium on Biomedical Imaging (ISBI), Hosted by the International Skin "
        "Imaging Collaboration (ISIC) (Codella et al., 2018)",
        paper_url="https://arxiv.org/abs/1710.05006",
        license="CC BY-NC 4.0 (ISIC challenge data)",
        artefacts=tuple(
            artefact
            for zip_name, csv_name, zip_md5, csv_md5 in PARTS.values()
            for artefact in (
                Artefact(zip_name, "url", _URL + zip_name, md5=zip_md5, extract=True),
                Artefact(csv_name, "url", _URL + csv_name, md5=csv_md5),
            )
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: the 2,000 training rows (ground-truth CSV order) "
        "permuted by numpy default_rng(1), first int(0.8 N) = train (1,600), rest = dev (400); "
        "official validation (150) → dev_test; official test (600) → test",
        notes="Split membership is the reference's exactly (it depends only on the CSV order and "
        "the seed). Within a split, images are stored in sorted path order, as the reference "
        "reads the zips.",
    )
)
