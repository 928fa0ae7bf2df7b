"""PASCAL VOC 2012 (classification): data/handlers/voc2012.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes
from handler_fixtures import voc_multi_hot as _expected_multi_hot

from nevisbench.data.splits import tfds_order


def test_voc2012_splits_validation_in_halves(tmp_path: Path) -> None:
    raw = prepared("voc2012", tmp_path)
    splits = converted("voc2012", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 2, "test": 2}
    val = ["2008_000008", "2008_000015", "2011_000003", "2012_000001"]
    halves = [Path(e.name).stem for e in splits["dev_test"] + splits["test"]]
    assert halves == tfds_order(val, "validation")
    for example in (e for split in SPLITS for e in splits[split]):
        assert list(example.label) == _expected_multi_hot(
            raw, "VOCtrainval_11-May-2012.tar", 2012, example
        )
