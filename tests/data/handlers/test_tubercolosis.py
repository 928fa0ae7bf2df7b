"""Tuberculosis (TB) chest X-ray database: data/handlers/tubercolosis.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevisbench.data.handlers import tubercolosis
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir


def test_tubercolosis_unknown_class_folder_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    tubercolosis.make_fixture(raw)
    unpack_artefacts(tubercolosis.SPEC, raw)
    stray = extracted_dir(raw, tubercolosis._FILE) / tubercolosis._TOP / "Other" / "x.png"
    stray.parent.mkdir()
    stray.write_bytes(b"")
    with pytest.raises(LayoutError, match="Other"):
        tubercolosis.convert(raw)
