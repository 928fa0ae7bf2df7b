"""Labeled Faces in the Wild (identification, people with 5+ images): data/handlers/lfw.py on
fixtures in the real raw layout."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import lfw
from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import get_dataset


def test_lfw_splits_each_person_by_position_in_the_tar(tmp_path: Path) -> None:
    raw = prepared("lfw", tmp_path / "raw")
    splits = converted("lfw", raw, SPLITS)
    of = {Path(e.name).name: (split, e.label) for split in SPLITS for e in splits[split]}
    gul = lfw.CLASS_NAMES.index("Abdullah_Gul")
    # Stored as 3, 1, 2, 6, 5, 4: train 3, 1; dev 2; dev_test 6; test 5, 4.
    expected = {3: "train", 1: "train", 2: "dev", 6: "dev_test", 5: "test", 4: "test"}
    for number, split in expected.items():
        assert of[f"Abdullah_Gul_{number:04d}.jpg"] == (split, gul)
    # Exactly five images: one each for train, dev and dev_test, two for test.
    zidane = [of[f"Zinedine_Zidane_{n:04d}.jpg"][0] for n in range(1, 6)]
    assert zidane == ["train", "dev", "dev_test", "test", "test"]
    assert not any(name.startswith("Aaron_Peirsol") for name in of)  # only 4 images
    assert len(of) == 18 and len(lfw.CLASS_NAMES) == 423


def test_lfw_unknown_person_with_enough_images_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with tarfile.open(raw / "lfw.tgz", "w:gz") as tar:
        for k in range(1, 6):
            data = encode_image(fixture_image(k), "JPEG")
            info = tarfile.TarInfo(f"lfw/Nobody_Known/Nobody_Known_{k:04d}.jpg")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    unpack_artefacts(get_dataset("lfw"), raw)
    with pytest.raises(LayoutError, match="Nobody_Known"):
        lfw.convert(raw)
