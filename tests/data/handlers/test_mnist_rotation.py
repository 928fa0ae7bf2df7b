"""MNIST-rot (randomly rotated MNIST): data/handlers/mnist_rotation.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handler_fixtures import prepared_and_converted

from nevisbench.data.handlers import mnist_rotation
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_mnist_rotation_angles_are_the_global_seed_draws() -> None:
    np.random.seed(99_999)
    expected = [np.random.randint(0, high=360) for _ in range(3 * 7)]
    assert mnist_rotation.angles(7).reshape(-1).tolist() == expected


def test_mnist_rotation_rotates_train_pool_by_its_pass_and_leaves_test(tmp_path: Path) -> None:
    from nevisbench.data.handlers._idx import read_pair

    raw, out = prepared_and_converted(mnist_rotation, tmp_path / "raw")
    images, labels = read_pair(raw, "train", 10)
    test_images, _ = read_pair(raw, "t10k", 10)
    draws = mnist_rotation.angles(len(images))
    pool = random_split(range(len(images)), FRACTIONS_TRAIN)
    for split, passes in mnist_rotation.PASS.items():
        assert len(out[split]) == len(pool[split])
        for index, example in zip(pool[split], out[split], strict=True):
            angle = int(draws[passes][index])
            np.testing.assert_array_equal(
                example.image, mnist_rotation.rotate(images[index], angle)
            )
            assert example.label == labels[index]
    for index, example in enumerate(out["test"]):
        np.testing.assert_array_equal(example.image, test_images[index])
