"""Handlers of batch full_1992_a: label rules, custom splits and layout errors, on their fixtures."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, prepared, prepared_and_converted, rewrite_tar
from PIL import Image

from nevisbench.data.handlers import (
    aberdeen,
    aloi,
    brodatz,
    butterflies,
    caltech_categories,
    cmu_amp_expression,
    landsat,
    magellan_venus_volcanoes,
    mpeg7,
    olivetti_face,
    umist,
)
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import Crop, Example, get_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, FRACTIONS_TRAIN, random_split


def _member(example: Example) -> str:
    """The member name of a tar-streamed example (its name is ``<archive>:<member>``)."""
    return example.name.split(":", 1)[1]


# ------------------------------------------------------------------------- magellan volcanoes


def test_volcano_label_needs_a_definite_volcano() -> None:
    label = magellan_venus_volcanoes.label_from_ground_truth
    assert label(b"1 12 30 5\n") == 1
    assert label(b"3 40 40 6\n1 12 30 5\n") == 1
    assert label(b"2 10 10 4\n4 20 20 3\n") == 0
    assert label(b"") == 0
    # The reference takes the text before the first single space, so an indented 1 is not a 1.
    assert label(b" 1 12 30 5\n") == 0


def test_volcano_images_labels_and_tar_order(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("magellan_venus_volcanoes", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    names = sorted(_member(e) for e in examples)
    # Chips, .spr headers, tables and the rest are skipped: only the 30 images remain.
    assert names == sorted(f"package/Images/img{i}.sdt" for i in range(1, 31))
    for example in examples:
        number = int(_member(example).rsplit("img", 1)[1].split(".")[0])
        assert example.label == (1 if number % 3 == 0 else 0)
        assert example.image.shape == (16, 16) and example.image.dtype == np.uint8
        assert np.array_equal(example.image, fixture_image(number, 16, 16, 1))
    # R4 over the members in the order the tar stores them (img1, img2, ..., not sorted names).
    in_tar_order = [f"package/Images/img{i}.sdt" for i in range(1, 31)]
    expected = random_split(in_tar_order, FRACTIONS_ALL_DATA)
    assert {s: sorted(_member(e) for e in splits[s]) for s in SPLITS} == {
        s: sorted(v) for s, v in expected.items()
    }


def test_volcano_image_without_ground_truth_is_a_layout_error(tmp_path: Path) -> None:
    prepared("magellan_venus_volcanoes", tmp_path)
    rewrite_tar(tmp_path / "volcanoes.tar.gz", {"package/GroundTruths/img7.lxyr": None})
    with pytest.raises(LayoutError, match=r"img7\.lxyr"):
        converted("magellan_venus_volcanoes", tmp_path)


def test_volcano_non_square_image_is_refused() -> None:
    with pytest.raises(ValueError, match="not a square"):
        magellan_venus_volcanoes.decode_sdt("img1.sdt", b"\0" * 15)


# ----------------------------------------------------------------------------------- aberdeen


def test_aberdeen_merges_aliases_and_keeps_the_reference_labels(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aberdeen", tmp_path)
    by_name = {e.name: e.label for s in SPLITS for e in splits[s]}
    index = aberdeen.CLASS_NAMES.index
    assert by_name["marieg1.jpg"] == index("marie") == 29
    assert by_name["clean_adrian3.jpg"] == index("adrian")
    assert by_name["jsheenang2.jpg"] == index("jsheenan") == 83
    assert by_name["chris_harbron4.jpg"] == index("chris_harbron") == 2
    assert by_name["dave_faquhar5.jpg"] == 91
    assert index("jsheenang") not in by_name.values()  # the reference's class 22 stays empty
    assert len(aberdeen.CLASS_NAMES) == 92


def test_aberdeen_follows_the_zip_directory_order(tmp_path: Path) -> None:
    names = [f"{person}{k}.jpg" for k in (9, 3, 7, 1, 5, 8) for person in ("neil", "kay")]
    members = {n: encode_image(fixture_image(i, 8, 8), "JPEG") for i, n in enumerate(names)}
    write_zip(tmp_path / "Aberdeen.zip", members)
    unpack_artefacts(get_dataset("aberdeen"), tmp_path)
    splits = converted("aberdeen", tmp_path)
    expected = random_split(names, FRACTIONS_ALL_DATA)  # zip order, not sorted
    assert {s: [e.name for e in splits[s]] for s in SPLITS} == expected


def test_aberdeen_unknown_person_is_a_layout_error(tmp_path: Path) -> None:
    write_zip(tmp_path / "Aberdeen.zip", {"stranger1.jpg": encode_image(fixture_image(0), "JPEG")})
    unpack_artefacts(get_dataset("aberdeen"), tmp_path)
    with pytest.raises(LayoutError, match="stranger"):
        converted("aberdeen", tmp_path)


# ------------------------------------------------------------------------------------ landsat


def test_landsat_patch_layout_drops_the_fourth_band(tmp_path: Path) -> None:
    values = list(range(36))  # pixel p, band b holds 4p + b
    (tmp_path / "sat.trn").write_text(" ".join(map(str, values)) + " 7\n")
    (example,) = landsat.read_patches(tmp_path / "sat.trn")
    assert example.label == 6  # file label 7: very damp grey soil
    assert example.image.shape == (3, 3, 3)
    for row in range(3):
        for col in range(3):
            assert list(example.image[row, col]) == [4 * (3 * row + col) + b for b in range(3)]


def test_landsat_t3_split_and_missing_file(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("landsat", tmp_path)
    assert len(splits["test"]) == 8
    assert sum(len(splits[s]) for s in ("train", "dev", "dev_test")) == 24
    assert all(e.name.startswith("sat.tst") for e in splits["test"])
    (tmp_path / "sat.tst").unlink()
    with pytest.raises(LayoutError, match=r"sat\.tst"):
        converted("landsat", tmp_path)


# ------------------------------------------------------------------------------------ brodatz


def test_brodatz_tiles_of_a_640_plate_and_the_strict_edge_rule() -> None:
    boxes = brodatz.tile_boxes(640, 640)
    assert len(boxes) == 9 and len(set(boxes)) == 9
    assert all(right - left == 213 and bottom - top == 213 for left, top, right, bottom in boxes)
    # x outer, y inner, as the reference walks them.
    assert boxes[:4] == [
        (0, 0, 213, 213),
        (0, 213, 213, 426),
        (0, 426, 213, 639),
        (213, 0, 426, 213),
    ]
    # A side divisible by 3 loses its last row and column of tiles (the reference's strict '<').
    assert len(brodatz.tile_boxes(15, 15)) == 4


def test_brodatz_five_one_one_two_tiles_per_class(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("brodatz", tmp_path)
    assert {s: len(v) for s, v in splits.items()} == {
        "train": 555,
        "dev": 111,
        "dev_test": 111,
        "test": 222,
    }
    tiles: dict[int, set[tuple[int, int, int, int]]] = {}
    for split, count in zip(SPLITS, (5, 1, 1, 2), strict=True):
        labels = [e.label for e in splits[split]]
        assert all(labels.count(label) == count for label in range(111))
        for example in splits[split]:
            assert isinstance(example.image, Crop)
            left, top, right, bottom = example.image.box
            assert (right - left, bottom - top) == (5, 5)  # a third of the 16-pixel fixture plate
            tiles.setdefault(example.label, set()).add(example.image.box)
    assert all(len(boxes) == 9 for boxes in tiles.values())  # no tile in two splits
    # Labels follow the sorted stems: D1, D10, D100, ...
    assert brodatz.CLASS_NAMES[:3] == ("D1", "D10", "D100") and "D14" not in brodatz.CLASS_NAMES


def test_brodatz_assignment_is_the_reference_draw(tmp_path: Path) -> None:
    brodatz.make_fixture(tmp_path)
    splits = converted("brodatz", tmp_path)
    rng = np.random.default_rng(0)
    boxes = brodatz.tile_boxes(16, 16)
    for label in range(111):
        order = rng.permutation(range(9))  # the reference permutes range(9)
        train = {boxes[k] for k in order[:5]}
        test = {boxes[k] for k in order[7:]}
        assert {e.image.box for e in splits["train"] if e.label == label} == train
        assert {e.image.box for e in splits["test"] if e.label == label} == test
        (dev,) = [e.image.box for e in splits["dev"] if e.label == label]
        assert dev == boxes[order[5]]


def test_brodatz_missing_plate_is_a_layout_error(tmp_path: Path) -> None:
    brodatz.make_fixture(tmp_path)
    (tmp_path / "D112.gif").unlink()
    with pytest.raises(LayoutError, match=r"D112\.gif"):
        converted("brodatz", tmp_path)


# ------------------------------------------------------------------------------ olivetti_face


def test_olivetti_labels_from_the_subject_number(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("olivetti_face", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 40
    for example in examples:
        subject = int(example.name.split("_")[1].split(".")[0])
        assert example.label == subject - 1
    assert olivetti_face.label_of("ORL/3_40.jpg") == 39


@pytest.mark.parametrize("member", ["ORL/readme.txt", "ORL/5_x.jpg", "ORL/1_42.jpg"])
def test_olivetti_unparsable_member_is_a_layout_error(member: str) -> None:
    with pytest.raises(LayoutError):
        olivetti_face.label_of(member)


# ------------------------------------------------------------------------------- coil20, mpeg7


def test_coil20_labels_and_skipped_members(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("coil20", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 40  # Thumbs.db and README.txt are skipped
    for example in examples:
        assert example.label == int(example.name.split("obj")[1].split("__")[0]) - 1
    assert sorted({e.label for e in examples}) == list(range(20))


def test_mpeg7_labels_in_case_sensitive_sorted_order(tmp_path: Path) -> None:
    assert mpeg7.CLASS_NAMES[:6] == ("Bone", "Comma", "Glas", "HCircle", "Heart", "Misk")
    assert len(mpeg7.CLASS_NAMES) == 70 and mpeg7.CLASS_NAMES[6] == "apple"
    _, splits = prepared_and_converted("mpeg7", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 35  # confusions.* and shapedata.* are skipped
    for example in examples:
        shape = example.name.split("/")[1].split("-")[0]
        assert mpeg7.CLASS_NAMES[example.label] == shape


def test_mpeg7_unknown_shape_is_a_layout_error(tmp_path: Path) -> None:
    gif = encode_image(fixture_image(0, 8, 8, 1), "GIF")
    write_zip(
        tmp_path / "MPEG7dataset.zip", {"original/apple-1.gif": gif, "original/ufo-1.gif": gif}
    )
    unpack_artefacts(get_dataset("mpeg7"), tmp_path)
    with pytest.raises(LayoutError, match="ufo"):
        converted("mpeg7", tmp_path)


# -------------------------------------------------------------------------------- butterflies


def test_butterflies_fixed_test_images(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("butterflies", tmp_path)
    assert len(splits["test"]) == 14  # two listed numbers per class in the fixture
    for example in splits["test"]:
        _, number = butterflies.parse(example.name)
        assert number in butterflies.TEST_IMAGES[butterflies.CLASS_NAMES[example.label]]
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 21
    for example in pool:
        label, number = butterflies.parse(example.name)
        assert label == example.label
        assert number not in butterflies.TEST_IMAGES[butterflies.CLASS_NAMES[label]]
    assert butterflies.parse("peacock/pea131.jpg") == (5, 131)


def test_butterflies_unknown_folder_is_a_layout_error() -> None:
    with pytest.raises(LayoutError, match="moth"):
        butterflies.parse("moth/mot001.jpg")


# -------------------------------------------------------------------------------------- umist


def test_umist_labels_follow_the_reference_folder_order(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("umist", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 35  # Thumbs.db is skipped
    expected = {"1a": 12, "1b": 13, "1s": 0, "1t": 14, "1j": 19}
    for example in examples:
        assert example.label == expected[_member(example).split("/")[0]]
    assert all(isinstance(e.image, bytes) for e in examples)


def test_umist_member_outside_a_person_folder_is_a_layout_error() -> None:
    with pytest.raises(LayoutError, match="face/1a"):
        umist.label_of("face/1a/face001.pgm")


def test_truncated_tar_is_reported(tmp_path: Path) -> None:
    umist.make_fixture(tmp_path)
    path = tmp_path / "face.tar.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a complete archive"):
        converted("umist", tmp_path)


# ------------------------------------------------------------------------- cmu_amp_expression


def test_cmu_split_sizes_are_the_reference_codes() -> None:
    assert cmu_amp_expression.split_sizes() == (41, 9, 9)


def test_cmu_per_class_permutation_split(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("cmu_amp_expression", tmp_path)
    rng = np.random.default_rng(1)
    for letter in cmu_amp_expression.CLASS_NAMES:
        order = rng.permutation(75)
        expected = {
            "train": order[:41],
            "dev": order[41:50],
            "dev_test": order[50:59],
            "test": order[59:],
        }
        if letter not in ("A", "M"):  # the fixture holds all 75 images of A and M only
            continue
        for split, numbers in expected.items():
            got = sorted(e.name for e in splits[split] if e.name[0] == letter)
            assert got == sorted(f"{letter}{n:02d}.bmp" for n in numbers)
            assert all(
                e.label == ord(letter) - ord("A") for e in splits[split] if e.name[0] == letter
            )
    names = [e.name for s in SPLITS for e in splits[s]]
    assert len(names) == len(set(names)) == 2 * 75 + 11 * 3  # readme.txt skipped, no duplicate


# ----------------------------------------------------------------------------- pascal_voc2005


def test_voc2005_pools_and_labels(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("pascal_voc2005", tmp_path)
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 6 * 4 and len(splits["test"]) == 12
    assert all(_member(e).startswith("VOC2005_1/PNGImages/") for e in pool)
    assert all(_member(e).startswith("VOC2005_2/PNGImages/") for e in splits["test"])
    folder_class = {
        "velo": "bike",
        "voiture": "car",
        "pieton": "person",
        "motocyclette": "motorbike",
    }
    folder_class |= {"TUGraz_bike": "bike", "Caltech_motorbikes_side": "motorbike"}
    for example in pool + splits["test"]:
        folder = _member(example).split("/")[2]
        if folder in folder_class:
            assert get_dataset("pascal_voc2005").class_names[example.label] == folder_class[folder]


def test_voc2005_empty_folder_is_a_layout_error(tmp_path: Path) -> None:
    prepared("pascal_voc2005", tmp_path)
    rewrite_tar(tmp_path / "voc2005_2.tar.gz", {"VOC2005_2/PNGImages/velo/velo_001.png": None})
    with pytest.raises(LayoutError, match="PNGImages/velo"):
        converted("pascal_voc2005", tmp_path)


# ------------------------------------------------------------------------- caltech_categories


def test_caltech_categories_merge_cars_and_skip_non_images(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("caltech_categories", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    counts = {name: 0 for name in caltech_categories.CLASS_NAMES}
    for example in examples:
        counts[caltech_categories.CLASS_NAMES[example.label]] += 1
        assert _member(example).startswith("image_")  # README and *.mat skipped
        archive = example.name.split(":")[0]
        assert (archive == "motorbikes_side.tar") == (example.label == 1)
    assert counts == {"car": 5 + 7, "motorcycle": 9}


def test_caltech_categories_missing_inner_tar_is_a_layout_error(tmp_path: Path) -> None:
    prepared("caltech_categories", tmp_path)
    (tmp_path / "extracted" / "Cars_1999.zip" / "Cars_1999" / "cars_markus.tar").unlink()
    with pytest.raises(LayoutError, match=r"cars_markus\.tar.*Cars_1999\.zip"):
        converted("caltech_categories", tmp_path)


# ---------------------------------------------------------------------------------- uiuc_cars


def test_uiuc_cars_labels_and_the_test_images_quirk(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("uiuc_cars", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    members = [_member(e) for e in examples]
    assert not any("TestImages_Scale" in m or m.endswith(".txt") for m in members)
    assert len(examples) == 28 + 3
    for example, member in zip(examples, members, strict=True):
        assert example.label == (1 if "/pos-" in member else 0)
    # The single-scale test images are kept and labelled neg, as the reference does.
    assert sorted(m for m, e in zip(members, examples, strict=True) if "TestImages/" in m) == [
        f"CarData/TestImages/test-{i}.pgm" for i in range(3)
    ]


# --------------------------------------------------------------------------------------- aloi


def test_aloi_pools_by_tar_and_labels_by_object(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aloi", tmp_path)
    pool = [e for s in ("train", "dev", "dev_test") for e in splits[s]]
    assert len(pool) == 3 * (2 + 6) and len(splits["test"]) == 3 * 4
    assert {e.name.split(":")[0] for e in splits["test"]} == {"aloi_red4_ill.tar"}
    assert {e.name.split(":")[0] for e in pool} == {"aloi_red4_col.tar", "aloi_red4_view.tar"}
    for example in pool + splits["test"]:
        assert example.label == int(_member(example).split("/")[1]) - 1
    assert 999 in {e.label for e in splits["test"]}
    # T3 over col then view, each in tar order.
    order = [f"png4/{o}/{o}_i{t}.png" for o in (1, 2, 1000) for t in (110, 250)]
    order += [f"png4/{o}/{o}_r{a}.png" for o in (1, 2, 1000) for a in range(0, 30, 5)]
    expected = random_split(order, FRACTIONS_TRAIN)
    assert {s: [_member(e) for e in splits[s]] for s in expected} == expected


def test_aloi_missing_tar_is_a_layout_error(tmp_path: Path) -> None:
    aloi.make_fixture(tmp_path)
    (tmp_path / "aloi_red4_view.tar").unlink()
    with pytest.raises(LayoutError, match=r"aloi_red4_view\.tar"):
        converted("aloi", tmp_path)


def test_streamed_member_decodes_to_the_fixture_image(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aloi", tmp_path)
    example = splits["test"][0]
    assert _member(example) == "png4/1/1_l1c1.png"
    decoded = np.asarray(Image.open(io.BytesIO(example.image)))
    assert np.array_equal(decoded, fixture_image(1, 9, 12))
