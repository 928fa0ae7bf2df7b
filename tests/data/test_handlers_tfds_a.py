"""TFDS-sourced handlers (Caltech 101, CUB, Pets, Dogs, DTD, Flowers 102, VOC 2007/2012) from fixtures in
the real layouts: TFDS's split membership and stored order, label parsing, multi-label vectors, and
layout errors that name what is missing."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared, rewrite_tar, tar_members

from nevisbench.data.handlers import (
    _voc,
    caltech101,
    caltech_birds2011,
    oxford_flowers102,
    oxford_iiit_pet,
    stanford_dogs,
)
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import Example, extracted_dir, get_dataset
from nevisbench.data.splits import tfds_order


def _sizes(splits: dict[str, list[Example]]) -> dict[str, int]:
    return {split: len(splits[split]) for split in SPLITS}


def _md5_rank(split: str, key: str) -> str:
    return hashlib.md5(split.encode() + key.encode()).hexdigest()


# --------------------------------------------------------------------------------- Caltech 101


def test_caltech101_draws_30_per_class_for_tfds_train(tmp_path: Path) -> None:
    splits = converted("caltech101", prepared("caltech101", tmp_path))
    # 2 classes × 32 images: 60 in TFDS train (42/9/9), 4 in TFDS test.
    assert _sizes(splits) == {"train": 42, "dev": 9, "dev_test": 9, "test": 4}
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    for label in (
        caltech101.CLASS_NAMES.index("faces_easy"),
        caltech101.CLASS_NAMES.index("accordion"),
    ):
        assert sum(e.label == label for e in pool) == caltech101.TRAIN_PER_CLASS
        assert sum(e.label == label for e in splits["test"]) == 2
    names = [e.name for e in pool + splits["test"]]
    assert len(set(names)) == 64
    # The pool is in TFDS's stored order: by MD5 of "train" + "<folder>/<file>".
    keys = [e.name.removeprefix("101_ObjectCategories/") for e in pool]
    assert keys == sorted(keys, key=lambda key: _md5_rank("train", key))


def test_caltech101_draw_is_tfds_seeded_choice() -> None:
    folders = {"b": [f"x{i:02d}.jpg" for i in range(35)], "a": [f"y{i:02d}.jpg" for i in range(31)]}
    train, test = caltech101.tfds_partition(folders)
    state = np.random.RandomState(1234)  # one state across the classes, in sorted folder order
    first = list(state.choice(sorted(folders["a"]), 30, replace=False))
    second = list(state.choice(sorted(folders["b"]), 30, replace=False))
    assert train == [("a", n) for n in first] + [("b", n) for n in second]
    assert len(test) == 1 + 5 and not set(train) & set(test)


def test_caltech101_refuses_small_class_and_unknown_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fewer than the 30"):
        caltech101.tfds_partition({"ant": [f"{i}.jpg" for i in range(29)]})
    raw = prepared("caltech101", tmp_path)
    (extracted_dir(raw, "101_ObjectCategories.tar.gz") / "101_ObjectCategories" / "unicorn").mkdir()
    with pytest.raises(LayoutError, match="unicorn"):
        caltech101.convert(raw)


# ----------------------------------------------------------------------------------------- CUB


def test_cub_official_split_and_species_labels(tmp_path: Path) -> None:
    splits = converted("caltech_birds2011", prepared("caltech_birds2011", tmp_path))
    # 14 images, every 4th (i = 3, 7, 11) official test: 11 train → 7/1/3, 3 test.
    assert _sizes(splits) == {"train": 7, "dev": 1, "dev_test": 3, "test": 3}
    for example in (e for split in SPLITS for e in splits[split]):
        folder = example.name.split("/")[2]
        assert example.label == int(folder[:3]) - 1
        assert caltech_birds2011.CLASS_NAMES[example.label] == folder[4:]
    assert {e.label for e in splits["test"]} <= {0, 1, 199}
    assert all(int(e.name.rsplit("_", 2)[1]) % 4 == 3 for e in splits["test"])
    pool = [e.name for split in ("train", "dev", "dev_test") for e in splits[split]]
    assert pool == sorted(pool, key=lambda key: _md5_rank("train", key))


def test_cub_checks_species_and_metadata(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="Laysan_Albatross"):
        caltech_birds2011.label_of("002.Black_footed_Albatross/x.jpg")
    raw = prepared("caltech_birds2011", tmp_path)
    (extracted_dir(raw, "CUB_200_2011.tgz") / "CUB_200_2011" / "train_test_split.txt").unlink()
    with pytest.raises(LayoutError, match="train_test_split.txt"):
        caltech_birds2011.convert(raw)


# ---------------------------------------------------------------------------------------- Pets


def test_pets_labels_from_the_lists(tmp_path: Path) -> None:
    splits = converted("oxford_iiit_pet", prepared("oxford_iiit_pet", tmp_path))
    assert _sizes(splits) == {"train": 8, "dev": 1, "dev_test": 3, "test": 4}
    for example in (e for split in SPLITS for e in splits[split]):
        breed = example.name.removeprefix("images/").rsplit("_", 1)[0]
        assert oxford_iiit_pet.CLASS_NAMES[example.label] == breed
    assert {e.label for e in splits["train"] + splits["dev"] + splits["dev_test"]} == {0, 1, 32}


def test_pets_list_parsing_and_missing_list(tmp_path: Path) -> None:
    assert oxford_iiit_pet.parse_list(b"#comment\nBengal_7 6 1 3\n", "x.txt") == [("Bengal_7", 5)]
    with pytest.raises(LayoutError, match="breed Bengal for Birman_7"):
        oxford_iiit_pet.parse_list(b"Birman_7 6 1 3\n", "x.txt")
    raw = prepared("oxford_iiit_pet", tmp_path)
    (extracted_dir(raw, "annotations.tar.gz") / "annotations" / "test.txt").unlink()
    with pytest.raises(LayoutError, match="annotations/test.txt"):
        oxford_iiit_pet.convert(raw)


# ---------------------------------------------------------------------------------------- Dogs


def test_dogs_membership_from_the_mat_lists(tmp_path: Path) -> None:
    raw = prepared("stanford_dogs", tmp_path)
    splits = converted("stanford_dogs", raw)
    assert _sizes(splits) == {"train": 7, "dev": 1, "dev_test": 2, "test": 3}
    with tarfile.open(raw / "lists.tar") as tar:
        test_mat = scipy.io.loadmat(
            io.BytesIO(tar.extractfile("test_list.mat").read()), squeeze_me=True
        )  # type: ignore[union-attr]
    assert sorted(e.name for e in splits["test"]) == sorted(
        f"Images/{p}" for p in test_mat["file_list"]
    )
    for example in (e for split in SPLITS for e in splits[split]):
        assert stanford_dogs.CLASS_NAMES[example.label] == example.name.split("/")[1]
    # The .mat labels (1..120, WordNet-id order) agree with TFDS's sorted folder names.
    assert sorted(e.label + 1 for e in splits["test"]) == sorted(int(v) for v in test_mat["labels"])


def test_dogs_missing_list_names_it(tmp_path: Path) -> None:
    raw = prepared("stanford_dogs", tmp_path)
    assert "test_list.mat" in tar_members(raw / "lists.tar")
    rewrite_tar(raw / "lists.tar", {"test_list.mat": None}, compression="")  # uncompressed
    with pytest.raises(LayoutError, match="test_list.mat"):
        stanford_dogs.convert(raw)


# ----------------------------------------------------------------------------------------- DTD


def test_dtd_uses_partition_1_with_tfds_b(tmp_path: Path) -> None:
    raw = prepared("dtd", tmp_path)
    splits = converted("dtd", raw)
    # train1 (5) → 4/1; val1 → dev_test; test1 → test. train2.txt lists all 15 and is ignored.
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 5, "test": 5}
    labels_dir = extracted_dir(raw, "dtd-r1.0.1.tar.gz") / "dtd" / "labels"
    val = (labels_dir / "val1.txt").read_text().split()
    assert [e.name.removeprefix("dtd/images/") for e in splits["dev_test"]] == sorted(
        val, key=lambda key: _md5_rank("validation", key)
    )
    for example in (e for split in SPLITS for e in splits[split]):
        assert get_dataset("dtd").class_names[example.label] == example.name.split("/")[2]


# -------------------------------------------------------------------------------- Flowers 102


def test_flowers_labels_by_image_id(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers102", tmp_path)
    splits = converted("oxford_flowers102", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 3, "test": 3}
    labels = scipy.io.loadmat(raw / "imagelabels.mat")["labels"].reshape(-1)
    for example in (e for split in SPLITS for e in splits[split]):
        image_id = int(example.name.removeprefix("jpg/image_").removesuffix(".jpg"))
        assert example.label == labels[image_id - 1] - 1
    assert sorted(e.name for e in splits["test"]) == [f"jpg/image_{i:05d}.jpg" for i in (9, 10, 11)]


def test_flowers_refuses_ids_without_labels(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers102", tmp_path)
    setid = {k: v for k, v in scipy.io.loadmat(raw / "setid.mat").items() if not k.startswith("__")}
    setid["tstid"] = np.array([[9, 99]])
    scipy.io.savemat(raw / "setid.mat", setid)
    with pytest.raises(LayoutError, match="tstid"):
        oxford_flowers102.convert(raw)


# ----------------------------------------------------------------------------------------- VOC


def test_voc_labels_keep_difficult_and_truncated_objects() -> None:
    xml = _voc.annotation_xml(
        2007, "000001", [("dog", True, False), ("person", False, True), ("dog", False, False)]
    )
    assert _voc.object_names(xml) == ["dog", "person", "dog"]
    assert _voc.labels_of(_voc.object_names(xml)) == [
        _voc.VOC_CLASSES.index("dog"),
        _voc.VOC_CLASSES.index("person"),
    ]
    with pytest.raises(ValueError, match="without a <name>"):
        _voc.object_names(b"<annotation><object><pose>Left</pose></object></annotation>")


def _expected_multi_hot(raw: Path, archive: str, year: int, example: Example) -> list[int]:
    image_id = Path(example.name).stem
    xml = extracted_dir(raw, archive) / f"VOCdevkit/VOC{year}/Annotations/{image_id}.xml"
    return sorted({_voc.VOC_CLASSES.index(n) for n in _voc.object_names(xml)})


def test_voc2007_tfds_b_and_multi_labels(tmp_path: Path) -> None:
    raw = prepared("voc2007", tmp_path)
    splits = converted("voc2007", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 3, "test": 3}
    for split in SPLITS:
        archive = "VOCtest_06-Nov-2007.tar" if split == "test" else "VOCtrainval_06-Nov-2007.tar"
        for example in splits[split]:
            assert list(example.label) == _expected_multi_hot(raw, archive, 2007, example)
            assert Path(example.image).is_file()
    labels = [tuple(e.label) for split in SPLITS for e in splits[split]]
    assert any(len(label) > 1 for label in labels)  # the fixture has multi-object images
    train_ids = [Path(e.name).stem for e in splits["train"] + splits["dev"]]
    assert train_ids == tfds_order(["000005", "000007", "000009", "000012", "000016"], "train")
    assert {Path(e.name).stem for e in splits["test"]} == {"000001", "000002", "000003"}


def test_voc2012_splits_validation_in_halves(tmp_path: Path) -> None:
    raw = prepared("voc2012", tmp_path)
    splits = converted("voc2012", raw)
    assert _sizes(splits) == {"train": 4, "dev": 1, "dev_test": 2, "test": 2}
    val = ["2008_000008", "2008_000015", "2011_000003", "2012_000001"]
    halves = [Path(e.name).stem for e in splits["dev_test"] + splits["test"]]
    assert halves == tfds_order(val, "validation")
    for example in (e for split in SPLITS for e in splits[split]):
        assert list(example.label) == _expected_multi_hot(
            raw, "VOCtrainval_11-May-2012.tar", 2012, example
        )


def test_voc_missing_annotation_and_unknown_class(tmp_path: Path) -> None:
    raw = prepared("voc2012", tmp_path)
    annotations = (
        extracted_dir(raw, "VOCtrainval_11-May-2012.tar") / "VOCdevkit/VOC2012/Annotations"
    )
    (annotations / "2008_000008.xml").unlink()
    with pytest.raises(LayoutError, match="Annotations/2008_000008.xml"):
        converted("voc2012", raw)
    (annotations / "2008_000008.xml").write_bytes(
        _voc.annotation_xml(2012, "x", [("unicorn", False, False)])
    )
    with pytest.raises(LayoutError, match="unicorn"):
        converted("voc2012", raw)


def test_voc_missing_set_list_names_it(tmp_path: Path) -> None:
    raw = prepared("voc2007", tmp_path)
    (
        extracted_dir(raw, "VOCtest_06-Nov-2007.tar") / "VOCdevkit/VOC2007/ImageSets/Main/test.txt"
    ).unlink()
    with pytest.raises(LayoutError, match="ImageSets/Main/test.txt"):
        get_dataset("voc2007").convert(raw)
