"""CelebA (40 attributes): data/handlers/celeb_a.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import celeb_a
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import tfds_order


def test_celeb_a_labels_are_the_positive_attributes_and_partition_is_official(tmp_path: Path) -> None:
    raw = prepared(celeb_a, tmp_path / "raw")
    out = materialise(celeb_a.convert(raw), SPLITS)
    # Fixture: 6 train (→ 4 train + 2 dev), 3 validation, 3 test.
    assert [len(out[s]) for s in SPLITS] == [4, 2, 3, 3]
    assert {e.name for e in out["dev_test"]} == {f"img_align_celeba/{k:06d}.jpg" for k in (7, 8, 9)}
    by_name = {e.name: e.label for split in SPLITS for e in out[split]}
    # Image k (0-based) has attribute a when (k + a) % 3 == 0.
    assert by_name["img_align_celeba/000001.jpg"] == list(range(0, 40, 3))
    assert by_name["img_align_celeba/000002.jpg"] == list(range(2, 40, 3))
    # The train/dev cut follows TFDS's stored order, not file-name order.
    train_names = [n for n in sorted(by_name) if int(n[-10:-4]) <= 6]
    expected = tfds_order([n.split("/")[1] for n in train_names], "train", str)
    assert [e.name.split("/")[1] for e in out["train"] + out["dev"]] == expected


def test_celeb_a_missing_or_foreign_attribute_file_raises(tmp_path: Path) -> None:
    raw = prepared(celeb_a, tmp_path / "raw")
    text = (raw / "list_attr_celeba.txt").read_text()
    (raw / "list_attr_celeba.txt").write_text(text.replace("Young", "Old"))
    with pytest.raises(LayoutError, match="header line"):
        celeb_a.convert(raw)
    (raw / "list_attr_celeba.txt").unlink()
    with pytest.raises(LayoutError, match="list_attr_celeba.txt"):
        celeb_a.convert(raw)
