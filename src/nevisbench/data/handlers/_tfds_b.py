"""TFDS's stored example order, which the reference's contiguous TFDS slices (TFDS-A/B) cut.

TFDS writes every split sorted by a salted hash of each example's key: the MD5 of the split name
followed by the key (a str as UTF-8, backslashes as slashes; an int as its decimal text), read as
a 128-bit integer. Reading a split without shuffling files yields that order, so ``train[:N]`` is
the first N examples of it. Sorting our examples by the same hash (given the key the TFDS builder
used) reproduces the reference's split membership exactly, without TensorFlow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def tfds_hash(split: str, key: str | int) -> bytes:
    """The 16-byte MD5 digest TFDS sorts by (big-endian, so byte order = integer order)."""
    text = str(key) if isinstance(key, int) else key.replace("\\", "/")
    digest = hashlib.md5(split.encode("utf-8"), usedforsecurity=False)
    digest.update(text.encode("utf-8"))
    return digest.digest()


def tfds_order(items: Iterable[T], split: str, key: Callable[[T], str | int]) -> list[T]:
    """``items`` in the order TFDS stores them in split ``split`` (``train``, ``validation``, ``test``)."""
    return sorted(items, key=lambda item: tfds_hash(split, key(item)))
