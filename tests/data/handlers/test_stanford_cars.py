"""Stanford Cars: data/handlers/stanford_cars.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared, tar_members

from nevisbench.data.handlers import stanford_cars
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_stanford_cars_labels_and_official_test(tmp_path: Path) -> None:
    raw = prepared("stanford_cars", tmp_path / "raw")
    out = converted("stanford_cars", raw)
    by_name = {Path(e.name).name: e.label for split in SPLITS for e in out[split]}
    # Fixture: image i+1 has class (3i mod 196) + 1, and every fourth image is an official test image.
    assert by_name["000001.jpg"] == 0 and by_name["000002.jpg"] == 3 and by_name["000040.jpg"] == 117
    assert sorted(Path(e.name).name for e in out["test"]) == [f"{i:06d}.jpg" for i in range(4, 41, 4)]
    assert len(out["train"]) + len(out["dev"]) + len(out["dev_test"]) == 30


def test_stanford_cars_rejects_other_class_names(tmp_path: Path) -> None:
    raw = prepared("stanford_cars", tmp_path / "raw")
    mat = scipy.io.loadmat(raw / "cars_annos.mat")
    names = np.empty((1, 196), dtype=object)
    names[0, :] = ["x"] * 196
    scipy.io.savemat(raw / "cars_annos.mat", {"annotations": mat["annotations"], "class_names": names})
    with pytest.raises(LayoutError, match="class names"):
        stanford_cars.convert(raw)


def test_stanford_cars_draw_follows_the_tar_member_order(tmp_path: Path) -> None:
    # The reference draws T3 by position in the tar's member order; the fixture's tar is not
    # stored sorted, so a handler that sorts the file names gives other splits.
    raw = prepared("stanford_cars", tmp_path / "raw")
    order = list(tar_members(raw / "car_ims.tgz"))
    assert order != sorted(order)
    out = converted("stanford_cars", raw)
    test = {e.name for e in out["test"]}
    expected = random_split([n for n in order if n not in test], FRACTIONS_TRAIN)
    assert {s: [e.name for e in out[s]] for s in ("train", "dev", "dev_test")} == expected
    assert [e.name for e in out["test"]] == [n for n in order if n in test]
    assert expected != random_split(sorted(n for n in order if n not in test), FRACTIONS_TRAIN)
