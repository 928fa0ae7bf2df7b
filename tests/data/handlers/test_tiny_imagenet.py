"""Tiny ImageNet: data/handlers/tiny_imagenet.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, prepared_and_converted
from handler_fixtures import unpacked_and_converted as _convert

from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir, get_dataset


def test_tiny_imagenet_labels_from_prefix_and_val_annotations(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("tiny_imagenet", tmp_path / "raw")
    names = get_dataset("tiny_imagenet").class_names
    for split in ("train", "dev", "dev_test"):
        for e in out[split]:
            assert names[e.label] == Path(e.name).name.split("_")[0]
    assert [e.label for e in out["test"]] == [(11 * k) % 200 for k in range(6)]
    assert not any("/test/" in e.name for s in SPLITS for e in out[s])
    (extracted_dir(raw, "tiny-imagenet-200.zip") / "tiny-imagenet-200/wnids.txt").write_text("n0\n")
    with pytest.raises(LayoutError, match="wnids.txt"):
        _convert("tiny_imagenet", raw)
