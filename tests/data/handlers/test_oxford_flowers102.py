"""Oxford Flowers 102: data/handlers/oxford_flowers102.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes

from nevisbench.data.handlers import oxford_flowers102
from nevisbench.data.handlers._layout import LayoutError


def test_flowers_labels_by_image_id(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers102", tmp_path)
    splits = converted("oxford_flowers102", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 3, "test": 3}
    labels = scipy.io.loadmat(raw / "imagelabels.mat")["labels"].reshape(-1)
    for example in (e for split in SPLITS for e in splits[split]):
        image_id = int(example.name.removeprefix("jpg/image_").removesuffix(".jpg"))
        assert example.label == labels[image_id - 1] - 1
    assert sorted(e.name for e in splits["test"]) == [f"jpg/image_{i:05d}.jpg" for i in (9, 10, 11)]


def test_flowers_refuses_ids_without_labels(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers102", tmp_path)
    setid = {k: v for k, v in scipy.io.loadmat(raw / "setid.mat").items() if not k.startswith("__")}
    setid["tstid"] = np.array([[9, 99]])
    scipy.io.savemat(raw / "setid.mat", setid)
    with pytest.raises(LayoutError, match="tstid"):
        oxford_flowers102.convert(raw)
