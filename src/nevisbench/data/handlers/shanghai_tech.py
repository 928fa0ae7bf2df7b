"""ShanghaiTech crowd counting (Zhang et al.), parts A and B, cast as classification: 10 buckets of the
head count with about as many images each."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._archives import zip_names
from nevisbench.data.handlers._buckets import count_buckets
from nevisbench.data.handlers._fixtures import image_members, write_zip
from nevisbench.data.handlers._layout import kaggle_zip, layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

DATASET = "shanghai_tech"
_KAGGLE = "tthien/shanghaitech"
_FILE = kaggle_zip(_KAGGLE)
NUM_BUCKETS = 10
MAX_COUNT = 5000  # the reference's histogram size; larger counts go to its last bin
_SPLIT_SEED = 1

CLASS_NAMES = tuple(f"count bucket {k}" for k in range(NUM_BUCKETS))


def image_of(annotation: str) -> str:
    """The image of a ground-truth file, as the reference maps it:
    ``<a>/<b>/<c>/…/GT_IMG_<n>.mat`` → ``<a>/<b>/<c>/images/IMG_<n>.jpg``."""
    parts = annotation.split("/")
    pieces = parts[-1].split("_")
    if len(parts) < 4 or len(pieces) < 3:
        raise layout_error(
            DATASET, _FILE, f"a <part>/<set>/ground-truth/GT_IMG_<n>.mat path (got {annotation})"
        )
    return "/".join([*parts[:3], "images", f"{pieces[1]}_{pieces[2][:-3]}jpg"])


def head_count(data: dict, name: str) -> int:
    """The number of annotated heads: the rows of ``image_info{1}.location``."""
    try:
        return int(data["image_info"][0][0][0][0][0].shape[0])
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        raise layout_error(
            DATASET, _FILE, f"image_info{{1}}.location in {name} ({error!r})"
        ) from None


def split_training(files: Sequence[str]) -> dict[str, list[str]]:
    """The reference's split of the training images: one ``default_rng(1)`` permutation, then the
    first 70% train, the next 15% dev, the rest dev_test."""
    total = len(files)
    order = np.random.default_rng(_SPLIT_SEED).permutation(total).tolist()
    cut1 = int((1 - 0.15 - 0.15) * total)
    cut2 = int((1 - 0.15) * total)
    return {
        "train": [files[i] for i in order[:cut1]],
        "dev": [files[i] for i in order[cut1:cut2]],
        "dev_test": [files[i] for i in order[cut2:]],
    }


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    counts: dict[str, int] = {}
    training: list[str] = []
    test: list[str] = []
    # Ground-truth files in the zip's member order (the reference's infolist order), leaving out the
    # shanghaitech_h5_empty copy.
    for name in zip_names(raw_dir / _FILE, DATASET):
        if name.endswith("/") or "shanghaitech_h5_empty" in name or not name.endswith("mat"):
            continue
        path = require(root / name, DATASET, _FILE, root)
        image = image_of(name)
        counts[image] = head_count(scipy.io.loadmat(path), name)
        (training if "train" in image else test).append(image)
    if not training or not test:
        raise layout_error(
            DATASET, _FILE, "ground-truth .mat files of both train_data and test_data"
        )
    labels = count_buckets(list(counts.values()), MAX_COUNT, DATASET, NUM_BUCKETS)

    def examples(images: list[str]) -> list[Example]:
        out = []
        for image in images:
            path = require(root / image, DATASET, _FILE, root)
            out.append(Example(path, labels[min(counts[image], MAX_COUNT - 1)], image))
        return out

    out = {split: examples(images) for split, images in split_training(training).items()}
    out["test"] = examples(test)
    return out


def _annotation(count: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    info = np.zeros((1, 1), dtype=[("location", "O"), ("number", "O")])
    info[0, 0]["location"] = rng.uniform(0, 100, size=(count, 2))
    info[0, 0]["number"] = np.array([[float(count)]])
    cell = np.empty((1, 1), dtype=object)
    cell[0, 0] = info
    return {"image_info": cell}


def fixture_counts() -> list[int]:
    """Head counts of the fixture's images, in the order written."""
    return [(7 * k) % 41 + 1 + (200 if k % 5 == 0 else 0) for k in range(40)]


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    images = []
    for k, count in enumerate(fixture_counts()):
        part = "part_A" if k % 2 == 0 else "part_B"
        subset = "test_data" if k % 4 == 3 else "train_data"
        number = k + 1
        buffer = io.BytesIO()
        scipy.io.savemat(buffer, _annotation(count, k))
        members[f"ShanghaiTech/{part}/{subset}/ground-truth/GT_IMG_{number}.mat"] = (
            buffer.getvalue()
        )
        images.append(f"ShanghaiTech/{part}/{subset}/images/IMG_{number}.jpg")
        # The Kaggle copy also has HDF5 density maps under shanghaitech_h5_empty/ (never read).
        members[
            f"shanghaitech_h5_empty/ShanghaiTech/{part}/{subset}/ground-truth/IMG_{number}.mat"
        ] = b"x"
    members.update(image_members(images, seed=1300, channels=3, fmt="JPEG"))
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="ShanghaiTech crowd counting (count buckets)",
        num_classes=NUM_BUCKETS,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.kaggle.com/tthien/shanghaitech",
        paper_title="Single-Image Crowd Counting via Multi-Column Convolutional Neural Network "
        "(Zhang, Zhou, Chen, Gao & Ma, CVPR 2016)",
        paper_url="https://openaccess.thecvf.com/content_cvpr_2016/papers/"
        "Zhang_Single-Image_Crowd_Counting_CVPR_2016_paper.pdf",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                _KAGGLE,
                md5="f547d65447063405ea78ab7fa9ae721b",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: the training images of parts A and B (in the zip's order of "
        "their ground-truth files) permuted with numpy default_rng(1), then the first int(.7N) train, "
        "the next up to int(.85N) dev, the rest dev_test; the test images of A and B → test",
        notes="Label = one of 10 buckets of the head count (the rows of image_info{1}.location in the "
        "image's GT_IMG_<n>.mat), with boundaries chosen as the reference does from the histogram of "
        "all images' counts (train and test together) so that the buckets hold about equal numbers of "
        "images; bucket k holds larger counts than bucket k−1. Boundary k is the last count whose "
        "cumulative frequency is strictly below k/10 of the images, so the lower buckets can be smaller "
        "than a tenth (kept as the reference has it). The reference names each bucket by its "
        "count range, known only from the data; we name them 'count bucket 0…9'.",
    )
)
