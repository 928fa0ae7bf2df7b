"""Split rules: the reference's random per-example assignment, official splits, fixed per-class
counts, and TFDS's stored example order (which the reference's contiguous TFDS slices cut).

The random rule reproduces nevis_reference.md §2.3 exactly, so that split membership (and so results)
are comparable with the paper: one ``numpy.random.RandomState(0)``; for the example with index ``i`` in
the handler's deterministic order, the ``i``-th draw ``argmax(multinomial(1, fractions))`` over the split
names in sorted order (the reference spells dev_test ``dev-test``; both sort the same).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

# The reference's three fraction sets (SPLIT_WITH_FRACTIONS_FOR_ALL_DATA / _FOR_TRAIN /
# _FOR_TRAIN_AND_DEV_ONLY).
FRACTIONS_ALL_DATA: Mapping[str, float] = {"train": 0.56, "dev": 0.12, "dev_test": 0.12, "test": 0.2}
FRACTIONS_TRAIN: Mapping[str, float] = {"train": 0.7, "dev": 0.15, "dev_test": 0.15}
FRACTIONS_TRAIN_AND_DEV: Mapping[str, float] = {"train": 0.8, "dev": 0.2}
REFERENCE_SPLIT_SEED = 0


class RandomSplitAssigner:
    """Assigns example indices to splits with the reference's draws, memoised per index."""

    def __init__(self, fractions: Mapping[str, float], seed: int = REFERENCE_SPLIT_SEED) -> None:
        self.names = sorted(fractions)
        self.probabilities = [fractions[name] for name in self.names]
        if not np.isclose(sum(self.probabilities), 1.0):
            raise ValueError(f"split fractions must sum to 1, got {dict(fractions)}")
        self._state = np.random.RandomState(seed)
        self._drawn: list[int] = []

    def __call__(self, index: int) -> str:
        """The split of the example with this index in the handler's order."""
        while len(self._drawn) <= index:
            self._drawn.append(int(np.argmax(self._state.multinomial(1, self.probabilities))))
        return self.names[self._drawn[index]]


def random_split(
    items: Iterable[T], fractions: Mapping[str, float], seed: int = REFERENCE_SPLIT_SEED
) -> dict[str, list[T]]:
    """Splits ``items`` (in their deterministic order) with the reference's random rule."""
    assign = RandomSplitAssigner(fractions, seed)
    out: dict[str, list[T]] = {name: [] for name in assign.names}
    for index, item in enumerate(items):
        out[assign(index)].append(item)
    return out


def official_train_split(
    train_pool: Iterable[T], test: Iterable[T], fractions: Mapping[str, float] = FRACTIONS_TRAIN
) -> dict[str, list[T]]:
    """The reference's T3 rule: the official train pool split 70/15/15, the official test as test."""
    out = random_split(train_pool, fractions)
    out["test"] = list(test)
    return out


def official_train_val_split(
    train_pool: Iterable[T], validation: Iterable[T], test: Iterable[T]
) -> dict[str, list[T]]:
    """The reference's T2 rule: train pool split 80/20 into train/dev; validation → dev_test."""
    out = random_split(train_pool, FRACTIONS_TRAIN_AND_DEV)
    out["dev_test"] = list(validation)
    out["test"] = list(test)
    return out


def contiguous_split(items: Sequence[T], fractions: Sequence[tuple[str, float]]) -> dict[str, list[T]]:
    """Contiguous slices in order, as the reference's TFDS rules: ``int(f·N)`` items each, the last
    split taking the rest. E.g. TFDS-A: ``[("train", .7), ("dev", .15), ("dev_test", 1.0)]``."""
    out: dict[str, list[T]] = {}
    start = 0
    for position, (name, fraction) in enumerate(fractions):
        end = len(items) if position == len(fractions) - 1 else start + int(fraction * len(items))
        out[name] = list(items[start:end])
        start = end
    return out


def per_class_split(
    items: Iterable[T],
    label_of: Callable[[T], Hashable],
    counts: Sequence[tuple[str, int]],
    *,
    seed: int,
) -> dict[str, list[T]]:
    """Fixed counts per class after a seeded permutation (``numpy.random.default_rng(seed)``).

    For each class in sorted order, its items (in input order) are permuted and cut into
    consecutive runs of the given counts; a count of -1 takes the rest.
    """
    by_class: dict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        by_class[label_of(item)].append(item)
    rng = np.random.default_rng(seed)
    out: dict[str, list[T]] = {name: [] for name, _ in counts}
    for label in sorted(by_class, key=repr):
        members = by_class[label]
        order = rng.permutation(len(members))
        start = 0
        for name, count in counts:
            stop = len(members) if count < 0 else start + count
            out[name].extend(members[i] for i in order[start:stop])
            start = stop
    return out


def tfds_hash(split: str, key: str | int) -> bytes:
    """The 16-byte digest TFDS sorts split ``split`` by: the MD5 of the split name, then the key.

    This is ``tfds.core.hashing.Hasher(salt=split).hash_key(key)``: a str key is hashed as UTF-8
    with backslashes turned into slashes (TFDS normalises Windows paths), any other key as its
    ``str``. TFDS reads the digest as a 128-bit big-endian integer, so the byte order of digests
    is its sort order.
    """
    text = key.replace("\\", "/") if isinstance(key, str) else str(key)
    digest = hashlib.md5(split.encode("utf-8"), usedforsecurity=False)
    digest.update(text.encode("utf-8"))
    return digest.digest()


def tfds_order(
    items: Iterable[T], split: str, key: Callable[[T], str | int] | None = None
) -> list[T]:
    """``items`` in the order TFDS stores them in split ``split`` (TFDS's split name: ``train``,
    ``validation``, ``test``…): ascending ``tfds_hash(split, key(item))``; ``key`` defaults to
    the item itself.

    TFDS writes every split sorted by that hash, and reading it unshuffled yields that order, so
    the reference's contiguous slices (``train[:70%]``…) are the first items of this list. Given
    the key the TFDS builder used (e.g. the image's path in the archive), this reproduces the
    reference's split membership without TensorFlow.
    """
    if key is None:
        return sorted(items, key=lambda item: tfds_hash(split, item))  # type: ignore[arg-type]
    return sorted(items, key=lambda item: tfds_hash(split, key(item)))
