"""COIL-20 (processed): data/handlers/coil20.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted


def test_coil20_labels_and_skipped_members(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("coil20", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 40  # Thumbs.db and README.txt are skipped
    for example in examples:
        assert example.label == int(example.name.split("obj")[1].split("__")[0]) - 1
    assert sorted({e.label for e in examples}) == list(range(20))
