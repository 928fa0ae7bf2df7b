"""Fashion-MNIST: Zalando's 70,000 28×28 grey article images in 10 classes, from the official IDX files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._idx import read_pair, tfds_a_split, write_fixture
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

_OFFICIAL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_GITHUB = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist/"  # the Debian package dataset-fashion-mnist

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# Every known MD5 of each file: the official one (README of zalandoresearch/fashion-mnist), then the
# Debian package's (dataset-fashion-mnist), which recompressed the same IDX payload. The IDX reader also parses
# strictly, so a file with no known checksum (e.g. via --from) still fails clearly when truncated.
KNOWN_MD5S: dict[str, tuple[str, ...]] = {
    "train-images-idx3-ubyte.gz": (
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "cf8536b0aa1a6ac5fa3f23001093305c",
    ),
    "train-labels-idx1-ubyte.gz": (
        "25c81989df183df01b3e8a0aad5dffbe",
        "10bea18fdb374794d4bb42e356e600c9",
    ),
    "t10k-images-idx3-ubyte.gz": (
        "bef4ecab320f06d8554ea6380940ec79",
        "f78720b4224f21cce2f2ccf2d7a94c9a",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "bb300cfdad3c16e7a12a480ee83cd310",
        "0d30e22e447f3c33dab9ed536400ac01",
    ),
}


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    classes = len(CLASS_NAMES)
    return tfds_a_split(read_pair(raw_dir, "train", classes), read_pair(raw_dir, "t10k", classes), "t10k")


def make_fixture(raw_dir: Path) -> None:
    write_fixture(raw_dir, seed=0, num_classes=len(CLASS_NAMES))


SPEC = register_dataset(
    DatasetSpec(
        id="fashion_mnist",
        title="Fashion-MNIST",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        paper_title="Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms "
        "(Xiao, Rasul & Vollgraf, 2017)",
        paper_url="https://arxiv.org/abs/1708.07747",
        license="MIT (Zalando SE)",
        artefacts=tuple(
            # The S3 website endpoint the README links serves plain HTTP only; GitHub is the HTTPS copy.
            Artefact(
                filename,
                "url",
                _OFFICIAL + filename,
                md5=md5s,
                mirrors=(_GITHUB + filename,),
                local_paths=(_DEBIAN_DIR + filename,),
            )
            for filename, md5s in KNOWN_MD5S.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS's stored order: train = the first int(.7N) of the "
        "official train set sorted as TFDS stores it (MD5 of 'train' + the example's index in "
        "train-images-idx3-ubyte), dev = the next int(.15N), dev_test = the rest; test = official "
        "test in TFDS's order (MD5 of 'test' + index) (42,000 / 9,000 / 9,000 / 10,000)",
        notes="The order is TFDS's stored order rebuilt from its keys: TFDS's fashion_mnist builder "
        "inherits _generate_examples from its mnist builder (image_classification/mnist.py), which "
        "keys each example by its int index in its IDX file, and TFDS stores each split sorted by "
        "the MD5 of the split name + str(index); so train/dev/dev_test should hold the same images "
        "as the paper's. Example names keep the index in the official file.",
        version=2,
    )
)
