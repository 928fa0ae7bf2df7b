"""Mall (pedestrian-count buckets): data/handlers/mall.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import mall


def test_mall_frame_split_is_the_seeded_permutation(tmp_path: Path) -> None:
    parts = mall.frame_splits()
    assert [len(parts[s]) for s in SPLITS] == [560, 120, 120, 1200]
    assert set().union(*parts.values()) == set(range(1, 2001))
    order = (np.random.default_rng(1).permutation(800) + 1).tolist()
    assert parts["dev_test"] == set(order[680:])
    raw, out = prepared_and_converted("mall", tmp_path / "raw")
    for split in SPLITS:
        assert {int(Path(e.name).stem[4:]) for e in out[split]} <= parts[split]
        assert len(out[split]) == 10
