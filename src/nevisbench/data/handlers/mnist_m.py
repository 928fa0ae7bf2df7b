"""MNIST-M: MNIST digits blended over colour photo patches (Ganin & Lempitsky), 10 classes, 32×32 RGB."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "mnist_m.tar.gz"
_ROOT = "mnist_m"
_LINE = re.compile(r"(\d+\.png) (\d+)")
CLASS_NAMES = tuple(str(digit) for digit in range(10))


def _labels(root: Path, split: str) -> dict[str, int]:
    name = f"{_ROOT}/mnist_m_{split}_labels.txt"
    path = require(root / name, "mnist_m", _FILE, root)
    out = {}
    for line in path.read_text("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        match = _LINE.search(line)
        if match is None:
            raise layout_error(
                "mnist_m", _FILE, f"a 'NNNNNNNN.png label' line in {name} ({line!r})"
            )
        out[match.group(1)] = int(match.group(2))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    examples = []
    # Test folder first: sorted member paths (mnist_m_test < mnist_m_train).
    for split in ("test", "train"):
        labels = _labels(root, split)
        folder = require(root / _ROOT / f"mnist_m_{split}", "mnist_m", _FILE, root)
        for name in sorted(labels):
            path = folder / name
            if path.is_file():
                examples.append(Example(path, labels[name], f"{_ROOT}/mnist_m_{split}/{name}"))
    if not examples:
        raise layout_error("mnist_m", _FILE, "images listed in the label files")
    # Train and test pooled, duplicates dropped, then R4.
    return random_split(unique_by_pixels(examples), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for split, count, offset in (("train", 30, 0), ("test", 12, 500)):
        lines = []
        for k in range(count):
            name = f"{k:08d}.png"
            label = (offset + 3 * k) % 10
            # Train image 5 repeats train image 4 (same pixels, same label): one is dropped.
            seed = offset + (k - 1 if split == "train" and k == 5 else k)
            if split == "train" and k == 5:
                label = (offset + 3 * (k - 1)) % 10
            members[f"{_ROOT}/mnist_m_{split}/{name}"] = encode_image(fixture_image(seed, 8, 8))
            lines.append(f"{name} {label}\n")
        members[f"{_ROOT}/mnist_m_{split}_labels.txt"] = "".join(lines).encode()
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="mnist_m",
        title="MNIST-M",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://yaroslav.ganin.net/",
        paper_title="Unsupervised Domain Adaptation by Backpropagation (Ganin & Lempitsky, ICML 2015)",
        paper_url="https://arxiv.org/abs/1409.7495",
        artefacts=(
            Artefact(
                _FILE,
                "gdrive",
                "0B_tExHiYS-0veklUZHFYT19KYjg",
                md5="859df31c91afe82e80e5012ba928f279",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 over the official train and test images pooled and de-duplicated "
        "(MD5 of decoded pixels + label, first kept): each drawn train .56 / dev .12 / dev_test "
        ".12 / test .20 (RandomState(0)) in sorted path order (mnist_m_test/ then mnist_m_train/)",
        notes="Label fix: the reference merges the train and test label files into one dict keyed "
        "by file name, and the names 00000000.png..00009000.png occur in both, so it labels those "
        "9,001 training images with the test image's label; we label every image from its own "
        "folder's label file. The reference draws in tar member order; we use sorted paths, so "
        "membership may differ from the paper's.",
    )
)
