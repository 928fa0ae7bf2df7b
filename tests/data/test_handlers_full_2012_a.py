"""Rules of the batch full_2012_a handlers: UMD, KTH-TIPS (3), UIUC texture, CVC-MUSCIMA, IAPR TC-12,
sketch, Wikipaintings style, MIT scenes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from handler_fixtures import materialise, prepared, rewrite_zip

from nevisbench.data.handlers import (
    _kth_tips,
    cvc_muscima,
    iaprtc12,
    mit_scenes,
    sketch,
    uiuc_texture,
    umd,
    wiki_paintings_style,
)
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.data.store import write_dataset

# ------------------------------------------------------------------------------------------ KTH-TIPS


def test_kth_material_is_the_folder_above_sample() -> None:
    assert _kth_tips.material_of("KTH-TIPS2-a/wool/sample_a/22a-scale_10_im_10_col.png") == "wool"
    assert _kth_tips.material_of("KTH_TIPS/linen/44-scale_3_im_1_col.png") == "linen"


@pytest.mark.parametrize("name", ["kth_tips", "kth_tips_2a", "kth_tips_2b"])
def test_kth_labels_follow_the_material_folder(name: str, tmp_path: Path) -> None:
    spec = get_dataset(name)
    raw = prepared(name, tmp_path / "raw")
    splits = spec.convert(raw)
    examples = sorted((e for split in splits.values() for e in split), key=lambda e: e.name)
    samples = 4 if name != "kth_tips" else 1
    # Only PNGs count (the fixture's Thumbs.db does not).
    assert len(examples) == spec.num_classes * samples * 3
    for example in examples:
        assert spec.class_names[example.label] == _kth_tips.material_of(example.name)
    expected = random_split(sorted(e.name for e in examples), FRACTIONS_ALL_DATA)
    assert {split: [e.name for e in chosen] for split, chosen in splits.items()} == expected


def test_kth_refuses_other_material_folders(tmp_path: Path) -> None:
    raw = prepared("kth_tips", tmp_path / "raw")
    top = next((raw / "extracted" / "kth_tips_col_200x200.tar").iterdir())
    (top / "cotton").rename(top / "silk")
    with pytest.raises(LayoutError, match="silk"):
        get_dataset("kth_tips").convert(raw)


# ----------------------------------------------------------------------------------------------- UMD


def test_umd_label_is_folder_number_minus_one(tmp_path: Path) -> None:
    raw = prepared("umd", tmp_path / "raw")
    examples = umd.examples(raw)
    assert len(examples) == 25 * 2  # Thumbs.db left out
    for example in examples:
        assert example.label == int(example.name.split("/")[-2]) - 1
    # textures-1 is read before textures-2, each in sorted member order.
    assert [e.name.split("/")[0] for e in examples] == ["textures-1.zip"] * 24 + [
        "textures-2.zip"
    ] * 26
    assert umd.convert(raw)["test"] == random_split(examples, FRACTIONS_ALL_DATA)["test"]


def test_umd_refuses_a_non_numeric_folder(tmp_path: Path) -> None:
    raw = prepared("umd", tmp_path / "raw")
    stray = raw / "extracted" / "textures-2.zip" / "textures-2" / "extra" / "x.png"
    stray.parent.mkdir()
    stray.write_bytes(encode_image(fixture_image(0, channels=1)))
    with pytest.raises(LayoutError, match="extra/x.png"):
        umd.convert(raw)


# -------------------------------------------------------------------------------------- UIUC texture


def test_uiuc_labels_are_sorted_folder_indices(tmp_path: Path) -> None:
    raw = prepared("uiuc_texture", tmp_path / "raw")
    examples = uiuc_texture.examples(raw)
    assert len(examples) == 50
    for example in examples:
        folder = example.name.split("/")[1]
        assert uiuc_texture.CLASS_NAMES[example.label] == folder
        assert example.label == int(folder[1:3]) - 1
    assert list(uiuc_texture.CLASS_NAMES) == sorted(uiuc_texture.CLASS_NAMES)


def test_uiuc_missing_archive_names_it(tmp_path: Path) -> None:
    raw = prepared("uiuc_texture", tmp_path / "raw")
    import shutil

    shutil.rmtree(raw / "extracted" / "T16-T20.zip")
    with pytest.raises(LayoutError, match="T16-T20.zip"):
        uiuc_texture.convert(raw)


# -------------------------------------------------------------------------------------------- sketch


def test_sketch_uses_the_reference_label_order(tmp_path: Path) -> None:
    raw = prepared("sketch", tmp_path / "raw")
    examples = sketch.examples(raw)
    assert len(examples) == 12 * 3  # filelist.txt is not an example
    by_folder = {e.name.split("/")[1]: e.label for e in examples}
    assert by_folder["snail"] == 0
    assert by_folder["crane (machine)"] == 2
    assert by_folder["lighter"] == 249
    assert [e.name for e in examples] == sorted(e.name for e in examples)


# --------------------------------------------------------------------------------------- CVC-MUSCIMA


def test_cvc_muscima_partition_and_labels(tmp_path: Path) -> None:
    raw = prepared("cvc_muscima", tmp_path / "raw")
    splits = materialise(cvc_muscima.convert(raw))
    test = splits["test"]
    pool = splits["train"] + splits["dev"] + splits["dev_test"]
    assert len(test) == 6 and len(pool) == 24
    assert all(e.name.endswith("p005.png") for e in test)
    # Only the grey version is read.
    assert all(e.name.startswith("CVCMUSCIMA_WI/PNG_GT_Gray/") for e in test + pool)
    for example in test + pool:
        assert cvc_muscima.CLASS_NAMES[example.label] == example.name.split("/")[-2]
        assert isinstance(example.image, bytes)
    assert cvc_muscima.CLASS_NAMES.index("w-23") == 0


def test_cvc_muscima_missing_partition_list_is_named(tmp_path: Path) -> None:
    raw = prepared("cvc_muscima", tmp_path / "raw")
    rewrite_zip(raw / cvc_muscima.PARTITIONS, {cvc_muscima.TEST_LIST: None})
    with pytest.raises(LayoutError, match="set_2_testing_01.txt"):
        cvc_muscima.convert(raw)


# ---------------------------------------------------------------------------------------- IAPR TC-12


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


# ---------------------------------------------------------------------------------------- MIT scenes


def test_mit_scenes_official_lists(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    splits = materialise(mit_scenes.convert(raw))
    assert [e.name for e in splits["test"]] == [
        f"indoorCVPR_09/Images/{c}/img_{k}3.jpg"
        for k, c in enumerate(
            ("office", "stairscase", "church_inside", "airport_inside", "computerroom")
        )
    ]
    pool = mit_scenes.parse_list(
        zipfile.ZipFile(raw / mit_scenes.ARCHIVE).read(mit_scenes.TRAIN_LIST), "TrainImages.txt"
    )
    expected = random_split(
        [name for name, _ in pool], {"train": 0.7, "dev": 0.15, "dev_test": 0.15}
    )
    for split, names in expected.items():
        assert [e.name for e in splits[split]] == names
    for example in splits["test"]:
        assert mit_scenes.CLASS_NAMES[example.label] == example.name.split("/")[2]
    assert mit_scenes.CLASS_NAMES.index("stairscase") == 2


def test_mit_scenes_missing_listed_image_is_named(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    rewrite_zip(raw / mit_scenes.ARCHIVE, {"indoorCVPR_09/Images/office/img_01.jpg": None})
    with pytest.raises(LayoutError, match="office/img_01.jpg"):
        mit_scenes.convert(raw)


def test_mit_scenes_unknown_category_is_refused(tmp_path: Path) -> None:
    raw = prepared("mit_scenes", tmp_path / "raw")
    rewrite_zip(raw / mit_scenes.ARCHIVE, {mit_scenes.TEST_LIST: b"spaceship/x.jpg"})
    with pytest.raises(LayoutError, match="spaceship"):
        mit_scenes.convert(raw)


# ------------------------------------------------------------------------------------ Wikipaintings


def test_wiki_csv_loses_its_first_row_like_pandas() -> None:
    data = b"Impressionism/a.jpg,12\nBaroque/b.jpg,4\n\nUkiyo_e/c.jpg,26\n"
    assert wiki_paintings_style.parse_csv(data, "style_train.csv") == [
        ("wikiart/Baroque/b.jpg", 4),
        ("wikiart/Ukiyo_e/c.jpg", 26),
    ]
    with pytest.raises(LayoutError, match="style_val.csv"):
        wiki_paintings_style.parse_csv(b"x.jpg,1\ny.jpg,27\n", "style_val.csv")


def test_wiki_splits_and_missing_image_counted(tmp_path: Path, home: Path) -> None:
    spec = get_dataset("wiki_paintings_style")
    raw = prepared("wiki_paintings_style", tmp_path / "raw")
    splits = materialise(spec.convert(raw))
    # 24 training rows and 6 validation rows, less each file's first (header) row.
    assert len(splits["test"]) == 5
    assert sum(len(splits[s]) for s in ("train", "dev", "dev_test")) == 23
    names = [e.name for e in splits["test"]]
    assert "wikiart/Abstract_Expressionism/artist-0_painting-4.jpg" not in names
    assert "wikiart/Art_Nouveau_Modern/artist-1_painting-4.jpg" in names
    # A listed painting missing from the zip is counted as corrupt, not fatal.
    gone = splits["train"][0].name
    rewrite_zip(raw / wiki_paintings_style.IMAGES, {gone: None})
    stored = write_dataset(spec, spec.convert(raw), home / "datasets" / spec.id)
    corrupt = stored.meta["corrupt_images"]["train"]
    assert corrupt["count"] == 1 and corrupt["names"][0].startswith(gone)


def test_wiki_missing_csv_is_named(tmp_path: Path) -> None:
    raw = prepared("wiki_paintings_style", tmp_path / "raw")
    path = raw / wiki_paintings_style.CSVS
    with zipfile.ZipFile(path) as archive:
        keep = {"style_train.csv": archive.read("style_train.csv")}
    path.unlink()
    write_zip(path, keep)
    with pytest.raises(LayoutError, match="style_val.csv"):
        wiki_paintings_style.convert(raw)


def test_fixture_images_decode(tmp_path: Path) -> None:
    # The streamed handlers hand the store encoded bytes; they must be real images.
    from PIL import Image

    raw = prepared("cvc_muscima", tmp_path / "raw")
    example = next(iter(cvc_muscima.convert(raw)["test"]))
    with Image.open(io.BytesIO(example.image)) as image:
        assert image.mode == "L"
