"""PACS (photo, art painting, cartoon → sketch): data/handlers/pacs.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted
from handler_fixtures import names_in as _names


def test_pacs_holds_sketch_out_for_dev_test_and_test(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("pacs", tmp_path / "raw")
    assert all("/sketch/" in n for n in _names(out, "dev_test", "test"))
    assert not any("/sketch/" in n for n in _names(out, "train", "dev"))
    assert len(_names(out, "train", "dev")) == 3 * 14  # the duplicate photo is dropped
    assert len(_names(out, "dev_test", "test")) == 14
    assert all(e.label == 0 for s in SPLITS for e in out[s] if "/dog/" in e.name)
