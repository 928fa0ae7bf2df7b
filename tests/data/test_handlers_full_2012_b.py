"""Rules of the full_2012_b batch handlers: label parsing, crops, custom splits, deduplication, errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import (
    animal,
    chars74k,
    coco_single_label,
    fgvc_aircraft_family,
    interact,
    lfwa,
    silhouettes_28,
    stanford_cars,
    sun_attributes,
    voc_actions,
)
from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import write_tar
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import Crop, extracted_dir
from nevisbench.data.store import decode_image

# ------------------------------------------------------------------------------------ stanford_cars


def test_stanford_cars_labels_and_official_test(tmp_path: Path) -> None:
    raw = prepared("stanford_cars", tmp_path / "raw")
    out = converted("stanford_cars", raw)
    by_name = {Path(e.name).name: e.label for split in SPLITS for e in out[split]}
    # Fixture: image i+1 has class (3i mod 196) + 1, and every fourth image is an official test image.
    assert by_name["000001.jpg"] == 0 and by_name["000002.jpg"] == 3 and by_name["000040.jpg"] == 117
    assert sorted(Path(e.name).name for e in out["test"]) == [f"{i:06d}.jpg" for i in range(4, 41, 4)]
    assert len(out["train"]) + len(out["dev"]) + len(out["dev_test"]) == 30


def test_stanford_cars_rejects_other_class_names(tmp_path: Path) -> None:
    raw = prepared("stanford_cars", tmp_path / "raw")
    mat = scipy.io.loadmat(raw / "cars_annos.mat")
    names = np.empty((1, 196), dtype=object)
    names[0, :] = ["x"] * 196
    scipy.io.savemat(raw / "cars_annos.mat", {"annotations": mat["annotations"], "class_names": names})
    with pytest.raises(LayoutError, match="class names"):
        stanford_cars.convert(raw)


# ---------------------------------------------------------------------------- fgvc_aircraft_family


def test_fgvc_family_labels_follow_the_split_lists(tmp_path: Path) -> None:
    raw = prepared("fgvc_aircraft_family", tmp_path / "raw")
    out = converted("fgvc_aircraft_family", raw)
    data = extracted_dir(raw, "fgvc-aircraft-2013b.tar.gz") / "fgvc-aircraft-2013b/data"
    expected = {}
    for line in (data / "images_family_test.txt").read_text().splitlines():
        number, family = line.split(" ", 1)
        expected[f"{number}.jpg"] = fgvc_aircraft_family.CLASS_NAMES.index(family)
    assert {Path(e.name).name: e.label for e in out["test"]} == expected
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 27


def test_fgvc_missing_split_list_names_it(tmp_path: Path) -> None:
    raw = prepared("fgvc_aircraft_family", tmp_path / "raw")
    data = extracted_dir(raw, "fgvc-aircraft-2013b.tar.gz") / "fgvc-aircraft-2013b/data"
    (data / "images_family_test.txt").unlink()
    with pytest.raises(LayoutError, match="images_family_test.txt"):
        fgvc_aircraft_family.convert(raw)


# ------------------------------------------------------------------------------ coco_single_label


def test_coco_crop_box_rounds_like_pil() -> None:
    assert coco_single_label.crop_box([20.4, 10.6, 30.0, 16.0]) == (20, 11, 50, 27)
    assert coco_single_label.crop_box([0.5, 1.5, 16, 16]) == (0, 2, 16, 18)  # round half to even


def test_coco_keeps_boxes_of_16_px_and_labels_category_minus_one(tmp_path: Path) -> None:
    raw = prepared("coco_single_label", tmp_path / "raw")
    out = converted("coco_single_label", raw)
    # Two boxes per image, one 15.9 px wide (dropped): 30 train images, 4 val images.
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 30
    assert [e.label for e in out["test"]] == [6, 0, 89, 17]
    assert all(e.name.startswith("val2017/") for e in out["test"])
    crop = out["test"][0].image
    assert isinstance(crop, Crop) and crop.box == (20, 11, 50, 27)
    # The 40×30 image clips the box's right edge: 20 px wide, 16 px high.
    assert decode_image(crop, 3).shape == (16, 20, 3)


def test_coco_unknown_category_name_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("coco_single_label", tmp_path / "raw")
    path = raw / "annotations_trainval2017.zip"
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["annotations/instances_val2017.json"] = members["annotations/instances_val2017.json"].replace(
        b'"name": "person"', b'"name": "human"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(LayoutError, match="human"):
        coco_single_label.convert(raw)


# ------------------------------------------------------------------------------------------ animal


def test_animal_matches_folders_loosely_and_rejects_unknown(tmp_path: Path) -> None:
    raw = prepared("animal", tmp_path / "raw")
    out = converted("animal", raw)
    labels = {e.name.split(":")[1].split("/")[1]: e.label for s in SPLITS for e in out[s]}
    assert labels == {"bird": 0, "butterfly": 1, "cat": 2, "Flying_Bird": 11, "dolphine": 7, "hen": 12}
    assert sum(len(out[s]) for s in SPLITS) == 48  # Thumbs.db is not an image
    assert animal.label_of("flying bird", "x.zip") == 11
    root = extracted_dir(raw, "non_rigid_shape_B.zip")
    (root / "non_rigid_shape_B" / "unicorn").mkdir()
    (root / "non_rigid_shape_B" / "hen" / "hen1.tif").rename(root / "non_rigid_shape_B" / "unicorn" / "u1.tif")
    with pytest.raises(LayoutError, match="unicorn"):
        animal.convert(raw)


# ---------------------------------------------------------------------------------- silhouettes_28


def test_silhouettes_official_split_and_images(tmp_path: Path) -> None:
    raw = prepared("silhouettes_28", tmp_path / "raw")
    out = converted("silhouettes_28", raw)
    mat = scipy.io.loadmat(raw / silhouettes_28._SPLIT)
    assert len(out["train"]) + len(out["dev"]) == 20
    assert [e.label for e in out["dev_test"]] == (mat["val_labels"].ravel() - 1).tolist()
    assert [e.label for e in out["test"]] == (mat["test_labels"].ravel() - 1).tolist()
    first = out["test"][0].image
    assert first.dtype == np.uint8 and first.shape == (28, 28)
    np.testing.assert_array_equal(first, mat["test_data"][0].reshape(28, 28) * 255)


def test_silhouettes_checks_class_names(tmp_path: Path) -> None:
    raw = prepared("silhouettes_28", tmp_path / "raw")
    scipy.io.savemat(raw / silhouettes_28._ALL, {"X": np.zeros((1, 784))})
    with pytest.raises(LayoutError, match="classnames"):
        silhouettes_28.convert(raw)


# ---------------------------------------------------------------------------------------- interact


def test_interact_split_per_class_sizes_and_seed() -> None:
    by_label = {4: [f"imgs/a{i}.jpg" for i in range(25)], 0: [f"imgs/b{i}.jpg" for i in range(10)]}
    out = interact.split_per_class(by_label)
    counts = {s: [sum(p.startswith(f"imgs/{c}") for p in out[s]) for c in "ab"] for s in SPLITS}
    # 25 images: int(14.0) = 13 (0.56 is 0.5599… in floating point), int(3) = 2… per the reference.
    sizes = (25 * np.array(interact.FRACTIONS)).astype(np.int32).tolist()
    assert [counts[s][0] for s in ("train", "dev", "dev_test")] == sizes
    assert counts["test"] == [25 - sum(sizes), 10 - 5 - 1 - 1]
    rng = np.random.default_rng(1)
    first = rng.permutation(25)
    assert out["train"][: sizes[0]] == [by_label[4][i] for i in first[: sizes[0]]]


def test_interact_illustrations_only_in_train_and_exclusions(tmp_path: Path) -> None:
    raw = prepared("interact", tmp_path / "raw")
    out = converted("interact", raw)
    illustrations = [e for s in SPLITS for e in out[s] if "illustration" in e.name]
    assert len(illustrations) == 4 and all(e in out["train"] for e in illustrations)
    assert {e.label for e in illustrations} == {6, 1}
    assert [len(out[s]) for s in SPLITS] == [2 * 5 + 4, 2, 2, 2 * 3]  # 10 per class: 5/1/1/3
    data = interact.parse_annotations(b"01;22TCSTMOFXRDFDVIK9PDTXJK5OZTQ6_20.jpg;P.\n01;x.jpg;P.\n", "a")
    assert data == ({0: ["imgs/x.jpg"]}, {0: "P."})


def test_interact_sentences_must_agree(tmp_path: Path) -> None:
    raw = prepared("interact", tmp_path / "raw")
    path = raw / interact._ART_ANNOTATIONS
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(interact._ART_LIST, "08;illustration_08_0.png;Person 1 kicks Person 2.\n")
    with pytest.raises(ValueError, match="class 8"):
        interact.convert(raw)


def test_interact_sentences_must_be_the_spec_class_names() -> None:
    assert len(set(interact.CLASS_NAMES)) == 60
    assert interact.CLASS_NAMES[0] == "Person 1 is carrying Person 2."
    interact.check_class_names({0: "Person 1 is carrying Person 2.", 59: interact.CLASS_NAMES[59]})
    with pytest.raises(ValueError, match="class 7"):
        interact.check_class_names({6: "Person 1 is kicking Person 2."})


# ------------------------------------------------------------------------------------- voc_actions


def test_voc_actions_parses_boxes_and_action_flags() -> None:
    xml = voc_actions._xml([((1, 2, 11, 14), {"jumping", "other"}), ((5, 1, 20, 16), set())])
    assert voc_actions.parse_objects(xml, "a.xml") == [((1, 2, 11, 14), [0, 10]), ((5, 1, 20, 16), [])]
    no_actions = b"<annotation><object><name>dog</name><bndbox><xmin>1</xmin></bndbox></object></annotation>"
    assert voc_actions.parse_objects(no_actions, "b.xml") == []


def test_voc_actions_crops_every_person(tmp_path: Path) -> None:
    raw = prepared("voc_actions", tmp_path / "raw")
    out = converted("voc_actions", raw)
    examples = [e for s in SPLITS for e in out[s]]
    assert len(examples) == 24 + 8  # one person per image, a second on every third image
    assert not any("999999" in e.name for e in examples)  # listed without annotation: skipped
    by_name = {e.name: e for e in examples}
    second = by_name["2011_000003.jpg#1"]
    assert second.label == [1, 9] and second.image.box == (5, 1, 20, 16)
    assert decode_image(second.image, 3).shape == (15, 15, 3)  # clipped to the 20-wide image
    assert by_name["2011_000000.jpg#1"].label == [10]


def test_voc_actions_missing_action_list_names_it(tmp_path: Path) -> None:
    raw = prepared("voc_actions", tmp_path / "raw")
    root = extracted_dir(raw, voc_actions._FILE)
    (root / voc_actions._ROOT / "ImageSets/Action/walking_trainval.txt").unlink()
    with pytest.raises(LayoutError, match="walking_trainval.txt"):
        voc_actions.convert(raw)


# ---------------------------------------------------------------------------------------- chars74k


def test_chars74k_labels_and_test_lists(tmp_path: Path) -> None:
    assert chars74k.label_of("GoodImg/Bmp/Sample012/img012-00001.png") == 11
    assert chars74k.CLASS_NAMES[11] == "B" and chars74k.CLASS_NAMES[61] == "z"
    raw = prepared("chars74k", tmp_path / "raw")
    tests = chars74k.test_names(raw)
    assert tests["Hnd"] == {"Img/Sample001/img001-002", "Img/Sample012/img012-001", "Img/Sample062/img062-003"}
    assert chars74k._is_test("Img/Sample001/img001-002.png", tests["Hnd"])
    assert not chars74k._is_test("Img/Sample001/img001-001.png", tests["Hnd"])


def test_chars74k_drops_duplicates_and_masks(tmp_path: Path) -> None:
    raw = prepared("chars74k", tmp_path / "raw")
    out = converted("chars74k", raw)
    names = [e.name for s in SPLITS for e in out[s]]
    # 3 categories × 12 images; each category's copy of its first image (k = 99) is dropped, as are
    # the Img masks and Hnd trajectories.
    assert len(names) == 36 and len(set(names)) == 36
    assert not any("-00099" in n or "-099" in n or "/Msk/" in n for n in names)


# -------------------------------------------------------------------------------------------- lfwa


def test_lfwa_split_per_person() -> None:
    images = [Path(f"{k}.jpg") for k in range(7)]
    parts = lfwa.split_person(images)
    assert [[p.stem for p in parts[s]] for s in SPLITS] == [["0", "1", "2"], ["3"], ["4"], ["5", "6"]]


def test_lfwa_keeps_people_with_five_images(tmp_path: Path) -> None:
    raw = prepared("lfwa", tmp_path / "raw")
    out = converted("lfwa", raw)
    assert [len(out[s]) for s in SPLITS] == [1 + 3, 2, 2, 4]
    labels = {e.label for s in SPLITS for e in out[s]}
    assert labels == {lfwa.CLASS_NAMES.index("Abdullah_Gul"), lfwa.CLASS_NAMES.index("Zhu_Rongji")}
    assert [Path(e.name).name for e in out["test"]][:2] == ["Abdullah_Gul_0004.jpg", "Abdullah_Gul_0005.jpg"]


def test_lfwa_unknown_person_is_a_layout_error(tmp_path: Path) -> None:
    raw = prepared("lfwa", tmp_path / "raw")
    folder = extracted_dir(raw, "lfwa.zip") / "lfw2" / "Nobody_Known"
    (folder / "Nobody_Known_0005.jpg").write_bytes((folder / "Nobody_Known_0001.jpg").read_bytes())
    with pytest.raises(LayoutError, match="Nobody_Known"):
        lfwa.convert(raw)


# ---------------------------------------------------------------------------------- sun_attributes


def test_sun_attributes_positives_are_nonzero_continuous_labels(tmp_path: Path) -> None:
    raw = prepared("sun_attributes", tmp_path / "raw")
    attributes = sun_attributes.read_attributes(raw / sun_attributes._ATTRIBUTES)
    members = read_members(raw / sun_attributes._ATTRIBUTES, "sun_attributes")
    labels = scipy.io.loadmat(io.BytesIO(members[sun_attributes._LABELS_MAT]))["labels_cv"]
    assert attributes["images/a/abbey/sun_a0000.jpg"] == np.flatnonzero(labels[0]).tolist()
    assert 0 < labels[0].max() <= 1 and len(np.flatnonzero(labels[0])) == 3
    out = converted("sun_attributes", raw)
    names = [e.name for s in SPLITS for e in out[s]]
    # 34 listed images, the last one absent from the image tar; the unlisted image is left out.
    assert len(names) == 33 and "images/s/sky/unlisted.jpg" not in names
    assert all(len(e.label) == 3 for s in SPLITS for e in out[s])


def test_sun_attributes_missing_member_names_it(tmp_path: Path) -> None:
    raw = prepared("sun_attributes", tmp_path / "raw")
    write_tar(raw / sun_attributes._ATTRIBUTES, {sun_attributes._NAMES_MAT: b""})
    with pytest.raises(LayoutError, match="attributeLabels_continuous.mat"):
        sun_attributes.convert(raw)
