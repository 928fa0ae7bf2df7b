"""MNIST, EMNIST Balanced and SVHN (cropped): fixtures in the real raw layout, splits, strict parsing."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import converted, example_index, prepared, tfds_stored_order, zip_members

from nevisbench.data.handlers import emnist_balanced, mnist, svhn_cropped


def _tfds_a(n_train: int, n_test: int) -> dict[str, int]:
    # The reference's TFDS-A sizes, computed independently of contiguous_split.
    train, dev = int(0.7 * n_train), int(0.15 * n_train)
    return {"train": train, "dev": dev, "dev_test": n_train - train - dev, "test": n_test}


# TFDS's mnist and svhn builders key example i of a split by the int i (see tfds_stored_order).
# The stored orders of the fixtures' splits (20 or 30 train, 10 test images), pinned: a change here
# moves images between train, dev and dev_test.
PINNED_ORDER = {
    ("train", 20): [6, 16, 19, 12, 14, 18, 5, 13, 15, 4, 10, 17, 0, 8, 3, 1, 9, 7, 11, 2],
    ("train", 30): [
        28, 6, 16, 19, 12, 14, 25, 18, 5, 27, 26, 13, 15, 21, 4, 29, 10, 22, 17, 0, 8, 23, 3, 1,
        24, 20, 9, 7, 11, 2,
    ],
    ("test", 10): [6, 1, 8, 9, 4, 3, 2, 7, 5, 0],
}  # fmt: skip


@pytest.mark.parametrize(
    ("module", "n_train", "n_test", "shape"),
    [
        (mnist, 20, 10, (28, 28)),
        (emnist_balanced, 30, 10, (28, 28)),
        (svhn_cropped, 20, 10, (32, 32, 3)),
    ],
)
def test_fixture_converts_with_the_tfds_a_split(
    module: object, n_train: int, n_test: int, shape: tuple[int, ...], tmp_path: Path
) -> None:
    spec = module.SPEC  # type: ignore[attr-defined]
    splits = converted(module, prepared(module, tmp_path / "raw"))
    assert {name: len(examples) for name, examples in splits.items()} == _tfds_a(n_train, n_test)
    for examples in splits.values():
        for example in examples:
            assert 0 <= example.label < spec.num_classes
            assert np.asarray(example.image).shape == shape
            assert np.asarray(example.image).dtype == np.uint8
    # Contiguous slices of TFDS's stored order of the official train file; test in its order too.
    train_order = [example_index(e) for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert train_order == tfds_stored_order("train", n_train) == PINNED_ORDER[("train", n_train)]
    test_order = [example_index(e) for e in splits["test"]]
    assert test_order == tfds_stored_order("test", n_test) == PINNED_ORDER[("test", n_test)]
    cut = int(0.7 * n_train)
    assert [example_index(e) for e in splits["dev"]] == train_order[cut : cut + int(0.15 * n_train)]



def test_real_sizes_are_pinned_in_the_split_rules() -> None:
    assert "42,000 / 9,000 / 9,000 / 10,000" in mnist.SPEC.split_rule
    assert "78,960 / 16,920 / 16,920 / 18,800" in emnist_balanced.SPEC.split_rule
    assert "51,279 / 10,988 / 10,990 / 26,032" in svhn_cropped.SPEC.split_rule
    assert _tfds_a(112_800, 18_800) == {
        "train": 78_960,
        "dev": 16_920,
        "dev_test": 16_920,
        "test": 18_800,
    }
    assert _tfds_a(73_257, 26_032) == {
        "train": 51_279,
        "dev": 10_988,
        "dev_test": 10_990,
        "test": 26_032,
    }


def test_mnist_reuses_the_fashion_mnist_parser(tmp_path: Path) -> None:
    raw = prepared(mnist, tmp_path / "raw")
    assert sorted(p.name for p in raw.iterdir()) == sorted(mnist.KNOWN_MD5S)
    with gzip.open(raw / "train-labels-idx1-ubyte.gz", "rb") as handle:
        labels = np.frombuffer(handle.read(), dtype=np.uint8, offset=8)
    splits = converted(mnist, raw)
    assert [e.label for e in splits["train"]] == [labels[example_index(e)] for e in splits["train"]]
    assert [example_index(e) for e in splits["train"]] == PINNED_ORDER[("train", 20)][:14]


@pytest.mark.parametrize("filename", ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
def test_mnist_truncated_file_is_refused_naming_it(filename: str, tmp_path: Path) -> None:
    raw = prepared(mnist, tmp_path / "raw")
    data = (raw / filename).read_bytes()
    (raw / filename).write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ValueError, match=filename.replace(".", r"\.") + ": not a complete gzip file"
    ):
        mnist.convert(raw)


def test_emnist_images_stay_transposed_as_tfds_gives_them(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    # An asymmetric "character": only the top row is lit. NIST stores it transposed, i.e. with only
    # the left column lit, and TFDS (so the reference) keeps it so: convert gives the stored pixels.
    upright = np.zeros((30, 28, 28), dtype=np.uint8)
    upright[:, 0, :] = 255
    upright[:, 5, 3] = 7  # one odd pixel, so a transpose and a flip differ too
    emnist_balanced.make_fixture(raw)
    zip_path = raw / "gzip.zip"
    members = zip_members(zip_path)
    name = "gzip/emnist-balanced-train-images-idx3-ubyte.gz"
    header = gzip.decompress(members[name])[:16]
    members[name] = gzip.compress(header + upright.transpose(0, 2, 1).tobytes())
    _write_zip(zip_path, members)
    splits = converted(emnist_balanced, raw)
    for example in splits["train"] + splits["dev"] + splits["dev_test"]:
        np.testing.assert_array_equal(example.image, upright[0].T)


def test_emnist_mapping_gives_the_class_names(tmp_path: Path) -> None:
    raw = prepared(emnist_balanced, tmp_path / "raw")
    text = zip_members(raw / "gzip.zip")["gzip/emnist-balanced-mapping.txt"].decode()
    assert len(text.splitlines()) == 47
    names = emnist_balanced.parse_mapping(text, "mapping")
    assert names == emnist_balanced.CLASS_NAMES == emnist_balanced.SPEC.class_names
    assert (
        names[:3] == ("0", "1", "2") and names[10] == "A" and names[36] == "a" and names[46] == "t"
    )
    assert emnist_balanced.parse_mapping("0 48\n1 65\n", "m") == ("0", "A")
    with pytest.raises(ValueError, match="m: line 2 has label 2, expected 1"):
        emnist_balanced.parse_mapping("0 48\n2 65\n", "m")


def test_emnist_wrong_mapping_is_refused(tmp_path: Path) -> None:
    raw = prepared(emnist_balanced, tmp_path / "raw")
    members = zip_members(raw / "gzip.zip")
    members["gzip/emnist-balanced-mapping.txt"] = b"0 48\n1 49\n"
    _write_zip(raw / "gzip.zip", members)
    with pytest.raises(
        ValueError, match=r"gzip\.zip:gzip/emnist-balanced-mapping\.txt: classes '01'"
    ):
        emnist_balanced.convert(raw)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9, 0.99])
def test_emnist_truncated_zip_is_refused_naming_it(cut: float, tmp_path: Path) -> None:
    raw = prepared(emnist_balanced, tmp_path / "raw")
    data = (raw / "gzip.zip").read_bytes()
    (raw / "gzip.zip").write_bytes(data[: int(cut * len(data))])
    with pytest.raises(ValueError, match=r"gzip\.zip: not a complete zip file"):
        emnist_balanced.convert(raw)


@pytest.mark.parametrize(
    ("member", "edit", "message"),
    [
        ("train-images-idx3-ubyte.gz", lambda d: d[: len(d) // 2], "not a complete gzip file"),
        (
            "test-labels-idx1-ubyte.gz",
            lambda d: gzip.compress(gzip.decompress(d)[:-1]),
            "truncated",
        ),
        (
            "test-labels-idx1-ubyte.gz",
            lambda d: gzip.compress(gzip.decompress(d)[:-1] + b"\x2f"),
            "label 47",
        ),
        (
            "train-images-idx3-ubyte.gz",
            lambda d: gzip.compress(gzip.decompress(d)[:-1]),
            "truncated",
        ),
    ],
)
def test_emnist_corrupt_member_is_refused_naming_it(
    member: str, edit: object, message: str, tmp_path: Path
) -> None:
    raw = prepared(emnist_balanced, tmp_path / "raw")
    members = zip_members(raw / "gzip.zip")
    name = "gzip/emnist-balanced-" + member
    members[name] = edit(members[name])  # type: ignore[operator]
    _write_zip(raw / "gzip.zip", members)
    with pytest.raises(ValueError, match=name.replace(".", r"\.") + ".*" + message):
        emnist_balanced.convert(raw)


def test_emnist_missing_member_is_refused(tmp_path: Path) -> None:
    raw = prepared(emnist_balanced, tmp_path / "raw")
    members = zip_members(raw / "gzip.zip")
    del members["gzip/emnist-balanced-test-images-idx3-ubyte.gz"]
    _write_zip(raw / "gzip.zip", members)
    with pytest.raises(ValueError, match=r"gzip\.zip: no member gzip/emnist-balanced-test-images"):
        emnist_balanced.convert(raw)


def test_svhn_label_10_is_digit_0(tmp_path: Path) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    content = scipy.io.loadmat(raw / "test_32x32.mat")
    assert content["X"].shape == (32, 32, 3, 10) and content["X"].dtype == np.uint8
    assert content["y"].shape == (10, 1) and 10 in content["y"]
    splits = converted(svhn_cropped, raw)
    raw_labels = content["y"][:, 0].astype(int).tolist()
    order = PINNED_ORDER[("test", 10)]
    assert [e.label for e in splits["test"]] == [0 if raw_labels[i] == 10 else raw_labels[i] for i in order]
    # The image of an example is the file's X[..., i], not a reshaped mix of several.
    for position, index in enumerate(order):
        np.testing.assert_array_equal(splits["test"][position].image, content["X"][:, :, :, index])


@pytest.mark.parametrize("filename", ["train_32x32.mat", "test_32x32.mat"])
@pytest.mark.parametrize("cut", [0.1, 0.5, 0.95])
def test_svhn_truncated_file_is_refused_naming_it(
    filename: str, cut: float, tmp_path: Path
) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    data = (raw / filename).read_bytes()
    (raw / filename).write_bytes(data[: int(cut * len(data))])
    with pytest.raises(ValueError, match=filename.replace(".", r"\.") + ": "):
        svhn_cropped.convert(raw)


def test_svhn_bad_labels_are_refused(tmp_path: Path) -> None:
    raw = prepared(svhn_cropped, tmp_path / "raw")
    content = scipy.io.loadmat(raw / "train_32x32.mat")
    labels = content["y"].copy()
    labels[0, 0] = 11
    scipy.io.savemat(raw / "train_32x32.mat", {"X": content["X"], "y": labels})
    with pytest.raises(ValueError, match=r"train_32x32\.mat: labels outside 1\.\.10"):
        svhn_cropped.convert(raw)


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Writes ``members`` as a zip, uncompressed like the fixture's (``write_zip`` deflates)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
