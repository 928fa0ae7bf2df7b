"""Fashion-MNIST from the real IDX files (Debian's dataset-fashion-mnist) and the strict IDX parser."""

from __future__ import annotations

import gzip
import hashlib
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nevisbench.data.handlers import fashion_mnist
from nevisbench.data.prepare import prepare_dataset
from nevisbench.data.sources import ChecksumError, file_md5
from nevisbench.data.store import data_home
from nevisbench.values import STORED_SPLITS

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
needs_debian = pytest.mark.skipif(
    not DEBIAN.is_dir(),
    reason="install the Debian package dataset-fashion-mnist (CI's .ci/run does)",
)


@needs_debian
def test_real_files_convert_with_the_tfds_a_split() -> None:
    stored, _ = prepare_dataset("fashion_mnist", from_dir=DEBIAN)
    counts = {"train": 42_000, "dev": 9_000, "dev_test": 9_000, "test": 10_000}
    assert stored.meta["counts"] == counts
    assert stored.meta["image_shape"] == [28, 28, 1]
    pool = np.concatenate([stored.split(s).labels for s in ("train", "dev", "dev_test")])
    assert np.bincount(pool, minlength=10).tolist() == [6_000] * 10
    assert np.bincount(stored.split("test").labels, minlength=10).tolist() == [1_000] * 10
    # Contiguous slices of TFDS's stored order: TFDS keys example i of a split by the int i and
    # sorts the split by md5(split name + str(i)), computed here independently of tfds_order.
    train_order = sorted(range(60_000), key=lambda i: hashlib.md5(f"train{i}".encode()).digest())
    test_order = sorted(range(10_000), key=lambda i: hashlib.md5(f"test{i}".encode()).digest())
    assert train_order[:3] == [16_399, 1_680, 47_917] and test_order[:3] == [9_933, 5_669, 163]
    assert (train_order[42_000], train_order[51_000], train_order[-1]) == (13_799, 14_498, 50_006)
    with gzip.open(DEBIAN / "train-images-idx3-ubyte.gz", "rb") as handle:
        raw = np.frombuffer(handle.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(DEBIAN / "t10k-images-idx3-ubyte.gz", "rb") as handle:
        raw_test = np.frombuffer(handle.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    np.testing.assert_array_equal(stored.split("train").images[0, :, :, 0], raw[16_399])
    np.testing.assert_array_equal(stored.split("dev").images[0, :, :, 0], raw[13_799])
    np.testing.assert_array_equal(stored.split("dev_test").images[0, :, :, 0], raw[14_498])
    np.testing.assert_array_equal(stored.split("dev_test").images[-1, :, :, 0], raw[50_006])
    np.testing.assert_array_equal(stored.split("test").images[0, :, :, 0], raw_test[9_933])
    np.testing.assert_array_equal(stored.split("test").images[-1, :, :, 0], raw_test[4_202])
    # Membership, pinned through each split's class counts (file order gave other counts, e.g.
    # train [4185, 4177, 4121, …]), and the first labels in TFDS's order (2 = Pullover, 4 = Coat).
    assert np.bincount(stored.split("train").labels, minlength=10).tolist() == [
        4151, 4207, 4191, 4206, 4230, 4168, 4208, 4166, 4214, 4259,
    ]  # fmt: skip
    assert np.bincount(stored.split("dev").labels, minlength=10).tolist() == [
        935, 879, 903, 911, 894, 901, 890, 939, 880, 868,
    ]  # fmt: skip
    assert np.bincount(stored.split("dev_test").labels, minlength=10).tolist() == [
        914, 914, 906, 883, 876, 931, 902, 895, 906, 873,
    ]  # fmt: skip
    assert stored.split("train").labels[0] == 2 and stored.split("test").labels[0] == 4


@needs_debian
def test_debian_files_are_a_known_version() -> None:
    for filename, known in fashion_mnist.KNOWN_MD5S.items():
        assert file_md5(DEBIAN / filename) in known, filename


@needs_debian
@pytest.mark.parametrize("filename", ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"])
def test_truncated_file_is_refused_naming_it(filename: str, tmp_path: Path) -> None:
    source = tmp_path / "from"
    source.mkdir()
    data = (DEBIAN / filename).read_bytes()
    (source / filename).write_bytes(data[: len(data) // 2])
    # The checksum catches it before parsing, naming the file it came from, and the bad copy is
    # not kept in the downloads folder.
    with pytest.raises(ChecksumError, match=str(source / filename).replace(".", r"\.") + ": MD5 .* differs"):
        prepare_dataset("fashion_mnist", from_dir=source)
    assert not (data_home() / "downloads" / "fashion_mnist" / filename).exists()


def _fixture(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    fashion_mnist.make_fixture(raw)
    return raw


def _rewrite(path: Path, edit: Callable[[bytes], bytes]) -> None:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    with gzip.open(path, "wb") as handle:
        handle.write(edit(data))


def test_fixture_is_valid_idx(tmp_path: Path) -> None:
    raw = _fixture(tmp_path)
    assert sorted(p.name for p in raw.iterdir()) == sorted(fashion_mnist.KNOWN_MD5S)
    splits = {name: list(examples) for name, examples in fashion_mnist.convert(raw).items()}
    assert {name: len(splits[name]) for name in splits} == {
        "train": 14,
        "dev": 3,
        "dev_test": 3,
        "test": 10,
    }
    assert set(splits) == {s.value for s in STORED_SPLITS}
    # TFDS's stored order of the 20 train and 10 test fixture images (md5 of split name + index).
    names = [e.name for s in ("train", "dev", "dev_test") for e in splits[s]]
    order = [6, 16, 19, 12, 14, 18, 5, 13, 15, 4, 10, 17, 0, 8, 3, 1, 9, 7, 11, 2]
    assert names == [f"train[{i}]" for i in order]
    assert [e.name for e in splits["test"]] == [f"t10k[{i}]" for i in (6, 1, 8, 9, 4, 3, 2, 7, 5, 0)]


@pytest.mark.parametrize(
    ("filename", "edit", "message"),
    [
        # A complete gzip stream whose IDX payload is one byte short.
        ("train-images-idx3-ubyte.gz", lambda d: d[:-1], "truncated or corrupt"),
        ("t10k-labels-idx1-ubyte.gz", lambda d: d[:-1], "truncated or corrupt"),
        ("train-images-idx3-ubyte.gz", lambda d: struct.pack(">I", 2049) + d[4:], "expected 2051"),
        ("train-labels-idx1-ubyte.gz", lambda d: struct.pack(">I", 2051) + d[4:], "expected 2049"),
        (
            "t10k-images-idx3-ubyte.gz",
            lambda d: d[:8] + struct.pack(">II", 32, 32) + d[16:],
            "32×32",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            lambda d: struct.pack(">II", 2049, 19) + d[8:-1],
            "19 labels for 20",
        ),
        ("t10k-labels-idx1-ubyte.gz", lambda d: d[:-1] + bytes([10]), "label 10 outside"),
    ],
)
def test_malformed_idx_is_refused(
    tmp_path: Path, filename: str, edit: Callable[[bytes], bytes], message: str
) -> None:
    raw = _fixture(tmp_path)
    _rewrite(raw / filename, edit)
    with pytest.raises(ValueError, match=filename.replace(".", r"\.") + ".*" + message):
        fashion_mnist.convert(raw)


def test_uncompressed_file_is_refused(tmp_path: Path) -> None:
    raw = _fixture(tmp_path)
    target = raw / "train-labels-idx1-ubyte.gz"
    with gzip.open(target, "rb") as handle:
        plain = handle.read()
    target.write_bytes(plain)
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz: not a complete gzip file"):
        fashion_mnist.convert(raw)
