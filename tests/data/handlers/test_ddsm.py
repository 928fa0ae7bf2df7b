"""CBIS-DDSM (Curated Breast Imaging Subset of DDSM): data/handlers/ddsm.py on fixtures in the real
raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import ddsm
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir


def test_ddsm_full_images_once_with_first_pathology(tmp_path: Path) -> None:
    _, out = prepared_and_converted(ddsm, tmp_path / "raw")
    every = {e.name: (split, e.label) for split in SPLITS for e in out[split]}
    assert len(every) == 34  # one per full mammogram; the cropped images are never used
    assert all(name.startswith("jpeg/1.3.6.1.4.1.9590.100.1.2.1") for name in every)
    for k in range(34):
        split, label = every[f"jpeg/1.3.6.1.4.1.9590.100.1.2.{1000 + k}/1-{k}.jpg"]
        assert label == k % 3  # the first abnormality's pathology, even where a second one differs
        assert (split == "test") == (k >= 26)


def test_ddsm_missing_image_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    ddsm.make_fixture(raw)
    unpack_artefacts(ddsm.SPEC, raw)
    missing = extracted_dir(raw, ddsm._FILE) / "jpeg/1.3.6.1.4.1.9590.100.1.2.1003/1-3.jpg"
    missing.unlink()
    with pytest.raises(LayoutError, match="1-3.jpg"):
        ddsm.convert(raw)
