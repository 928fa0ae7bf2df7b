"""STL-10: data/handlers/stl10.py on fixtures in the real raw layout; its TFDS-A split and a
truncated archive is tested in test__tfds_objects.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import CIFAR_STL10_ARCHIVES as ARCHIVES
from handler_fixtures import TFDS_TEST_ORDER as TEST_ORDER
from handler_fixtures import TFDS_TRAIN_ORDER as TRAIN_ORDER
from handler_fixtures import converted, example_index, rewrite_tar, tar_members

from nevisbench.data.handlers import stl10


def test_stl10_image_layout(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    first = converted("stl10", tmp_path)["train"][0]
    assert example_index(first) == TRAIN_ORDER[0]
    image = first.image
    member = tar_members(tmp_path / ARCHIVES["stl10"])["stl10_binary/train_X.bin"]
    raw = member[TRAIN_ORDER[0] * 3 * 96 * 96 : (TRAIN_ORDER[0] + 1) * 3 * 96 * 96]
    assert not np.array_equal(image, image.transpose(1, 0, 2))  # the pattern is asymmetric
    for y, x, c in [(0, 1, 0), (1, 0, 0), (5, 77, 1), (95, 2, 2), (3, 90, 2)]:
        # The file: 3 planes of 96×96, each column-major (the row index varies fastest).
        assert image[y, x, c] == raw[c * 96 * 96 + x * 96 + y]
    np.testing.assert_array_equal(image, stl10.fixture_images(TRAIN_ORDER[0] + 1, 0)[-1])


def test_stl10_labels_are_shifted_to_zero(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    stored = [e.label for e in converted("stl10", tmp_path)["test"]]
    raw = tar_members(tmp_path / ARCHIVES["stl10"])["stl10_binary/test_y.bin"]
    assert stored == [raw[i] - 1 for i in TEST_ORDER]


def test_stl10_size_mismatch_is_refused(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    member = "stl10_binary/train_y.bin"
    archive = tmp_path / ARCHIVES["stl10"]
    rewrite_tar(archive, {member: tar_members(archive)[member] + b"\x01"})
    with pytest.raises(ValueError, match="train_X.bin.*21 labels"):
        converted("stl10", tmp_path)
