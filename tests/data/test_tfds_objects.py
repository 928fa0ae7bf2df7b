"""CIFAR-10, CIFAR-100 and STL-10 from fixtures in the real archive layouts: splits, layout, damage."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import converted, example_index, rewrite_tar, tar_members, tfds_stored_order

from nevisbench.data.handlers import cifar, stl10
from nevisbench.data.spec import get_dataset

ARCHIVES = {
    "cifar10": "cifar-10-python.tar.gz",
    "cifar100": "cifar-100-python.tar.gz",
    "stl10": "stl10_binary.tar.gz",
}
# TFDS's stored order of the fixtures' 20 train and 10 test images, pinned. TFDS's cifar and stl10
# builders key example i of a split by the int i (for CIFAR-10 running on across data_batch_1..5),
# and store the split sorted by md5(split name + str(i)); a change here moves images between splits.
TRAIN_ORDER = [6, 16, 19, 12, 14, 18, 5, 13, 15, 4, 10, 17, 0, 8, 3, 1, 9, 7, 11, 2]
TEST_ORDER = [6, 1, 8, 9, 4, 3, 2, 7, 5, 0]
# The classic malicious pickle: calls os.system (here with a harmless command) when loaded.
EVIL_PICKLE = b"cos\nsystem\n(S'true'\ntR."


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_fixture_converts_with_the_tfds_a_split(name: str, tmp_path: Path) -> None:
    spec = get_dataset(name)
    spec.make_fixture(tmp_path)
    splits = converted(name, tmp_path)
    # The fixtures hold 20 official train and 10 test images: int(.7·20), int(.15·20), the rest.
    assert {s: len(v) for s, v in splits.items()} == {
        "train": 14,
        "dev": 3,
        "dev_test": 3,
        "test": 10,
    }
    side = 96 if name == "stl10" else 32
    for examples in splits.values():
        for example in examples:
            assert 0 <= example.label < spec.num_classes
            assert example.image.shape == (side, side, 3) and example.image.dtype == np.uint8
    # Contiguous slices of TFDS's stored order: train its first 14, dev the next 3, dev_test the
    # last 3; test in TFDS's order too.
    order = [example_index(e) for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert order == TRAIN_ORDER == tfds_stored_order("train", 20)
    assert [example_index(e) for e in splits["dev"]] == TRAIN_ORDER[14:17]
    assert [example_index(e) for e in splits["test"]] == TEST_ORDER == tfds_stored_order("test", 10)
    # Each example is the image at its index (the fixtures' images differ by index).
    images = {"cifar10": cifar.fixture_images, "cifar100": cifar.fixture_images}.get(
        name, stl10.fixture_images
    )
    # The fixtures' labels by index: CIFAR-10 i % 10, CIFAR-100 7i % 100, STL-10 3i % 10 (train)
    # and i % 10 (test).
    step = {"cifar10": (1, 1), "cifar100": (7, 7), "stl10": (3, 1)}[name]
    for example in splits["train"] + splits["dev"] + splits["dev_test"]:
        np.testing.assert_array_equal(example.image, images(example_index(example) + 1, 0)[-1])
        assert example.label == step[0] * example_index(example) % spec.num_classes
    for example in splits["test"]:
        np.testing.assert_array_equal(example.image, images(example_index(example) + 1, 100)[-1])
        assert example.label == step[1] * example_index(example) % spec.num_classes


def _train_row_cifar(name: str, raw: Path, index: int) -> np.ndarray:
    members = tar_members(raw / ARCHIVES[name])
    # The CIFAR-10 fixture has 4 images in each of data_batch_1..5; index runs on across them.
    if name == "cifar10":
        member, row = f"cifar-10-batches-py/data_batch_{index // 4 + 1}", index % 4
    else:
        member, row = "cifar-100-python/train", index
    # Plain pickle is fine here: the test reads the fixture it has just written itself.
    batch = pickle.loads(members[member], encoding="bytes")
    return batch[b"data"][row]


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_image_layout(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    first = converted(name, tmp_path)["train"][0]
    assert example_index(first) == TRAIN_ORDER[0]
    image = first.image
    row = _train_row_cifar(name, tmp_path, TRAIN_ORDER[0])
    assert not np.array_equal(image, image.transpose(1, 0, 2))  # the pattern is asymmetric
    for y, x, c in [(0, 1, 0), (1, 0, 0), (5, 17, 1), (31, 2, 2), (3, 30, 2)]:
        # The file: R, G, B planes of 32×32, each row-major.
        assert image[y, x, c] == row[c * 1024 + y * 32 + x]
    np.testing.assert_array_equal(image, cifar.fixture_images(TRAIN_ORDER[0] + 1, 0)[-1])


def test_stl10_image_layout(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    first = converted("stl10", tmp_path)["train"][0]
    assert example_index(first) == TRAIN_ORDER[0]
    image = first.image
    member = tar_members(tmp_path / ARCHIVES["stl10"])["stl10_binary/train_X.bin"]
    raw = member[TRAIN_ORDER[0] * 3 * 96 * 96 : (TRAIN_ORDER[0] + 1) * 3 * 96 * 96]
    assert not np.array_equal(image, image.transpose(1, 0, 2))  # the pattern is asymmetric
    for y, x, c in [(0, 1, 0), (1, 0, 0), (5, 77, 1), (95, 2, 2), (3, 90, 2)]:
        # The file: 3 planes of 96×96, each column-major (the row index varies fastest).
        assert image[y, x, c] == raw[c * 96 * 96 + x * 96 + y]
    np.testing.assert_array_equal(image, stl10.fixture_images(TRAIN_ORDER[0] + 1, 0)[-1])


def test_stl10_labels_are_shifted_to_zero(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    stored = [e.label for e in converted("stl10", tmp_path)["test"]]
    raw = tar_members(tmp_path / ARCHIVES["stl10"])["stl10_binary/test_y.bin"]
    assert stored == [raw[i] - 1 for i in TEST_ORDER]


@pytest.mark.parametrize("name", sorted(ARCHIVES))
def test_truncated_archive_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    path = tmp_path / ARCHIVES[name]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"{ARCHIVES[name]}.*not a complete tar.gz"):
        converted(name, tmp_path)


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_pickle_with_a_disallowed_global_is_refused(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    member = "cifar-10-batches-py/data_batch_3" if name == "cifar10" else "cifar-100-python/train"
    rewrite_tar(tmp_path / ARCHIVES[name], {member: EVIL_PICKLE})
    with pytest.raises(ValueError, match=r"refused to unpickle: global os\.system"):
        converted(name, tmp_path)


def test_restricted_unpickler_allows_numpy_arrays_only() -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    loaded = cifar.safe_unpickle(pickle.dumps({b"data": array, b"labels": [1, 2]}), "x")
    np.testing.assert_array_equal(loaded[b"data"], array)
    with pytest.raises(ValueError, match=r"x: refused to unpickle: global builtins\.eval"):
        cifar.safe_unpickle(b"cbuiltins\neval\n(S'1'\ntR.", "x")
    # The real batches are Python 2 pickles naming numpy.core: it resolves without numpy 2's
    # deprecation warning (an error under pytest's settings here).
    py2 = cifar.python2_pickle({b"data": array})
    assert b"cnumpy.core.multiarray\n_reconstruct" in py2 and b"_codecs" not in py2
    np.testing.assert_array_equal(cifar.safe_unpickle(py2, "x")[b"data"], array)


def test_cifar_meta_with_other_class_names_is_refused(tmp_path: Path) -> None:
    cifar.make_fixture_cifar10(tmp_path)
    meta = "cifar-10-batches-py/batches.meta"
    names = [n.encode() for n in reversed(cifar.CIFAR10_CLASS_NAMES)]
    rewrite_tar(tmp_path / ARCHIVES["cifar10"], {meta: pickle.dumps({b"label_names": names})})
    with pytest.raises(ValueError, match="batches.meta.*differs from the official 10 names"):
        converted("cifar10", tmp_path)


def test_stl10_size_mismatch_is_refused(tmp_path: Path) -> None:
    stl10.make_fixture(tmp_path)
    member = "stl10_binary/train_y.bin"
    archive = tmp_path / ARCHIVES["stl10"]
    rewrite_tar(archive, {member: tar_members(archive)[member] + b"\x01"})
    with pytest.raises(ValueError, match="train_X.bin.*21 labels"):
        converted("stl10", tmp_path)
