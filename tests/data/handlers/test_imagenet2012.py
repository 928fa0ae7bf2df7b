"""ImageNet (ILSVRC 2012): data/handlers/imagenet2012.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import imagenet2012
from nevisbench.data.splits import tfds_order


def test_imagenet_validation_labels_go_through_meta_mat(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    labels = imagenet2012.validation_labels(raw / "ILSVRC2012_devkit_t12.tar.gz")
    # Fixture ids: 1 → the last sorted synset, 2 → the first, 3 → the second.
    assert labels == {1: 999, 2: 0, 3: 1, 4: 999, 5: 0, 6: 1}
    out = materialise(imagenet2012.convert(raw), SPLITS)
    assert [e.label for e in out["test"]] == [999, 0, 1, 999, 0, 1]


def test_imagenet_train_cut_is_90_5_5_of_tfds_order_and_disjoint(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    out = materialise(imagenet2012.convert(raw), SPLITS)
    # 24 train images: int(.9·24) = 21, int(.05·24) = 1, rest 2.
    assert [len(out[s]) for s in SPLITS[:3]] == [21, 1, 2]
    names = {s: [e.name.split("/", 1)[1] for e in out[s]] for s in SPLITS[:3]}
    everything = sum(names.values(), [])
    assert len(set(everything)) == 24
    ordered = tfds_order(everything, "train", str)
    assert set(names["dev"]) == {ordered[21]} and set(names["dev_test"]) == set(ordered[22:])
    for example in out["train"]:
        wnid = example.name.split(".tar/")[0]
        assert imagenet2012.CLASS_NAMES[example.label] == wnid


def test_imagenet_missing_archive_says_where_to_get_it(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    (raw / "ILSVRC2012_devkit_t12.tar.gz").unlink()
    with pytest.raises(FileNotFoundError, match="image-net.org"):
        imagenet2012.convert(raw)
