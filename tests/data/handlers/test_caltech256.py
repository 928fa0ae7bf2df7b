"""Caltech-256: data/handlers/caltech256.py on fixtures in the real raw layout."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from handler_fixtures import prepared

from nevisbench.data.handlers import caltech256
from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import get_dataset


def test_caltech256_keeps_tar_order_and_numbers_classes_by_folder(tmp_path: Path) -> None:
    raw = prepared("caltech256", tmp_path / "raw")
    examples = caltech256.examples(raw)
    assert len(examples) == 35  # RENAME2 and Thumbs.db are not images of the task
    assert [e.label for e in examples[::7]] == [256, 250, 197, 55, 0]  # the tar's order
    assert caltech256.CLASS_NAMES[256] == "clutter" and len(caltech256.CLASS_NAMES) == 257


def test_caltech256_folder_number_must_match_its_name(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    members = {"256_ObjectCategories/002.ak47/002_0001.jpg": encode_image(fixture_image(0), "JPEG")}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw.mkdir()
    (raw / caltech256._FILE).write_bytes(buffer.getvalue())
    unpack_artefacts(get_dataset("caltech256"), raw)
    with pytest.raises(LayoutError, match="002_0001.jpg"):
        caltech256.convert(raw)
