"""UMIST face database: data/handlers/umist.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared_and_converted
from handler_fixtures import tar_member_name as _member

from nevisbench.data.handlers import umist
from nevisbench.data.handlers._layout import LayoutError


def test_umist_labels_follow_the_reference_folder_order(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("umist", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 35  # Thumbs.db is skipped
    expected = {"1a": 12, "1b": 13, "1s": 0, "1t": 14, "1j": 19}
    for example in examples:
        assert example.label == expected[_member(example).split("/")[0]]
    assert all(isinstance(e.image, bytes) for e in examples)


def test_umist_member_outside_a_person_folder_is_a_layout_error() -> None:
    with pytest.raises(LayoutError, match="face/1a"):
        umist.label_of("face/1a/face001.pgm")


def test_truncated_tar_is_reported(tmp_path: Path) -> None:
    umist.make_fixture(tmp_path)
    path = tmp_path / "face.tar.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a complete archive"):
        converted("umist", tmp_path)
