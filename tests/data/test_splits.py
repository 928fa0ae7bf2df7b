"""The reference's split rules: pinned membership, fractions, official/contiguous/per-class helpers."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nevisbench.data.splits import (
    FRACTIONS_ALL_DATA,
    FRACTIONS_TRAIN,
    FRACTIONS_TRAIN_AND_DEV,
    RandomSplitAssigner,
    contiguous_split,
    official_train_split,
    official_train_val_split,
    per_class_split,
    random_split,
    tfds_hash,
    tfds_order,
)

_CODE = {"train": "T", "dev": "D", "dev_test": "X", "test": "S"}

# The first 40 assignments of each fraction set, pinned: a change here changes every R4/T3/T2
# dataset's split membership and makes results incomparable with the paper.
PINNED = {
    "all_data": "TTXDTXTSDSTDTTTXTTTTXTTTTTSXTTTTTXTTSTXT",
    "train": "TTTXDTTDTXXDTTTDTTTTTDTTTTTTXTTTTTTTXXXT",
    "train_and_dev": "TTTTTTTDDTTTTDTTTDTDDTTTTTTDTTTTTTTTTTDT",
}
FRACTIONS = {"all_data": FRACTIONS_ALL_DATA, "train": FRACTIONS_TRAIN, "train_and_dev": FRACTIONS_TRAIN_AND_DEV}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_random_assignment_is_pinned(name: str) -> None:
    assign = RandomSplitAssigner(FRACTIONS[name])
    assert "".join(_CODE[assign(i)] for i in range(40)) == PINNED[name]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_random_assignment_is_the_reference_draw(name: str) -> None:
    # Independent derivation of the reference rule: RandomState(0), one multinomial draw per index
    # over the split names in sorted order (the reference spells dev_test "dev-test"; same order).
    fractions = FRACTIONS[name]
    reference_names = sorted(n.replace("_", "-") for n in fractions)
    probabilities = [fractions[n.replace("-", "_")] for n in reference_names]
    state = np.random.RandomState(0)
    expected = [reference_names[int(np.argmax(state.multinomial(1, probabilities)))].replace("-", "_")
                for _ in range(500)]
    assign = RandomSplitAssigner(fractions)
    assert [assign(i) for i in range(500)] == expected


def test_assignment_is_memoised_and_order_free() -> None:
    assign = RandomSplitAssigner(FRACTIONS_ALL_DATA)
    late = assign(99)
    assert [assign(i) for i in range(100)][99] == late
    assert assign(3) == assign(3)


def test_fractions_are_approximately_respected() -> None:
    out = random_split(range(20_000), FRACTIONS_ALL_DATA)
    for split, fraction in FRACTIONS_ALL_DATA.items():
        assert abs(len(out[split]) / 20_000 - fraction) < 0.01
    assert sorted(sum(out.values(), [])) == list(range(20_000))


def test_bad_fractions_are_refused() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        RandomSplitAssigner({"train": 0.5, "dev": 0.2})


def test_official_rules() -> None:
    t3 = official_train_split(range(100), ["a", "b"])
    assert t3["test"] == ["a", "b"] and set(t3) == {"train", "dev", "dev_test", "test"}
    assert sorted(t3["train"] + t3["dev"] + t3["dev_test"]) == list(range(100))
    t2 = official_train_val_split(range(50), ["v"], ["t"])
    assert t2["dev_test"] == ["v"] and t2["test"] == ["t"]
    assert sorted(t2["train"] + t2["dev"]) == list(range(50))


def test_contiguous_split_is_the_tfds_rule() -> None:
    out = contiguous_split(list(range(101)), [("train", 0.7), ("dev", 0.15), ("dev_test", 1.0)])
    assert out["train"] == list(range(70))
    assert out["dev"] == list(range(70, 85))
    assert out["dev_test"] == list(range(85, 101))


def test_per_class_split_counts() -> None:
    items = [(label, i) for label in "ab" for i in range(10)]
    out = per_class_split(items, lambda item: item[0], [("train", 6), ("dev", 2), ("test", -1)], seed=1)
    assert [len(out[s]) for s in ("train", "dev", "test")] == [12, 4, 4]
    assert sorted(out["train"] + out["dev"] + out["test"]) == sorted(items)
    again = per_class_split(items, lambda item: item[0], [("train", 6), ("dev", 2), ("test", -1)], seed=1)
    assert again == out


# TFDS's stored order of eight keys (``image_00001.jpg``…), pinned: the reference's contiguous
# TFDS slices are cut from it, so a change here moves images between train, dev and dev_test.
TFDS_KEYS = [f"image_{i:05d}.jpg" for i in range(1, 9)]
TFDS_PINNED = {
    "train": [2, 7, 1, 8, 6, 3, 4, 5],
    "test": [6, 5, 3, 7, 4, 1, 2, 8],
}


@pytest.mark.parametrize("split", sorted(TFDS_PINNED))
def test_tfds_order_is_pinned(split: str) -> None:
    assert tfds_order(TFDS_KEYS, split) == [TFDS_KEYS[i - 1] for i in TFDS_PINNED[split]]


def test_tfds_order_is_md5_of_split_name_then_key() -> None:
    # TFDS's Hasher: md5(salt = split name), updated with the key; a str key with backslashes as
    # slashes, any other key as its text.
    assert tfds_hash("train", "x").hex() == "4871dcafa9e99120cb02ad75bb1d16d7"
    assert tfds_hash("train", "x") == hashlib.md5(b"trainx").digest()
    assert tfds_hash("train", 7) == tfds_hash("train", "7")
    assert tfds_hash("train", "a\\b.jpg") == tfds_hash("train", "a/b.jpg")
    keys = [f"{i:06d}" for i in range(200)]
    for split in ("train", "validation", "test"):
        expected = sorted(keys, key=lambda k, s=split: hashlib.md5((s + k).encode()).hexdigest())
        assert tfds_order(keys, split) == expected
    items = [{"id": i} for i in range(20)]
    assert tfds_order(items, "train", key=lambda item: item["id"]) == [
        {"id": int(k)} for k in tfds_order([str(i) for i in range(20)], "train")
    ]
