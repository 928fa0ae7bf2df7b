"""PASCAL VOC 2007 (classification): data/handlers/voc2007.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes
from handler_fixtures import voc_multi_hot as _expected_multi_hot

from nevisbench.data.splits import tfds_order


def test_voc2007_tfds_b_and_multi_labels(tmp_path: Path) -> None:
    raw = prepared("voc2007", tmp_path)
    splits = converted("voc2007", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 3, "test": 3}
    for split in SPLITS:
        archive = "VOCtest_06-Nov-2007.tar" if split == "test" else "VOCtrainval_06-Nov-2007.tar"
        for example in splits[split]:
            assert list(example.label) == _expected_multi_hot(raw, archive, 2007, example)
            assert Path(example.image).is_file()
    labels = [tuple(e.label) for split in SPLITS for e in splits[split]]
    assert any(len(label) > 1 for label in labels)  # the fixture has multi-object images
    train_ids = [Path(e.name).stem for e in splits["train"] + splits["dev"]]
    assert train_ids == tfds_order(["000005", "000007", "000009", "000012", "000016"], "train")
    assert {Path(e.name).stem for e in splits["test"]} == {"000001", "000002", "000003"}
