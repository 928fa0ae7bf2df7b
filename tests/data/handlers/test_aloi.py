"""ALOI (Amsterdam Library of Object Images): data/handlers/aloi.py on fixtures in the real raw
layout."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import converted, prepared_and_converted
from handler_fixtures import tar_member_name as _member
from PIL import Image

from nevisbench.data.handlers import aloi
from nevisbench.data.handlers._fixtures import fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_aloi_pools_by_tar_and_labels_by_object(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aloi", tmp_path)
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 3 * (2 + 6) and len(splits["test"]) == 3 * 4
    assert {e.name.split(":")[0] for e in splits["test"]} == {"aloi_red4_ill.tar"}
    assert {e.name.split(":")[0] for e in pool} == {"aloi_red4_col.tar", "aloi_red4_view.tar"}
    for example in pool + splits["test"]:
        assert example.label == int(_member(example).split("/")[1]) - 1
    assert 999 in {e.label for e in splits["test"]}
    # T3 over col then view, each in tar order.
    order = [f"png4/{o}/{o}_i{t}.png" for o in (1, 2, 1000) for t in (110, 250)]
    order += [f"png4/{o}/{o}_r{a}.png" for o in (1, 2, 1000) for a in range(0, 30, 5)]
    expected = random_split(order, FRACTIONS_TRAIN)
    assert {s: [_member(e) for e in splits[s]] for s in expected} == expected


def test_aloi_missing_tar_is_a_layout_error(tmp_path: Path) -> None:
    aloi.make_fixture(tmp_path)
    (tmp_path / "aloi_red4_view.tar").unlink()
    with pytest.raises(LayoutError, match=r"aloi_red4_view\.tar"):
        converted("aloi", tmp_path)


def test_streamed_member_decodes_to_the_fixture_image(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aloi", tmp_path)
    example = splits["test"][0]
    assert _member(example) == "png4/1/1_l1c1.png"
    decoded = np.asarray(Image.open(io.BytesIO(example.image)))
    assert np.array_equal(decoded, fixture_image(1, 9, 12))
