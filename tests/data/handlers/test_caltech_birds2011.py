"""CUB-200-2011 (Caltech-UCSD Birds): data/handlers/caltech_birds2011.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes
from handler_fixtures import tfds_md5_rank as _md5_rank

from nevisbench.data.handlers import caltech_birds2011
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_cub_official_split_and_species_labels(tmp_path: Path) -> None:
    splits = converted("caltech_birds2011", prepared("caltech_birds2011", tmp_path))
    # 14 images, every 4th (i = 3, 7, 11) official test: 11 train → 7/1/3, 3 test.
    assert _sizes(splits) == {"train": 7, "dev": 1, "dev_test": 3, "test": 3}
    for example in (e for split in SPLITS for e in splits[split]):
        folder = example.name.split("/")[2]
        assert example.label == int(folder[:3]) - 1
        assert caltech_birds2011.CLASS_NAMES[example.label] == folder[4:]
    assert {e.label for e in splits["test"]} <= {0, 1, 199}
    assert all(int(e.name.rsplit("_", 2)[1]) % 4 == 3 for e in splits["test"])
    pool = [e.name for split in ("train", "dev", "dev_test") for e in splits[split]]
    assert pool == sorted(pool, key=lambda key: _md5_rank("train", key))


def test_cub_checks_species_and_metadata(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="Laysan_Albatross"):
        caltech_birds2011.label_of("002.Black_footed_Albatross/x.jpg")
    raw = prepared("caltech_birds2011", tmp_path)
    (extracted_dir(raw, "CUB_200_2011.tgz") / "CUB_200_2011" / "train_test_split.txt").unlink()
    with pytest.raises(LayoutError, match="train_test_split.txt"):
        caltech_birds2011.convert(raw)
