"""EMNIST Balanced: data/handlers/emnist_balanced.py on fixtures in the real raw layout; its TFDS-A
split is tested in test__tfds_digits.py."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import converted, prepared, zip_members

from nevisbench.data.handlers import emnist_balanced


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Writes ``members`` as a zip, uncompressed like the fixture's (``write_zip`` deflates)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


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
