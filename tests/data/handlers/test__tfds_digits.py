"""The TFDS-A split of MNIST, EMNIST Balanced and SVHN (cropped), checked the same way on each
fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import TFDS_PINNED_ORDER as PINNED_ORDER
from handler_fixtures import converted, example_index, prepared, tfds_stored_order

from nevisbench.data.handlers import emnist_balanced, mnist, svhn_cropped


def _tfds_a(n_train: int, n_test: int) -> dict[str, int]:
    # The reference's TFDS-A sizes, computed independently of contiguous_split.
    train, dev = int(0.7 * n_train), int(0.15 * n_train)
    return {"train": train, "dev": dev, "dev_test": n_train - train - dev, "test": n_test}


@pytest.mark.parametrize(
    ("module", "n_train", "n_test", "shape"),
    [
        (mnist, 20, 10, (28, 28)),
        (emnist_balanced, 30, 10, (28, 28)),
        (svhn_cropped, 20, 10, (32, 32, 3)),
    ],
)
def test_fixture_converts_with_the_tfds_a_split(
    module: object, n_train: int, n_test: int, shape: tuple[int, ...], tmp_path: Path
) -> None:
    spec = module.SPEC  # type: ignore[attr-defined]
    splits = converted(module, prepared(module, tmp_path / "raw"))
    assert {name: len(examples) for name, examples in splits.items()} == _tfds_a(n_train, n_test)
    for examples in splits.values():
        for example in examples:
            assert 0 <= example.label < spec.num_classes
            assert np.asarray(example.image).shape == shape
            assert np.asarray(example.image).dtype == np.uint8
    # Contiguous slices of TFDS's stored order of the official train file; test in its order too.
    train_order = [example_index(e) for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert train_order == tfds_stored_order("train", n_train) == PINNED_ORDER[("train", n_train)]
    test_order = [example_index(e) for e in splits["test"]]
    assert test_order == tfds_stored_order("test", n_test) == PINNED_ORDER[("test", n_test)]
    cut = int(0.7 * n_train)
    assert [example_index(e) for e in splits["dev"]] == train_order[cut : cut + int(0.15 * n_train)]


def test_real_sizes_are_pinned_in_the_split_rules() -> None:
    assert "42,000 / 9,000 / 9,000 / 10,000" in mnist.SPEC.split_rule
    assert "78,960 / 16,920 / 16,920 / 18,800" in emnist_balanced.SPEC.split_rule
    assert "51,279 / 10,988 / 10,990 / 26,032" in svhn_cropped.SPEC.split_rule
    assert _tfds_a(112_800, 18_800) == {
        "train": 78_960,
        "dev": 16_920,
        "dev_test": 16_920,
        "test": 18_800,
    }
    assert _tfds_a(73_257, 26_032) == {
        "train": 51_279,
        "dev": 10_988,
        "dev_test": 10_990,
        "test": 26_032,
    }
