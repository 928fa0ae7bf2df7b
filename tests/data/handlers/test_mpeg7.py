"""MPEG-7 CE-Shape-1: data/handlers/mpeg7.py on fixtures in the real raw layout."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared, prepared_and_converted, zip_members

from nevisbench.data.handlers import mpeg7
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import get_dataset


def test_mpeg7_labels_in_case_sensitive_sorted_order(tmp_path: Path) -> None:
    assert mpeg7.CLASS_NAMES[:6] == ("Bone", "Comma", "Glas", "HCircle", "Heart", "Misk")
    assert len(mpeg7.CLASS_NAMES) == 70 and mpeg7.CLASS_NAMES[6] == "apple"
    _, splits = prepared_and_converted("mpeg7", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 35  # confusions.* and shapedata.* are skipped
    for example in examples:
        shape = example.name.split("/")[1].split("-")[0]
        assert mpeg7.CLASS_NAMES[example.label] == shape


def test_mpeg7_unknown_shape_is_a_layout_error(tmp_path: Path) -> None:
    gif = encode_image(fixture_image(0, 8, 8, 1), "GIF")
    write_zip(
        tmp_path / "MPEG7dataset.zip", {"original/apple-1.gif": gif, "original/ufo-1.gif": gif}
    )
    unpack_artefacts(get_dataset("mpeg7"), tmp_path)
    with pytest.raises(LayoutError, match="ufo"):
        converted("mpeg7", tmp_path)


def test_mpeg7_directory_entry_is_detected_and_is_not_a_class(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The reference would count "original/" as an empty class sorted first (71 classes, every
    # label one higher); we keep the 70 shapes and log the departure.
    raw = prepared("mpeg7", tmp_path / "raw")
    with zipfile.ZipFile(raw / "MPEG7dataset.zip") as archive:
        assert [info.filename for info in archive.infolist() if info.is_dir()] == ["original/"]
    with caplog.at_level(logging.INFO, logger="nevisbench.data.handlers.mpeg7"):
        splits = converted("mpeg7", raw)
    assert "directory entries (original/); they are not classes" in caplog.text
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 35 and len(mpeg7.CLASS_NAMES) == 70
    for example in examples:
        assert mpeg7.CLASS_NAMES[example.label] == example.name.split("/")[1].split("-")[0]
    # A zip without directory entries converts the same, without the message.
    caplog.clear()
    members = zip_members(raw / "MPEG7dataset.zip")
    del members["original/"]
    (raw / "MPEG7dataset.zip").unlink()
    write_zip(raw / "MPEG7dataset.zip", members)
    with caplog.at_level(logging.INFO, logger="nevisbench.data.handlers.mpeg7"):
        again = converted("mpeg7", raw)
    assert "directory entries" not in caplog.text
    assert {s: [(e.name, e.label) for e in again[s]] for s in SPLITS} == {
        s: [(e.name, e.label) for e in splits[s]] for s in SPLITS
    }
