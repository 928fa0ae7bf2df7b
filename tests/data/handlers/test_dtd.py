"""DTD (Describable Textures Dataset): data/handlers/dtd.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes
from handler_fixtures import tfds_md5_rank as _md5_rank

from nevisbench.data.spec import extracted_dir, get_dataset


def test_dtd_uses_partition_1_with_tfds_b(tmp_path: Path) -> None:
    raw = prepared("dtd", tmp_path)
    splits = converted("dtd", raw)
    # train1 (5) → 4/1; val1 → dev_test; test1 → test. train2.txt lists all 15 and is ignored.
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 5, "test": 5}
    labels_dir = extracted_dir(raw, "dtd-r1.0.1.tar.gz") / "dtd" / "labels"
    val = (labels_dir / "val1.txt").read_text().split()
    assert [e.name.removeprefix("dtd/images/") for e in splits["dev_test"]] == sorted(
        val, key=lambda key: _md5_rank("validation", key)
    )
    for example in (e for split in SPLITS for e in splits[split]):
        assert get_dataset("dtd").class_names[example.label] == example.name.split("/")[2]
