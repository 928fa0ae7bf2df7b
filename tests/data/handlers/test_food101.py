"""Food-101: data/handlers/food101.py on fixtures in the real raw layout."""

from __future__ import annotations

import tarfile
from pathlib import Path

from handler_fixtures import example_names, prepared_and_converted

from nevisbench.data.handlers import food101
from nevisbench.data.spec import extracted_dir
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_food101_follows_the_tar_order_and_the_meta_lists(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(food101, tmp_path / "raw")
    root = extracted_dir(raw, food101._FILE)
    test_list = set((root / food101._TEST_LIST).read_text().split())
    with tarfile.open(raw / food101._FILE) as archive:
        order = [m.name for m in archive if m.isfile() and "/images/" in m.name]
    pool = [
        n for n in order if n.split("/", 2)[2].rsplit(".", 1)[0] not in test_list and "999" not in n
    ]
    assert pool != sorted(pool)  # the fixture's archive order is not sorted order
    assert (
        example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
        != pool
    )  # split, not copied
    assert sorted(
        example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
    ) == sorted(pool)
    drawn = random_split(pool, FRACTIONS_TRAIN)
    for split in ("train", "dev", "dev_test"):
        assert example_names(out[split]) == drawn[split]
    assert {n.split("/", 2)[2].rsplit(".", 1)[0] for n in example_names(out["test"])} == test_list
    for example in out["test"]:
        assert food101.CLASS_NAMES[example.label] == example.name.split("/")[2]
