"""Chest X-ray images (pneumonia): data/handlers/pneumonia_chest_xray.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import pneumonia_chest_xray


def test_pneumonia_reads_the_inner_copy_and_official_val_is_dev_test(tmp_path: Path) -> None:
    _, out = prepared_and_converted(pneumonia_chest_xray, tmp_path / "raw")
    for split, folder in (
        ("train", "train"),
        ("dev", "train"),
        ("dev_test", "val"),
        ("test", "test"),
    ):
        for example in out[split]:
            assert example.name.startswith(f"chest_xray/chest_xray/{folder}/")
    assert (
        len(out["train"]) + len(out["dev"]) == 24
        and len(out["dev_test"]) == 4
        and len(out["test"]) == 4
    )
    assert all(
        pneumonia_chest_xray.CLASS_NAMES[e.label] == e.name.split("/")[3]
        for s in SPLITS
        for e in out[s]
    )
