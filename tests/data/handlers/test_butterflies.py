"""Butterfly dataset (UIUC Ponce group): data/handlers/butterflies.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import prepared_and_converted

from nevisbench.data.handlers import butterflies
from nevisbench.data.handlers._layout import LayoutError


def test_butterflies_fixed_test_images(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("butterflies", tmp_path)
    assert len(splits["test"]) == 14  # two listed numbers per class in the fixture
    for example in splits["test"]:
        _, number = butterflies.parse(example.name)
        assert number in butterflies.TEST_IMAGES[butterflies.CLASS_NAMES[example.label]]
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 21
    for example in pool:
        label, number = butterflies.parse(example.name)
        assert label == example.label
        assert number not in butterflies.TEST_IMAGES[butterflies.CLASS_NAMES[label]]
    assert butterflies.parse("peacock/pea131.jpg") == (5, 131)


def test_butterflies_unknown_folder_is_a_layout_error() -> None:
    with pytest.raises(LayoutError, match="moth"):
        butterflies.parse("moth/mot001.jpg")
