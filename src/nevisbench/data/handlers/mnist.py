"""MNIST: LeCun et al.'s 70,000 28×28 grey handwritten digits in 10 classes, from the official IDX files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._idx import read_pair, tfds_a_split, write_fixture
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

# Yann LeCun's page now often refuses downloads; the PyTorch S3 bucket serves the same files.
_S3 = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_LECUN = "http://yann.lecun.com/exdb/mnist/"

CLASS_NAMES = tuple(str(digit) for digit in range(10))

# The official MD5s (as torchvision and TFDS check them); _read also parses strictly, so a file with
# no known checksum (e.g. via --from) still fails clearly when truncated.
KNOWN_MD5S: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    # The same IDX layout as Fashion-MNIST (designed as MNIST's drop-in replacement).
    return tfds_a_split(read_pair(raw_dir, "train", 10), read_pair(raw_dir, "t10k", 10), "t10k")


def make_fixture(raw_dir: Path) -> None:
    write_fixture(raw_dir, seed=1, num_classes=10)


SPEC = register_dataset(
    DatasetSpec(
        id="mnist",
        title="MNIST",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://yann.lecun.com/exdb/mnist/",
        paper_title="Gradient-based learning applied to document recognition "
        "(LeCun, Bottou, Bengio & Haffner, 1998)",
        paper_url="http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf",
        license="unknown: see the homepage",
        artefacts=tuple(
            Artefact(filename, "url", _S3 + filename, md5=md5, mirrors=(_LECUN + filename,))
            for filename, md5 in KNOWN_MD5S.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-A over TFDS's stored order: train = the first int(.7N) of the "
        "official train set sorted as TFDS stores it (MD5 of 'train' + the example's index in "
        "train-images-idx3-ubyte), dev = the next int(.15N), dev_test = the rest; test = official "
        "test in TFDS's order (MD5 of 'test' + index) (42,000 / 9,000 / 9,000 / 10,000)",
        notes="The order is TFDS's stored order rebuilt from its keys: TFDS's mnist builder "
        "(image_classification/mnist.py, MNIST 3.0.1) yields each example keyed by its int index "
        "in its IDX file, and stores each split sorted by the MD5 of the split name + str(index); "
        "so train/dev/dev_test should hold the same images as the paper's. Example names keep "
        "the index in the official file.",
        version=2,
    )
)
