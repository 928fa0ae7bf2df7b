"""IAPR TC-12 (segmented and annotated): data/handlers/iaprtc12.py on fixtures in the real raw
layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from handler_fixtures import materialise, prepared, rewrite_zip

from nevisbench.data.handlers import iaprtc12
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.data.store import write_dataset


def test_iaprtc12_keeps_the_reference_last_region_label() -> None:
    rows = [(1, 3), (1, 5), (1, 7), (2, 4), (3, 0), (3, 0)]
    assert iaprtc12.reference_labels(rows) == {1: [7], 2: [4], 3: [0]}


def test_iaprtc12_label_rows_and_word_list() -> None:
    assert list(iaprtc12.label_rows(b"25 1 10\n25 2 3\n\n")) == [(25, 9), (25, 2)]
    words = iaprtc12.read_word_list(b"1\tsky\n2\t\n3\ttree\n")
    assert words == {"sky": 0, " ": 1, "tree": 2}


def test_iaprtc12_pool_labels_and_duplicates(tmp_path: Path) -> None:
    raw = prepared("iaprtc12", tmp_path / "raw")
    splits = materialise(iaprtc12.convert(raw))
    examples = [e for split in splits.values() for e in split]
    # Train + validation ids 1..25 only (test ids unused); the saiaprtc12ok copy is not read.
    assert len(examples) == 25
    assert all(e.name.startswith("iaprtc12/images/") for e in examples)
    ids = sorted(int(Path(e.name).stem) for e in examples)
    assert ids == list(range(1, 26))
    for example in examples:
        number = int(Path(example.name).stem)
        # The last region row of each image: label number (number % 7) + 100, index one less.
        assert example.label == [number % 7 + 99]
    # R4 in sorted member order.
    names = sorted(e.name for e in examples)
    expected = random_split(names, FRACTIONS_ALL_DATA)
    assert {s: [e.name for e in v] for s, v in splits.items()} == expected


def test_iaprtc12_multi_hot_in_store(tmp_path: Path, home: Path) -> None:
    spec = get_dataset("iaprtc12")
    raw = prepared("iaprtc12", tmp_path / "raw")
    stored = write_dataset(spec, spec.convert(raw), home / "datasets" / "iaprtc12")
    labels = stored.split("train").labels
    assert labels.shape[1] == 276 and (labels.sum(axis=1) == 1).all()


def test_iaprtc12_word_list_must_number_276_labels(tmp_path: Path) -> None:
    raw = prepared("iaprtc12", tmp_path / "raw")
    rewrite_zip(raw / iaprtc12.ARCHIVE, {iaprtc12.WORD_LIST: b"1\tsky\n2\ttree\n"})
    with pytest.raises(LayoutError, match="wlist.txt"):
        iaprtc12.convert(raw)
    rewrite_zip(raw / iaprtc12.ARCHIVE, {iaprtc12.WORD_LIST: None})
    with pytest.raises(LayoutError, match="wlist.txt"):
        iaprtc12.convert(raw)


def test_iaprtc12_unlabelled_pool_image_is_named(tmp_path: Path) -> None:
    raw = prepared("iaprtc12", tmp_path / "raw")
    label_file = iaprtc12.LABEL_FILE.format(folder=0)
    with zipfile.ZipFile(raw / iaprtc12.ARCHIVE) as archive:
        rows = archive.read(label_file).decode().splitlines()
    kept = "".join(f"{row}\n" for row in rows if not row.startswith("4 "))
    rewrite_zip(raw / iaprtc12.ARCHIVE, {label_file: kept.encode()})
    with pytest.raises(LayoutError, match="image 4 "):
        iaprtc12.convert(raw)
