"""MNIST-rot as the reference builds it: MNIST training digits rotated by random whole-degree angles; the
test digits unrotated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.ndimage

from nevisbench.data.handlers import mnist
from nevisbench.data.handlers._idx import read_pair, write_fixture
from nevisbench.data.spec import DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split
from nevisbench.values import TaskKind

DATASET = "mnist_rotation"
ANGLE_SEED = 99_999

# The reference seeds numpy's global generator once, then every pass over the training images draws
# one angle per image, and each of its split generators is such a pass. They are consumed in the
# order the reference writes splits: dev, dev-test, train (then train_and_dev, which we do not store).
# So the image at index i of the training file, when in split s, is rotated by draw
# PASS[s] * N + i of the stream.
PASS = {"dev": 0, "dev_test": 1, "train": 2}

CLASS_NAMES = mnist.CLASS_NAMES


def angles(count: int, passes: int = len(PASS)) -> np.ndarray:
    """``passes × count`` whole-degree angles in 0..359, the reference's draws in order
    (``np.random.seed(99999)`` then one ``np.random.randint(0, 360)`` per image per pass)."""
    return (
        np.random.RandomState(ANGLE_SEED)
        .randint(0, 360, size=passes * count)
        .reshape(passes, count)
    )


def rotate(image: np.ndarray, angle: int) -> np.ndarray:
    """The reference's rotation: scipy's cubic spline, same size, zero outside (uint8 in, uint8 out)."""
    return scipy.ndimage.rotate(image, angle, reshape=False)


def _rotated(
    images: np.ndarray, labels: np.ndarray, indices: list[int], draws: np.ndarray
) -> Iterator[Example]:
    for index in indices:
        angle = int(draws[index])
        yield Example(
            rotate(images[index], angle), int(labels[index]), f"train[{index}] rotated {angle}°"
        )


def _plain(images: np.ndarray, labels: np.ndarray) -> Iterator[Example]:
    for index in range(len(images)):
        yield Example(images[index], int(labels[index]), f"t10k[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    train_images, train_labels = read_pair(raw_dir, "train", 10)
    test_images, test_labels = read_pair(raw_dir, "t10k", 10)
    draws = angles(len(train_images))
    pool = random_split(range(len(train_images)), FRACTIONS_TRAIN)
    out: dict[str, Iterator[Example]] = {
        split: _rotated(train_images, train_labels, indices, draws[PASS[split]])
        for split, indices in pool.items()
    }
    out["test"] = _plain(test_images, test_labels)
    return out


def make_fixture(raw_dir: Path) -> None:
    write_fixture(raw_dir, seed=3, num_classes=10)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="MNIST-rot (randomly rotated MNIST)",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://yann.lecun.com/exdb/mnist/",
        paper_title="SO(2)-equivariance in Neural networks using Fourier nonlinearity "
        "(Murugan & Subrahmanyam, 2019)",
        paper_url="https://arxiv.org/search/?query=SO%282%29-equivariance+Fourier+nonlinearity&searchtype=title",
        license="unknown: see the homepage",
        artefacts=mnist.SPEC.artefacts,  # the same four official MNIST files
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the 60,000 official training digits drawn train .70 / dev .15 / dev_test "
        ".15 (RandomState(0), file order), each rotated; the 10,000 official test digits → test, not rotated",
        notes="Rotation as the reference: scipy.ndimage.rotate (cubic spline, reshape=False) by "
        "np.random.randint(0, 360) angles after np.random.seed(99999). The reference draws a fresh angle "
        "for every image on every pass of a split generator, and consumes dev, dev-test, train in that "
        "order; we reproduce those draws (pass 0 for dev, 1 for dev_test, 2 for train), so each stored "
        "image has the reference's angle. The reference's train_and_dev was a fourth pass with new angles; "
        "ours is train ∪ dev as stored. The test digits are not rotated (reference quirk Q16, kept). "
        "The paper's own URL could not be found (the reference gives only its title, authors and "
        "year), so paper_url is an arXiv title search.",
    )
)
