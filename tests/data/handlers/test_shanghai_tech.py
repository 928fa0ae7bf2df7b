"""ShanghaiTech crowd counting (count buckets): data/handlers/shanghai_tech.py on fixtures in the
real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import shanghai_tech
from nevisbench.data.handlers._buckets import count_buckets


def test_shanghai_image_of_maps_ground_truth_to_image() -> None:
    assert (
        shanghai_tech.image_of("ShanghaiTech/part_A/train_data/ground-truth/GT_IMG_12.mat")
        == "ShanghaiTech/part_A/train_data/images/IMG_12.jpg"
    )


def test_shanghai_buckets_are_ordered_and_about_equal() -> None:
    counts = list(range(1, 101))
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    assigned = [labels[c] for c in counts]
    assert assigned == sorted(assigned)
    # Boundary k is the last count whose cumulative frequency is strictly below 10k: 9, 19, …, 89.
    assert np.bincount(assigned).tolist() == [9] + [10] * 8 + [11]
    assert labels[9] == 0 and labels[10] == 1 and labels[89] == 8 and labels[90] == 9
    assert labels[4999] == 9


def test_shanghai_buckets_follow_the_reference_walk() -> None:
    # 20 images, 2 per bucket: the cumulative frequency reaches 2 at count 1, so boundary 1 is count
    # 0 and bucket 0 holds only count 0 (the reference's strict inequality); the shift carries on.
    counts = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 50, 60]
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    assert [labels[c] for c in (0, 1, 2, 3, 8, 9, 50, 60)] == [0, 1, 2, 3, 8, 9, 9, 9]


def test_shanghai_split_is_the_seed_one_permutation(tmp_path: Path) -> None:
    files = [f"f{k}" for k in range(20)]
    parts = shanghai_tech.split_training(files)
    order = np.random.default_rng(1).permutation(20).tolist()
    assert parts["train"] == [files[i] for i in order[:14]]
    assert parts["dev"] == [files[i] for i in order[14:17]]
    assert parts["dev_test"] == [files[i] for i in order[17:]]


def test_shanghai_fixture_labels_and_test_split(tmp_path: Path) -> None:
    _, out = prepared_and_converted(shanghai_tech, tmp_path / "raw")
    counts = shanghai_tech.fixture_counts()
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    expected = {}
    for k, count in enumerate(counts):
        part = "part_A" if k % 2 == 0 else "part_B"
        subset = "test_data" if k % 4 == 3 else "train_data"
        expected[f"ShanghaiTech/{part}/{subset}/images/IMG_{k + 1}.jpg"] = labels[count]
    for split in SPLITS:
        for example in out[split]:
            assert example.label == expected[example.name]
            assert ("test_data" in example.name) == (split == "test")
    assert sum(len(out[s]) for s in SPLITS) == len(counts)
