"""PatchCamelyon (PCam): data/handlers/patch_camelyon.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import patch_camelyon
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import tfds_order


def _camelyon_h5(raw: Path, part: str, which: str) -> Path:
    name = patch_camelyon.FILES[part][which][0].removesuffix(".gz")
    return raw / "extracted" / f"{name}.gz" / name


def test_patch_camelyon_splits_and_labels(tmp_path: Path) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    out = materialise(patch_camelyon.convert(raw), SPLITS)
    # 20 official train → 16 train + 4 dev (TFDS order); 6 validation; 6 test.
    assert [len(out[s]) for s in SPLITS] == [16, 4, 6, 6]
    expected_dev = tfds_order(range(20), "train", lambda i: f"train_{i}")[16:]
    assert sorted(int(e.name[6:-1]) for e in out["dev"]) == sorted(expected_dev)
    for example in out["train"]:
        assert example.label == int(example.name[6:-1]) % 2
        assert example.image.shape == (8, 8, 3)


def test_patch_camelyon_reads_chunked_compressed_files_band_by_band(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    before = materialise(patch_camelyon.convert(raw), SPLITS)
    path = _camelyon_h5(raw, "train", "x")
    with h5py.File(path, "r") as h5:
        images = h5["x"][()]
    with h5py.File(path, "w") as h5:
        h5.create_dataset("x", data=images, chunks=(3, 8, 8, 3), compression="gzip", shuffle=True)
    monkeypatch.setattr(patch_camelyon, "_ROWS", 5)  # bands of 3 rows: 20 images end mid-band
    after = materialise(patch_camelyon.convert(raw), SPLITS)
    for split in SPLITS:
        assert [(e.name, e.label) for e in after[split]] == [(e.name, e.label) for e in before[split]]
        assert all(np.array_equal(a.image, b.image) for a, b in zip(after[split], before[split], strict=True))


def test_patch_camelyon_missing_dataset_raises(tmp_path: Path) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    with h5py.File(_camelyon_h5(raw, "test", "y"), "w") as h5:
        h5.create_dataset("labels", data=np.zeros(6, np.uint8))
    with pytest.raises(LayoutError, match="HDF5 dataset 'y'"):
        patch_camelyon.convert(raw)


def test_patch_camelyon_missing_file_raises(tmp_path: Path) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    _camelyon_h5(raw, "valid", "x").unlink()
    out = patch_camelyon.convert(raw)
    with pytest.raises(LayoutError, match="camelyonpatch_level_2_split_valid_x.h5 not found"):
        list(out["dev_test"])


@pytest.mark.parametrize("damage", ["truncated", "not_hdf5"])
def test_patch_camelyon_unreadable_file_says_to_fetch_it_again(tmp_path: Path, damage: str) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    path = _camelyon_h5(raw, "train", "y")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"not hdf5" * 100)
    with pytest.raises(LayoutError, match="readable HDF5 file.*camelyonpatch_level_2_split_train_y.h5.gz.*delete"):
        patch_camelyon.convert(raw)


def test_patch_camelyon_corrupt_chunk_is_reported_while_streaming(tmp_path: Path) -> None:
    raw = prepared(patch_camelyon, tmp_path / "raw")
    path = _camelyon_h5(raw, "test", "x")
    with h5py.File(path, "r") as h5:
        images = h5["x"][()]
    with h5py.File(path, "w") as h5:
        h5.create_dataset("x", data=images, chunks=(6, 8, 8, 3), compression="gzip")
        offset = h5["x"].id.get_chunk_info(0).byte_offset
    data = bytearray(path.read_bytes())
    data[offset + 4:offset + 64] = bytes(60)  # inside the deflate stream of the only chunk
    path.write_bytes(bytes(data))
    out = patch_camelyon.convert(raw)
    with pytest.raises(LayoutError, match="readable HDF5 file.*split_test_x.h5.gz.*delete"):
        list(out["test"])
