"""Extended Yale Face Database B: data/handlers/extended_yaleb.py on fixtures in the real raw
layout."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import extended_yaleb


def test_extended_yaleb_splits_by_pose_and_skips_ambient_images(tmp_path: Path) -> None:
    raw = prepared("extended_yaleb", tmp_path / "raw")
    splits = converted("extended_yaleb", raw, SPLITS)
    for split, examples in splits.items():
        poses = {extended_yaleb.pose_of(Path(e.name).name) for e in examples}
        assert poses == set(extended_yaleb.POSES[split])
        # Every subject is in every split (the task is to name the subject).
        assert {e.label for e in examples} == {0, 3, 27}
        assert not any("Ambient" in e.name for e in examples)
    assert Counter({s: len(v) for s, v in splits.items()}) == Counter(
        {"train": 30, "dev": 6, "dev_test": 6, "test": 12}
    )
    assert extended_yaleb.CLASS_NAMES[3] == "yaleB15" and len(extended_yaleb.CLASS_NAMES) == 28
