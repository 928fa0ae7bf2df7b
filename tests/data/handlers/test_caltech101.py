"""Caltech 101: data/handlers/caltech101.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import converted, prepared
from handler_fixtures import split_sizes as _sizes
from handler_fixtures import tfds_md5_rank as _md5_rank

from nevisbench.data.handlers import caltech101
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_caltech101_draws_30_per_class_for_tfds_train(tmp_path: Path) -> None:
    splits = converted("caltech101", prepared("caltech101", tmp_path))
    # 2 classes × 32 images: 60 in TFDS train (42/9/9), 4 in TFDS test.
    assert _sizes(splits) == {"train": 42, "dev": 9, "dev_test": 9, "test": 4}
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    for label in (
        caltech101.CLASS_NAMES.index("faces_easy"),
        caltech101.CLASS_NAMES.index("accordion"),
    ):
        assert sum(e.label == label for e in pool) == caltech101.TRAIN_PER_CLASS
        assert sum(e.label == label for e in splits["test"]) == 2
    names = [e.name for e in pool + splits["test"]]
    assert len(set(names)) == 64
    # The pool is in TFDS's stored order: by MD5 of "train" + "<folder>/<file>".
    keys = [e.name.removeprefix("101_ObjectCategories/") for e in pool]
    assert keys == sorted(keys, key=lambda key: _md5_rank("train", key))


def test_caltech101_draw_is_tfds_seeded_choice() -> None:
    folders = {"b": [f"x{i:02d}.jpg" for i in range(35)], "a": [f"y{i:02d}.jpg" for i in range(31)]}
    train, test = caltech101.tfds_partition(folders)
    state = np.random.RandomState(1234)  # one state across the classes, in sorted folder order
    first = list(state.choice(sorted(folders["a"]), 30, replace=False))
    second = list(state.choice(sorted(folders["b"]), 30, replace=False))
    assert train == [("a", n) for n in first] + [("b", n) for n in second]
    assert len(test) == 1 + 5 and not set(train) & set(test)


def test_caltech101_refuses_small_class_and_unknown_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fewer than the 30"):
        caltech101.tfds_partition({"ant": [f"{i}.jpg" for i in range(29)]})
    raw = prepared("caltech101", tmp_path)
    (extracted_dir(raw, "101_ObjectCategories.tar.gz") / "101_ObjectCategories" / "unicorn").mkdir()
    with pytest.raises(LayoutError, match="unicorn"):
        caltech101.convert(raw)
