"""Rules of the datasets the reference read from TFDS (batch tfds_b): celeb_a, sun397, patch_camelyon,
coil100, smallnorb, imagenet2012, domainnet."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

from nevisbench.data.handlers import (
    celeb_a,
    coil100,
    domainnet,
    imagenet2012,
    patch_camelyon,
    smallnorb,
    sun397,
)
from nevisbench.data.handlers._common import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.splits import tfds_order

SPLITS = ("train", "dev", "dev_test", "test")


def _prepared(module, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    module.make_fixture(raw)
    unpack_artefacts(module.SPEC, raw)
    return raw


def _materialise(result) -> dict[str, list]:
    return {split: list(result[split]) for split in SPLITS}


# ---------------------------------------------------------------------------------- COIL-100


def test_coil100_angle_bins_decide_the_split(tmp_path: Path) -> None:
    assert [coil100.split_of_bin(b) for b in (70, 71, 0, 1, 2)] == ["train"] * 5
    assert [coil100.split_of_bin(b) for b in (16, 20, 50, 54, 3, 15, 21, 49, 55, 69)] == [
        "dev", "dev", "dev_test", "dev_test", "test", "test", "test", "test", "test", "test"
    ]
    out = _materialise(coil100.convert(_prepared(coil100, tmp_path)))
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
    raw = _prepared(celeb_a, tmp_path)
    out = _materialise(celeb_a.convert(raw))
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
    raw = _prepared(celeb_a, tmp_path)
    text = (raw / "list_attr_celeba.txt").read_text()
    (raw / "list_attr_celeba.txt").write_text(text.replace("Young", "Old"))
    with pytest.raises(LayoutError, match="header line"):
        celeb_a.convert(raw)
    (raw / "list_attr_celeba.txt").unlink()
    with pytest.raises(LayoutError, match="list_attr_celeba.txt"):
        celeb_a.convert(raw)


# ---------------------------------------------------------------------------------- SUN397


def test_sun397_uses_tfds_lists_labels_by_category_and_skips_ignored(tmp_path: Path) -> None:
    raw = _prepared(sun397, tmp_path)
    out = _materialise(sun397.convert(raw))
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
    raw = _prepared(sun397, tmp_path)
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
    out = _materialise(smallnorb.convert(raw))
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
    raw = _prepared(imagenet2012, tmp_path)
    labels = imagenet2012.validation_labels(raw / "ILSVRC2012_devkit_t12.tar.gz")
    # Fixture ids: 1 → the last sorted synset, 2 → the first, 3 → the second.
    assert labels == {1: 999, 2: 0, 3: 1, 4: 999, 5: 0, 6: 1}
    out = _materialise(imagenet2012.convert(raw))
    assert [e.label for e in out["test"]] == [999, 0, 1, 999, 0, 1]


def test_imagenet_train_cut_is_90_5_5_of_tfds_order_and_disjoint(tmp_path: Path) -> None:
    raw = _prepared(imagenet2012, tmp_path)
    out = _materialise(imagenet2012.convert(raw))
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
    raw = _prepared(imagenet2012, tmp_path)
    (raw / "ILSVRC2012_devkit_t12.tar.gz").unlink()
    with pytest.raises(FileNotFoundError, match="image-net.org"):
        imagenet2012.convert(raw)


# ---------------------------------------------------------------------------------- DomainNet


def test_domainnet_domains_feed_the_reference_roles(tmp_path: Path) -> None:
    raw = _prepared(domainnet, tmp_path)
    out = _materialise(domainnet.convert(raw))
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
    raw = _prepared(domainnet, tmp_path)
    path = raw / "sketch_test.txt"
    path.write_text(path.read_text().replace(" 344\n", " 343\n"))
    with pytest.raises(LayoutError, match="sketch_test.txt"):
        domainnet.convert(raw)


# ---------------------------------------------------------------------------------- PatchCamelyon


def test_hdf5_writer_and_reader_round_trip(tmp_path: Path) -> None:
    images = np.arange(5 * 4 * 3 * 3, dtype=np.uint8).reshape(5, 4, 3, 3)
    codes = np.array([-3, 0, 70000], dtype=np.int32)
    path = tmp_path / "t.h5"
    patch_camelyon.write_hdf5(path, {"x": images, "codes": codes})
    with patch_camelyon.H5File(path) as h5:
        x = h5.dataset("x")
        assert (x.shape, x.dtype, x.layout) == ((5, 4, 3, 3), np.dtype(np.uint8), "contiguous")
        assert np.array_equal(np.array(list(h5.rows(x, batch=2))), images)
        assert np.array_equal(np.array(list(h5.rows(h5.dataset("codes")))), codes)
        with pytest.raises(KeyError, match="nothing"):
            h5.dataset("nothing")


def test_hdf5_reader_reads_a_file_from_the_hdf5_library() -> None:
    # scipy's tests ship a MATLAB 7.3 file (HDF5 with a 512-byte user block, written by libhdf5).
    scipy_io = pytest.importorskip("scipy.io")
    path = Path(scipy_io.__file__).parent / "matlab" / "tests" / "data" / "testhdf5_7.4_GLNX86.mat"
    if not path.exists():
        pytest.skip("scipy's test data is not installed")
    with patch_camelyon.H5File(path) as h5:
        values = np.array(list(h5.rows(h5.dataset("testdouble")))).ravel()
    assert np.allclose(values, np.arange(9) * np.pi / 4)


def test_hdf5_reader_rejects_a_file_that_is_not_hdf5(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    path.write_bytes(b"not hdf5 at all" * 100)
    with pytest.raises(patch_camelyon.HDF5Error, match="no HDF5 signature"):
        patch_camelyon.H5File(path)


def test_patch_camelyon_splits_and_labels(tmp_path: Path) -> None:
    raw = _prepared(patch_camelyon, tmp_path)
    out = _materialise(patch_camelyon.convert(raw))
    # 20 official train → 16 train + 4 dev (TFDS order); 6 validation; 6 test.
    assert [len(out[s]) for s in SPLITS] == [16, 4, 6, 6]
    expected_dev = tfds_order(range(20), "train", lambda i: f"train_{i}")[16:]
    assert sorted(int(e.name[6:-1]) for e in out["dev"]) == sorted(expected_dev)
    for example in out["train"]:
        assert example.label == int(example.name[6:-1]) % 2
        assert example.image.shape == (8, 8, 3)


def test_patch_camelyon_missing_dataset_raises(tmp_path: Path) -> None:
    raw = _prepared(patch_camelyon, tmp_path)
    name = "camelyonpatch_level_2_split_test_y.h5"
    patch_camelyon.write_hdf5(raw / "extracted" / f"{name}.gz" / name, {"labels": np.zeros(6, np.uint8)})
    with pytest.raises(LayoutError, match="HDF5 dataset 'y'"):
        patch_camelyon.convert(raw)
