"""Magellan Venus Volcanoes: data/handlers/magellan_venus_volcanoes.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, prepared, prepared_and_converted, rewrite_tar
from handler_fixtures import tar_member_name as _member

from nevisbench.data.handlers import magellan_venus_volcanoes
from nevisbench.data.handlers._fixtures import fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split


def test_volcano_label_needs_a_definite_volcano() -> None:
    label = magellan_venus_volcanoes.label_from_ground_truth
    assert label(b"1 12 30 5\n") == 1
    assert label(b"3 40 40 6\n1 12 30 5\n") == 1
    assert label(b"2 10 10 4\n4 20 20 3\n") == 0
    assert label(b"") == 0
    # The reference takes the text before the first single space, so an indented 1 is not a 1.
    assert label(b" 1 12 30 5\n") == 0


def test_volcano_images_labels_and_tar_order(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("magellan_venus_volcanoes", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    names = sorted(_member(e) for e in examples)
    # Chips, .spr headers, tables and the rest are skipped: only the 30 images remain.
    assert names == sorted(f"package/Images/img{i}.sdt" for i in range(1, 31))
    for example in examples:
        number = int(_member(example).rsplit("img", 1)[1].split(".")[0])
        assert example.label == (1 if number % 3 == 0 else 0)
        assert example.image.shape == (16, 16) and example.image.dtype == np.uint8
        assert np.array_equal(example.image, fixture_image(number, 16, 16, 1))
    # R4 over the members in the order the tar stores them (img1, img2, ..., not sorted names).
    in_tar_order = [f"package/Images/img{i}.sdt" for i in range(1, 31)]
    expected = random_split(in_tar_order, FRACTIONS_ALL_DATA)
    assert {s: sorted(_member(e) for e in splits[s]) for s in SPLITS} == {
        s: sorted(v) for s, v in expected.items()
    }


def test_volcano_image_without_ground_truth_is_a_layout_error(tmp_path: Path) -> None:
    prepared("magellan_venus_volcanoes", tmp_path)
    rewrite_tar(tmp_path / "volcanoes.tar.gz", {"package/GroundTruths/img7.lxyr": None})
    with pytest.raises(LayoutError, match=r"img7\.lxyr"):
        converted("magellan_venus_volcanoes", tmp_path)


def test_volcano_non_square_image_is_refused() -> None:
    with pytest.raises(ValueError, match="not a square"):
        magellan_venus_volcanoes.decode_sdt("img1.sdt", b"\0" * 15)
