"""The reference's count buckets (data/handlers/_buckets.py), as crowd and vehicle datasets use
them."""

from __future__ import annotations

import pytest

from nevisbench.data.handlers._buckets import count_buckets


def test_count_buckets_follow_the_reference_walk() -> None:
    # Counts 0..19 once each: boundary k = last count with cumulative < 2k, i.e. 2k - 2; the walk
    # steps up one label per count past the current boundary.
    table = count_buckets(list(range(20)), 25, "trancos")
    assert (
        table[:17] == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8] and table[17:] == [9] * 8
    )
    with pytest.raises(ValueError, match="too concentrated"):
        count_buckets([0] * 10, 20, "trancos")
