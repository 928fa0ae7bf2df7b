"""smallNORB (category): data/handlers/smallnorb.py on fixtures in the real raw layout."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, materialise

from nevisbench.data.handlers import smallnorb
from nevisbench.data.handlers._layout import LayoutError


def test_smallnorb_instances_are_kept_apart_and_left_image_used(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    template = smallnorb._TRAIN
    rng = np.random.default_rng(0)
    instances = [4, 6, 7, 8, 9, 4, 7, 6]
    images = rng.integers(0, 256, size=(len(instances), 2, 6, 5), dtype=np.uint8)
    cat = np.array([0, 1, 2, 3, 4, 1, 2, 3], dtype=np.int32)
    info = np.array([[i, 0, 0, 0] for i in instances], dtype=np.int32)
    smallnorb.write_set(raw, template, images, cat, info)
    smallnorb.write_set(raw, smallnorb._TEST, images[:3], cat[:3], info[:3] * 0)
    out = materialise(smallnorb.convert(raw), SPLITS)
    index = {split: [int(e.name.rsplit("[", 1)[1][:-1]) for e in out[split]] for split in SPLITS[:3]}
    assert index == {"train": [2, 3, 4, 6], "dev": [0, 5], "dev_test": [1, 7]}
    assert len(out["test"]) == 3
    for example in out["train"]:
        k = int(example.name.rsplit("[", 1)[1][:-1])
        assert np.array_equal(example.image, images[k, 0]) and example.label == cat[k]


def test_smallnorb_rejects_unknown_instance_and_bad_magic(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    images = np.zeros((2, 2, 4, 4), np.uint8)
    smallnorb.write_set(raw, smallnorb._TRAIN, images, np.zeros(2, np.int32),
                        np.array([[4, 0, 0, 0], [1, 0, 0, 0]], np.int32))
    smallnorb.write_set(raw, smallnorb._TEST, images, np.zeros(2, np.int32), np.zeros((2, 4), np.int32))
    with pytest.raises(LayoutError, match="instances"):
        smallnorb.convert(raw)
    with gzip.open(raw / smallnorb._TEST.format("cat"), "wb") as handle:
        handle.write(b"\0" * 32)
    with pytest.raises(LayoutError, match="magic"):
        smallnorb.read_matrix(raw / smallnorb._TEST.format("cat"))
