"""The reference's quantisation of object counts (crowds, vehicles) into equal-frequency classes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def count_buckets(
    counts: Sequence[int], max_count: int, dataset: str, num_buckets: int = 10
) -> list[int]:
    """The reference's quantisation of object counts (crowds, vehicles) into ``num_buckets`` classes
    of contiguous counts holding roughly equal numbers of images.

    Histogram of the counts over ``0..max_count-1`` (larger counts in the last cell); bucket
    boundary k (k = 1..num_buckets-1) is the last count whose cumulative frequency is below
    k/num_buckets of the total; then, walking the counts upwards, the label steps up by one at
    each count past the current label's boundary (one step per count, as the reference walks).

    Returns:
        ``table[c]``: the label of count ``c`` for ``c`` in ``0..max_count-1`` (a larger count takes
        ``table[max_count - 1]``).

    Raises:
        ValueError: the counts cannot fill ``num_buckets`` buckets.
    """
    histogram = np.zeros(max_count)
    for count in counts:
        histogram[min(count, max_count - 1)] += 1
    cumulative = np.cumsum(histogram)
    per_bucket = histogram.sum() / num_buckets
    boundaries = []
    for k in range(1, num_buckets):
        below = np.flatnonzero(cumulative < per_bucket * k)
        if not len(below):
            raise ValueError(
                f"dataset {dataset}: counts too concentrated for {num_buckets} buckets "
                f"(boundary {k})"
            )
        boundaries.append(int(below[-1]))
    boundaries.append(max_count)
    table, label = [], 0
    for count in range(max_count):
        if count > boundaries[label]:
            label += 1
        table.append(label)
    if label != num_buckets - 1:
        raise ValueError(
            f"dataset {dataset}: the counts give {label + 1} buckets, not {num_buckets}"
        )
    return table
