"""CVC-MUSCIMA (writer identification): data/handlers/cvc_muscima.py on fixtures in the real raw
layout."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from handler_fixtures import materialise, prepared, rewrite_zip

from nevisbench.data.handlers import cvc_muscima
from nevisbench.data.handlers._layout import LayoutError


def test_cvc_muscima_partition_and_labels(tmp_path: Path) -> None:
    raw = prepared("cvc_muscima", tmp_path / "raw")
    splits = materialise(cvc_muscima.convert(raw))
    test = splits["test"]
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(test) == 6 and len(pool) == 24
    assert all(e.name.endswith("p005.png") for e in test)
    # Only the grey version is read.
    assert all(e.name.startswith("CVCMUSCIMA_WI/PNG_GT_Gray/") for e in test + pool)
    for example in test + pool:
        assert cvc_muscima.CLASS_NAMES[example.label] == example.name.split("/")[-2]
        assert isinstance(example.image, bytes)
    assert cvc_muscima.CLASS_NAMES.index("w-23") == 0


def test_cvc_muscima_missing_partition_list_is_named(tmp_path: Path) -> None:
    raw = prepared("cvc_muscima", tmp_path / "raw")
    rewrite_zip(raw / cvc_muscima.PARTITIONS, {cvc_muscima.TEST_LIST: None})
    with pytest.raises(LayoutError, match="set_2_testing_01.txt"):
        cvc_muscima.convert(raw)


def test_fixture_images_decode(tmp_path: Path) -> None:
    # The streamed handlers hand the store encoded bytes; they must be real images.
    from PIL import Image

    raw = prepared("cvc_muscima", tmp_path / "raw")
    example = next(iter(cvc_muscima.convert(raw)["test"]))
    with Image.open(io.BytesIO(example.image)) as image:
        assert image.mode == "L"
