"""Rules of the datasets the reference read from TFDS (batch tfds_b): celeb_a, sun397, patch_camelyon,
coil100, smallnorb, imagenet2012, domainnet."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import h5py
import numpy as np
import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import (
    celeb_a,
    coil100,
    domainnet,
    imagenet2012,
    patch_camelyon,
    smallnorb,
    sun397,
)
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.splits import tfds_order

# ---------------------------------------------------------------------------------- COIL-100


def test_coil100_angle_bins_decide_the_split(tmp_path: Path) -> None:
    assert [coil100.split_of_bin(b) for b in (70, 71, 0, 1, 2)] == ["train"] * 5
    assert [coil100.split_of_bin(b) for b in (16, 20, 50, 54, 3, 15, 21, 49, 55, 69)] == [
        "dev", "dev", "dev_test", "dev_test", "test", "test", "test", "test", "test", "test"
    ]
    out = materialise(coil100.convert(prepared(coil100, tmp_path / "raw")), SPLITS)
    angles = {
        split: {int(re.search(r"__(\d+)\.png$", e.name).group(1)) for e in examples}
        for split, examples in out.items()
    }
    assert angles == {"train": {0, 355}, "dev": {90}, "dev_test": {260}, "test": {180, 45}}
    labels = {e.name.split("/")[1].split("__")[0]: e.label for e in out["test"]}
    assert labels == {"obj1": 0, "obj2": 1, "obj100": 99}


def test_coil100_rejects_an_angle_off_the_5_degree_grid() -> None:
    with pytest.raises(LayoutError, match="obj3__7.png"):
        coil100.parse_name("obj3__7.png")
    assert coil100.parse_name("convertGroupppm2png.pl") is None


# ---------------------------------------------------------------------------------- CelebA


def test_celeb_a_labels_are_the_positive_attributes_and_partition_is_official(tmp_path: Path) -> None:
    raw = prepared(celeb_a, tmp_path / "raw")
    out = materialise(celeb_a.convert(raw), SPLITS)
    # Fixture: 6 train (→ 4 train + 2 dev), 3 validation, 3 test.
    assert [len(out[s]) for s in SPLITS] == [4, 2, 3, 3]
    assert {e.name for e in out["dev_test"]} == {f"img_align_celeba/{k:06d}.jpg" for k in (7, 8, 9)}
    by_name = {e.name: e.label for split in SPLITS for e in out[split]}
    # Image k (0-based) has attribute a when (k + a) % 3 == 0.
    assert by_name["img_align_celeba/000001.jpg"] == list(range(0, 40, 3))
    assert by_name["img_align_celeba/000002.jpg"] == list(range(2, 40, 3))
    # The train/dev cut follows TFDS's stored order, not file-name order.
    train_names = [n for n in sorted(by_name) if int(n[-10:-4]) <= 6]
    expected = tfds_order([n.split("/")[1] for n in train_names], "train", str)
    assert [e.name.split("/")[1] for e in out["train"] + out["dev"]] == expected


def test_celeb_a_missing_or_foreign_attribute_file_raises(tmp_path: Path) -> None:
    raw = prepared(celeb_a, tmp_path / "raw")
    text = (raw / "list_attr_celeba.txt").read_text()
    (raw / "list_attr_celeba.txt").write_text(text.replace("Young", "Old"))
    with pytest.raises(LayoutError, match="header line"):
        celeb_a.convert(raw)
    (raw / "list_attr_celeba.txt").unlink()
    with pytest.raises(LayoutError, match="list_attr_celeba.txt"):
        celeb_a.convert(raw)


# ---------------------------------------------------------------------------------- SUN397


def test_sun397_uses_tfds_lists_labels_by_category_and_skips_ignored(tmp_path: Path) -> None:
    raw = prepared(sun397, tmp_path / "raw")
    out = materialise(sun397.convert(raw), SPLITS)
    # 12 train-list images (+1 ignored) → 9 train + 3 dev; 3 validation; 3 test.
    assert [len(out[s]) for s in SPLITS] == [9, 3, 3, 3]
    names = [e.name for s in SPLITS for e in out[s]]
    assert not any("sun_bhenjvsvrtumjuri" in n for n in names)
    for split in SPLITS:
        for example in out[split]:
            category = example.name.removeprefix("SUN397").rsplit("/", 1)[0]
            assert sun397.CLASS_NAMES[example.label] == category
    assert sun397.CLASS_NAMES.index("/c/car_interior/backseat") == sun397.CLASS_NAMES.index(
        "/c/car_interior/frontseat") - 1


def test_sun397_missing_list_or_image_raises(tmp_path: Path) -> None:
    raw = prepared(sun397, tmp_path / "raw")
    with (raw / "sun397_tfds_te.txt").open("a") as handle:
        handle.write("/a/abbey/sun_missing.jpg\n")
    with pytest.raises(LayoutError, match="sun_missing.jpg"):
        sun397.convert(raw)
    (raw / "sun397_tfds_va.txt").unlink()
    with pytest.raises(LayoutError, match="sun397_tfds_va.txt"):
        sun397.convert(raw)


# ---------------------------------------------------------------------------------- smallNORB


def test_smallnorb_instances_are_kept_apart_and_left_image_used(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    template = smallnorb._TRAIN
    rng = np.random.default_rng(0)
    instances = [4, 6, 7, 8, 9, 4, 7, 6]
    images = rng.integers(0, 256, size=(len(instances), 2, 6, 5), dtype=np.uint8)
    cat = np.array([0, 1, 2, 3, 4, 1, 2, 3], dtype=np.int32)
    info = np.array([[i, 0, 0, 0] for i in instances], dtype=np.int32)
    smallnorb.write_set(raw, template, images, cat, info)
    smallnorb.write_set(raw, smallnorb._TEST, images[:3], cat[:3], info[:3] * 0)
    out = materialise(smallnorb.convert(raw), SPLITS)
    index = {split: [int(e.name.rsplit("[", 1)[1][:-1]) for e in out[split]] for split in SPLITS[:3]}
    assert index == {"train": [2, 3, 4, 6], "dev": [0, 5], "dev_test": [1, 7]}
    assert len(out["test"]) == 3
    for example in out["train"]:
        k = int(example.name.rsplit("[", 1)[1][:-1])
        assert np.array_equal(example.image, images[k, 0]) and example.label == cat[k]


def test_smallnorb_rejects_unknown_instance_and_bad_magic(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    images = np.zeros((2, 2, 4, 4), np.uint8)
    smallnorb.write_set(raw, smallnorb._TRAIN, images, np.zeros(2, np.int32),
                        np.array([[4, 0, 0, 0], [1, 0, 0, 0]], np.int32))
    smallnorb.write_set(raw, smallnorb._TEST, images, np.zeros(2, np.int32), np.zeros((2, 4), np.int32))
    with pytest.raises(LayoutError, match="instances"):
        smallnorb.convert(raw)
    with gzip.open(raw / smallnorb._TEST.format("cat"), "wb") as handle:
        handle.write(b"\0" * 32)
    with pytest.raises(LayoutError, match="magic"):
        smallnorb.read_matrix(raw / smallnorb._TEST.format("cat"))


# ---------------------------------------------------------------------------------- ImageNet


def test_imagenet_validation_labels_go_through_meta_mat(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    labels = imagenet2012.validation_labels(raw / "ILSVRC2012_devkit_t12.tar.gz")
    # Fixture ids: 1 → the last sorted synset, 2 → the first, 3 → the second.
    assert labels == {1: 999, 2: 0, 3: 1, 4: 999, 5: 0, 6: 1}
    out = materialise(imagenet2012.convert(raw), SPLITS)
    assert [e.label for e in out["test"]] == [999, 0, 1, 999, 0, 1]


def test_imagenet_train_cut_is_90_5_5_of_tfds_order_and_disjoint(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    out = materialise(imagenet2012.convert(raw), SPLITS)
    # 24 train images: int(.9·24) = 21, int(.05·24) = 1, rest 2.
    assert [len(out[s]) for s in SPLITS[:3]] == [21, 1, 2]
    names = {s: [e.name.split("/", 1)[1] for e in out[s]] for s in SPLITS[:3]}
    everything = sum(names.values(), [])
    assert len(set(everything)) == 24
    ordered = tfds_order(everything, "train", str)
    assert set(names["dev"]) == {ordered[21]} and set(names["dev_test"]) == set(ordered[22:])
    for example in out["train"]:
        wnid = example.name.split(".tar/")[0]
        assert imagenet2012.CLASS_NAMES[example.label] == wnid


def test_imagenet_missing_archive_says_where_to_get_it(tmp_path: Path) -> None:
    raw = prepared(imagenet2012, tmp_path / "raw")
    (raw / "ILSVRC2012_devkit_t12.tar.gz").unlink()
    with pytest.raises(FileNotFoundError, match="image-net.org"):
        imagenet2012.convert(raw)


# ---------------------------------------------------------------------------------- DomainNet


def test_domainnet_domains_feed_the_reference_roles(tmp_path: Path) -> None:
    raw = prepared(domainnet, tmp_path / "raw")
    out = materialise(domainnet.convert(raw), SPLITS)
    domains = {s: {e.name.split("/")[0] for e in out[s]} for s in SPLITS}
    assert domains == {
        "train": set(domainnet.TRAIN_DOMAINS),
        "dev": set(domainnet.TRAIN_DOMAINS),
        "dev_test": {"sketch"},
        "test": {"sketch"},
    }
    # Fixture: per domain 3 classes × (2 train + 1 test).
    assert [len(out[s]) for s in SPLITS] == [30, 15, 6, 3]
    # Domains stay in the reference's order.
    assert [e.name.split("/")[0] for e in out["dev"]][::3] == list(domainnet.TRAIN_DOMAINS)
    for split in SPLITS:
        for example in out[split]:
            assert domainnet.CLASS_NAMES[example.label] == example.name.split("/")[1]


def test_domainnet_label_that_disagrees_with_folder_raises(tmp_path: Path) -> None:
    raw = prepared(domainnet, tmp_path / "raw")
    path = raw / "sketch_test.txt"
    path.write_text(path.read_text().replace(" 344\n", " 343\n"))
    with pytest.raises(LayoutError, match="sketch_test.txt"):
        domainnet.convert(raw)


# ---------------------------------------------------------------------------------- PatchCamelyon


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


def _camelyon_h5(raw: Path, part: str, which: str) -> Path:
    name = patch_camelyon.FILES[part][which][0].removesuffix(".gz")
    return raw / "extracted" / f"{name}.gz" / name


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
