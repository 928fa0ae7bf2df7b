"""The TFDS-A split and archive damage of CIFAR-10, CIFAR-100 and STL-10, checked the same way on
each fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import CIFAR_STL10_ARCHIVES as ARCHIVES
from handler_fixtures import TFDS_TEST_ORDER as TEST_ORDER
from handler_fixtures import TFDS_TRAIN_ORDER as TRAIN_ORDER
from handler_fixtures import converted, example_index, tfds_stored_order

from nevisbench.data.handlers import cifar, stl10
from nevisbench.data.spec import get_dataset


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_fixture_converts_with_the_tfds_a_split(name: str, tmp_path: Path) -> None:
    spec = get_dataset(name)
    spec.make_fixture(tmp_path)
    splits = converted(name, tmp_path)
    # The fixtures hold 20 official train and 10 test images: int(.7·20), int(.15·20), the rest.
    assert {s: len(v) for s, v in splits.items()} == {
        "train": 14,
        "dev": 3,
        "dev_test": 3,
        "test": 10,
    }
    side = 96 if name == "stl10" else 32
    for examples in splits.values():
        for example in examples:
            assert 0 <= example.label < spec.num_classes
            assert example.image.shape == (side, side, 3) and example.image.dtype == np.uint8
    # Contiguous slices of TFDS's stored order: train its first 14, dev the next 3, dev_test the
    # last 3; test in TFDS's order too.
    order = [example_index(e) for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert order == TRAIN_ORDER == tfds_stored_order("train", 20)
    assert [example_index(e) for e in splits["dev"]] == TRAIN_ORDER[14:17]
    assert [example_index(e) for e in splits["test"]] == TEST_ORDER == tfds_stored_order("test", 10)
    # Each example is the image at its index (the fixtures' images differ by index).
    images = {"cifar10": cifar.fixture_images, "cifar100": cifar.fixture_images}.get(
        name, stl10.fixture_images
    )
    # The fixtures' labels by index: CIFAR-10 i % 10, CIFAR-100 7i % 100, STL-10 3i % 10 (train)
    # and i % 10 (test).
    step = {"cifar10": (1, 1), "cifar100": (7, 7), "stl10": (3, 1)}[name]
    for example in splits["train"] + splits["dev"] + splits["dev_test"]:
        np.testing.assert_array_equal(example.image, images(example_index(example) + 1, 0)[-1])
        assert example.label == step[0] * example_index(example) % spec.num_classes
    for example in splits["test"]:
        np.testing.assert_array_equal(example.image, images(example_index(example) + 1, 100)[-1])
        assert example.label == step[1] * example_index(example) % spec.num_classes


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_truncated_archive_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    path = tmp_path / ARCHIVES[name]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"{ARCHIVES[name]}.*not a complete tar.gz"):
        converted(name, tmp_path)
