"""Stanford Dogs: data/handlers/stanford_dogs.py on fixtures in the real raw layout."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared, rewrite_tar, tar_members
from handler_fixtures import split_sizes as _sizes

from nevisbench.data.handlers import stanford_dogs
from nevisbench.data.handlers._layout import LayoutError


def test_dogs_membership_from_the_mat_lists(tmp_path: Path) -> None:
    raw = prepared("stanford_dogs", tmp_path)
    splits = converted("stanford_dogs", raw)
    assert _sizes(splits) == {"train": 7, "dev": 1, "dev_test": 2, "test": 3}
    with tarfile.open(raw / "lists.tar") as tar:
        test_mat = scipy.io.loadmat(
            io.BytesIO(tar.extractfile("test_list.mat").read()), squeeze_me=True
        )  # type: ignore[union-attr]
    assert sorted(e.name for e in splits["test"]) == sorted(
        f"Images/{p}" for p in test_mat["file_list"]
    )
    for example in (e for split in SPLITS for e in splits[split]):
        assert stanford_dogs.CLASS_NAMES[example.label] == example.name.split("/")[1]
    # The .mat labels (1..120, WordNet-id order) agree with TFDS's sorted folder names.
    assert sorted(e.label + 1 for e in splits["test"]) == sorted(int(v) for v in test_mat["labels"])


def test_dogs_missing_list_names_it(tmp_path: Path) -> None:
    raw = prepared("stanford_dogs", tmp_path)
    assert "test_list.mat" in tar_members(raw / "lists.tar")
    rewrite_tar(raw / "lists.tar", {"test_list.mat": None}, compression="")  # uncompressed
    with pytest.raises(LayoutError, match="test_list.mat"):
        stanford_dogs.convert(raw)
