"""The label and split rules of the 1992-b handlers, on their fixtures (the real raw layouts)."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, everything, needs_lzw, prepared
from PIL import Image

from nevisbench.data.handlers import (
    belgium_tsc,
    caltech256,
    extended_yaleb,
    german_tsr,
    ig02,
    lfw,
    oxford_flowers_17,
    pascal_voc2006,
    ppmi,
    scenes8,
    scenes15,
    vistex,
)
from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir, get_dataset

# ------------------------------------------------------------------------------------ scenes


def test_scenes8_labels_come_from_the_file_name_prefix(tmp_path: Path) -> None:
    raw = prepared("scenes8", tmp_path / "raw")
    examples = everything(converted("scenes8", raw, SPLITS))
    assert len(examples) == 32
    for example in examples:
        prefix = Path(example.name).name.split("_")[0]
        assert scenes8.CLASS_NAMES[example.label] == prefix
    assert scenes8.CLASS_NAMES.index("coast") == 7  # the reference's order, not alphabetical


def test_scenes8_unknown_class_prefix_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("scenes8", tmp_path / "raw")
    root = extracted_dir(raw, scenes8._FILE) / scenes8._FOLDER
    (root / "beach_x1.jpg").write_bytes(encode_image(fixture_image(1), "JPEG"))
    with pytest.raises(LayoutError, match="beach_x1.jpg"):
        scenes8.convert(raw)


def test_scenes15_labels_are_folders_in_reference_order(tmp_path: Path) -> None:
    raw = prepared("scenes15", tmp_path / "raw")
    examples = everything(converted("scenes15", raw, SPLITS))
    assert len(examples) == 30
    for example in examples:
        assert scenes15.CLASS_NAMES[example.label] == example.name.split("/")[0]
    assert scenes15.CLASS_NAMES[8] == "bedroom"


def test_missing_extracted_archive_names_the_artefact(tmp_path: Path) -> None:
    raw = prepared("scenes15", tmp_path / "raw")
    shutil.rmtree(extracted_dir(raw, scenes15._FILE))
    with pytest.raises(LayoutError, match="scene_categories.zip"):
        scenes15.convert(raw)


# ------------------------------------------------------------------------------- pascal 2006


def test_voc2006_last_positive_list_in_the_tar_wins_and_unlabelled_images_go(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    splits = converted("pascal_voc2006", raw, SPLITS)
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    by_id = {Path(e.name).stem: e.label for e in pool}
    # 000021 is positive for person and car; the fixture stores person's list first, so car wins.
    assert by_id["000021"] == pascal_voc2006.CLASS_NAMES.index("car")
    assert "000022" not in by_id  # positive for no class (difficult for all)
    for k in range(1, 21):
        assert by_id[f"{k:06d}"] == k % 10
    assert sorted(Path(e.name).stem for e in splits["test"]) == [f"{k:06d}" for k in range(101, 111)]


def test_voc2006_examples_follow_the_tar_member_order(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    test = converted("pascal_voc2006", raw, SPLITS)["test"]
    ids = [Path(e.name).stem for e in test]
    assert ids == sorted(ids, reverse=True)  # the fixture stores images in reverse order


def test_voc2006_line_parsing_needs_the_two_space_positive_flag() -> None:
    lists = [("cat", b"000001 -1\n000002  1\n000003  0\n000004  1"), ("dog", b"000003  1\n")]
    labels = pascal_voc2006.image_labels(lists)
    # The last line has no newline: the reference's " 1\n" test does not count it.
    assert labels == {"000002.png": 3, "000003.png": 5}


def test_voc2006_missing_class_list_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("pascal_voc2006", tmp_path / "raw")
    (extracted_dir(raw, pascal_voc2006.TEST) / "VOCdevkit/VOC2006/ImageSets/sheep_test.txt").unlink()
    with pytest.raises(LayoutError, match="sheep_test.txt"):
        pascal_voc2006.convert(raw)


# --------------------------------------------------------------------------- extended yale B


def test_extended_yaleb_splits_by_pose_and_skips_ambient_images(tmp_path: Path) -> None:
    raw = prepared("extended_yaleb", tmp_path / "raw")
    splits = converted("extended_yaleb", raw, SPLITS)
    for split, examples in splits.items():
        poses = {extended_yaleb.pose_of(Path(e.name).name) for e in examples}
        assert poses == set(extended_yaleb.POSES[split])
        # Every subject is in every split (the task is to name the subject).
        assert {e.label for e in examples} == {0, 3, 27}
        assert not any("Ambient" in e.name for e in examples)
    assert Counter({s: len(v) for s, v in splits.items()}) == Counter(
        {"train": 30, "dev": 6, "dev_test": 6, "test": 12}
    )
    assert extended_yaleb.CLASS_NAMES[3] == "yaleB15" and len(extended_yaleb.CLASS_NAMES) == 28


# ------------------------------------------------------------------------------------- ig02


def test_ig02_drops_duplicate_pixels_and_puts_listed_train_images_first(tmp_path: Path) -> None:
    raw = prepared("ig02", tmp_path / "raw")
    ordered = ig02.ordered_unique(raw)
    assert len(ordered) == 36  # 3 × 12 images; each class's exact copy is dropped
    assert not any("_copy" in e.name for e in ordered)
    assert not any(".mask." in e.name for e in ordered)
    # The train-listed (even-numbered) images come first, then the rest.
    first = [int(Path(e.name).name.split("_")[1][:3]) % 2 for e in ordered[:18]]
    assert first == [0] * 18
    assert [ig02.CLASS_NAMES[e.label] for e in ordered] == [e.name.split("/")[0] for e in ordered]


def test_ig02_missing_train_list_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("ig02", tmp_path / "raw")
    (extracted_dir(raw, ig02.ZIPS["cars"]) / "cars_train.txt").unlink()
    with pytest.raises(LayoutError, match="cars_train.txt"):
        ig02.convert(raw)


# ------------------------------------------------------------------------------------- ppmi


def test_ppmi_train_pool_and_test_follow_the_path_filters(tmp_path: Path) -> None:
    raw = prepared("ppmi", tmp_path / "raw")
    splits = converted("ppmi", raw, SPLITS)
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(pool) == 25 and len(splits["test"]) == 10
    assert all("/train/" in e.name for e in pool)
    assert all("/test/" in e.name for e in splits["test"])
    for example in pool + splits["test"]:
        assert ppmi.CLASS_NAMES[example.label] == "/".join(example.name.split("/")[1:3])
    assert len(ppmi.CLASS_NAMES) == 24


# ------------------------------------------------------------------------------- caltech 256


def test_caltech256_keeps_tar_order_and_numbers_classes_by_folder(tmp_path: Path) -> None:
    raw = prepared("caltech256", tmp_path / "raw")
    examples = caltech256.examples(raw)
    assert len(examples) == 35  # RENAME2 and Thumbs.db are not images of the task
    assert [e.label for e in examples[::7]] == [256, 250, 197, 55, 0]  # the tar's order
    assert caltech256.CLASS_NAMES[256] == "clutter" and len(caltech256.CLASS_NAMES) == 257


def test_caltech256_folder_number_must_match_its_name(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    members = {"256_ObjectCategories/002.ak47/002_0001.jpg": encode_image(fixture_image(0), "JPEG")}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw.mkdir()
    (raw / caltech256._FILE).write_bytes(buffer.getvalue())
    unpack_artefacts(get_dataset("caltech256"), raw)
    with pytest.raises(LayoutError, match="002_0001.jpg"):
        caltech256.convert(raw)


# -------------------------------------------------------------------------------------- lfw


def test_lfw_splits_each_person_by_position_in_the_tar(tmp_path: Path) -> None:
    raw = prepared("lfw", tmp_path / "raw")
    splits = converted("lfw", raw, SPLITS)
    of = {Path(e.name).name: (split, e.label) for split in SPLITS for e in splits[split]}
    gul = lfw.CLASS_NAMES.index("Abdullah_Gul")
    # Stored as 3, 1, 2, 6, 5, 4: train 3, 1; dev 2; dev_test 6; test 5, 4.
    expected = {3: "train", 1: "train", 2: "dev", 6: "dev_test", 5: "test", 4: "test"}
    for number, split in expected.items():
        assert of[f"Abdullah_Gul_{number:04d}.jpg"] == (split, gul)
    # Exactly five images: one each for train, dev and dev_test, two for test.
    zidane = [of[f"Zinedine_Zidane_{n:04d}.jpg"][0] for n in range(1, 6)]
    assert zidane == ["train", "dev", "dev_test", "test", "test"]
    assert not any(name.startswith("Aaron_Peirsol") for name in of)  # only 4 images
    assert len(of) == 18 and len(lfw.CLASS_NAMES) == 423


def test_lfw_unknown_person_with_enough_images_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with tarfile.open(raw / "lfw.tgz", "w:gz") as tar:
        for k in range(1, 6):
            data = encode_image(fixture_image(k), "JPEG")
            info = tarfile.TarInfo(f"lfw/Nobody_Known/Nobody_Known_{k:04d}.jpg")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    unpack_artefacts(get_dataset("lfw"), raw)
    with pytest.raises(LayoutError, match="Nobody_Known"):
        lfw.convert(raw)


# ------------------------------------------------------------------------------ flowers 17


def test_flowers17_uses_split_one_and_numbered_labels(tmp_path: Path) -> None:
    raw = prepared("oxford_flowers_17", tmp_path / "raw")
    splits = converted("oxford_flowers_17", raw, SPLITS)

    def number(example) -> int:
        return int(Path(example.name).stem.split("_")[1])

    for example in everything(splits):
        assert example.label == (number(example) - 1) // 80
    assert {number(e) % 4 for e in splits["train"] + splits["dev"]} == {1, 2}  # trn1
    assert {number(e) % 4 for e in splits["dev_test"]} == {3}  # val1
    assert {number(e) % 4 for e in splits["test"]} == {0}  # tst1
    test_numbers = [number(e) for e in splits["test"]]
    assert test_numbers == sorted(test_numbers, reverse=True)  # the tar's (reversed) order


def test_flowers17_missing_split_variable_is_a_layout_error(tmp_path: Path) -> None:
    import scipy.io

    raw = prepared("oxford_flowers_17", tmp_path / "raw")
    scipy.io.savemat(raw / oxford_flowers_17.SPLITS, {"trn1": np.ones((1, 3))})
    with pytest.raises(LayoutError, match="val1"):
        oxford_flowers_17.convert(raw)


# --------------------------------------------------------------------------------------- FMD


def test_fmd_reads_only_the_image_folder(tmp_path: Path) -> None:
    raw = prepared("flickr_material_database", tmp_path / "raw")
    examples = everything(converted("flickr_material_database", raw, SPLITS))
    assert len(examples) == 30
    assert all(e.name.startswith("image/") for e in examples)
    assert Counter(e.label for e in examples) == Counter({k: 3 for k in range(10)})


# ---------------------------------------------------------------------------- traffic signs


def test_belgium_labels_are_folder_numbers(tmp_path: Path) -> None:
    raw = prepared("belgium_tsc", tmp_path / "raw")
    splits = converted("belgium_tsc", raw, SPLITS)
    assert sorted({e.label for e in splits["test"]}) == [3, 19, 61]
    for example in everything(splits):
        assert example.label == int(example.name.split("/")[1])
    assert belgium_tsc.CLASS_NAMES[21] == "B5"  # folder 00021: the stop sign


def test_belgium_class_list_with_wrong_count_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("belgium_tsc", tmp_path / "raw")
    (raw / belgium_tsc.NAMES_FILE).write_text("header\nA1\nA2\n")
    with pytest.raises(LayoutError, match="reducedSetTS.txt"):
        belgium_tsc.convert(raw)


def test_gtsrb_test_labels_come_from_the_csv(tmp_path: Path) -> None:
    raw = prepared("german_tsr", tmp_path / "raw")
    splits = converted("german_tsr", raw, SPLITS)
    assert {Path(e.name).name: e.label for e in splits["test"]} == {
        "00000.ppm": 3, "00001.ppm": 14, "00002.ppm": 42, "00003.ppm": 0,
    }  # fmt: skip
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(pool) == 12 and {e.label for e in pool} == {0, 14, 42}


def test_gtsrb_test_image_without_label_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("german_tsr", tmp_path / "raw")
    with zipfile.ZipFile(raw / german_tsr.TEST_LABELS, "w") as archive:
        archive.writestr(german_tsr.LABEL_FILE, "Filename;ClassId\n00000.ppm;3\n")
    with pytest.raises(LayoutError, match="00001.ppm"):
        german_tsr.convert(raw)


# ------------------------------------------------------------------------------------ VisTex


@needs_lzw
def test_vistex_follows_reference_links_across_parts(tmp_path: Path) -> None:
    raw = prepared("vistex", tmp_path / "raw")
    examples = everything(converted("vistex", raw, SPLITS))
    assert len(examples) == 36  # the scene link is not a reference texture
    assert all(e.name.startswith("VisTex/Images/Reference/") for e in examples)
    for example in examples:
        assert vistex.CLASS_NAMES[example.label] == example.name.split("/")[3]
        # The bytes are the 512×512 file the link points to (12×12 in the fixture), not the 128 one.
        assert Image.open(io.BytesIO(example.image)).size == (12, 12)


@needs_lzw
def test_vistex_broken_link_is_a_layout_error(tmp_path: Path) -> None:
    import ncompress

    raw = prepared("vistex", tmp_path / "raw")
    part_b = extracted_dir(raw, "VisTex.tar.gz") / "VisionTexture/vistex1.0a.B.tar.Z"
    files, links, flat = vistex.fixture_layout()
    flat.pop("VisTex/FLAT/512x512/Bark.0000.ppm")
    part_b.write_bytes(ncompress.compress(vistex._tar_bytes(flat, {})))
    with pytest.raises(LayoutError, match="Bark.0000.ppm"):
        vistex.convert(raw)
