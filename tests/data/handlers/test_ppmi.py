"""People Playing Musical Instruments (PPMI, 12 classes): data/handlers/ppmi.py on fixtures in the
real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import ppmi


def test_ppmi_train_pool_and_test_follow_the_path_filters(tmp_path: Path) -> None:
    raw = prepared("ppmi", tmp_path / "raw")
    splits = converted("ppmi", raw, SPLITS)
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(pool) == 25 and len(splits["test"]) == 10
    assert all("/train/" in e.name for e in pool)
    assert all("/test/" in e.name for e in splits["test"])
    for example in pool + splits["test"]:
        assert ppmi.CLASS_NAMES[example.label] == "/".join(example.name.split("/")[1:3])
    assert len(ppmi.CLASS_NAMES) == 24
