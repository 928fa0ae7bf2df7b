"""Handlers of batch full_2018_a: label rules, custom splits and layout errors on their fixtures."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, needs_rar, prepared_and_converted

from nevisbench.data.handlers import _tid, casia_hwdb, mall, melanoma, trancos, usps
from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._buckets import count_buckets
from nevisbench.data.handlers._fixtures import write_rar, write_tar, write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import Example, extracted_dir, get_dataset


def _convert(name: str, raw: Path) -> dict[str, list[Example]]:
    """Unpacks the artefacts already in ``raw`` (a fixture or a handmade layout) and converts."""
    unpack_artefacts(get_dataset(name), raw)
    return converted(name, raw)


def _names(out: dict[str, list[Example]], *splits: str) -> set[str]:
    return {example.name for split in splits for example in out[split]}


# -------------------------------------------------------------------------------------------- TID


def test_tid_buckets_are_equal_count_and_ties_go_to_the_lower_bucket() -> None:
    assert _tid.bucket_labels([0.9, 0.1, 0.5, 0.3, 0.7]) == [4, 0, 2, 1, 3]
    # Sorted: 1 2 3 | 3 4 5 → a 3 straddles the cut, so both 3s go to bucket 0.
    assert _tid.bucket_labels([3, 1, 2, 3, 5, 4], 2) == [0, 0, 0, 0, 1, 1]


@needs_rar
@pytest.mark.parametrize("year", [2008, 2013])
def test_tid_labels_follow_the_score_file_and_skip_reference_images(
    year: int, tmp_path: Path
) -> None:
    raw, out = prepared_and_converted(f"tid{year}", tmp_path / "raw")
    labels = dict(
        zip(_tid.image_names(year), _tid.bucket_labels(_tid.fixture_scores(year)), strict=True)
    )
    seen = [example for split in SPLITS for example in out[split]]
    assert len(seen) == 40  # the 40 distorted images; I01.BMP has no score
    for example in seen:
        assert example.label == labels[Path(example.name).name.lower()]
    assert any(Path(e.name).name.isupper() for e in seen)  # capitalised names are matched too
    assert {Path(e.name).name.lower() for e in seen} == set(_tid.image_names(year)[:40])


@needs_rar
def test_tid_missing_score_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_rar(raw / "tid2008.rar", {"distorted_images/i01_01_1.bmp": b"x"})
    with pytest.raises(LayoutError, match=r"MSSIM\.TXT.*tid2008\.rar"):
        _convert("tid2008", raw)


def test_handmade_rar_reads_back(tmp_path: Path) -> None:
    rarfile = pytest.importorskip("rarfile")
    write_rar(tmp_path / "a.rar", {"x/y.txt": b"hello", "z.bin": bytes(range(256))})
    with rarfile.RarFile(tmp_path / "a.rar") as archive:
        assert archive.read("x/y.txt") == b"hello"
        assert archive.read("z.bin") == bytes(range(256))


# ------------------------------------------------------------------------------- USPS and Semeion


def test_usps_line_maps_values_and_labels_like_the_reference() -> None:
    pixels = " ".join(f"{k + 1}:{v}" for k, v in enumerate([-1.0, 1.0, 0.0] + [-1.0] * 253))
    image, label = usps.parse_line(f"1 {pixels} ", "test")
    assert label == 0 and image.shape == (16, 16)
    assert image.ravel()[:3].tolist() == [0, 255, 127]  # 127.5 truncated


def test_usps_test_split_is_the_official_test_file(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("usps", tmp_path / "raw")
    assert len(out["test"]) == 6 and all(e.name.startswith("usps.t.bz2") for e in out["test"])
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 30
    assert [e.label for e in out["test"]] == [(100 + k) % 10 for k in range(6)]
    (raw / "usps.t.bz2").write_bytes(bz2.compress(b"3 1:0.5 300:1 \n"))
    with pytest.raises(ValueError, match="pixel index 300"):
        _convert("usps", raw)


def test_semeion_one_hot_label_and_binary_pixels(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("semeion", tmp_path / "raw")
    examples = sorted((e for s in SPLITS for e in out[s]), key=lambda e: int(e.name.split(":")[1]))
    assert [e.label for e in examples] == [k % 10 for k in range(40)]
    assert set(np.unique(examples[0].image)) <= {0, 255}


# ----------------------------------------------------------------------- de-duplicated R4 datasets


def test_mnist_m_labels_each_image_from_its_own_folder_and_drops_duplicates(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("mnist_m", tmp_path / "raw")
    by_name = {e.name: e.label for s in SPLITS for e in out[s]}
    assert len(by_name) == 30 + 12 - 1  # train image 5 repeats train image 4
    assert "mnist_m/mnist_m_train/00000005.png" not in by_name
    # 00000001.png is in both folders with different labels; each keeps its own.
    assert by_name["mnist_m/mnist_m_train/00000001.png"] == 3
    assert by_name["mnist_m/mnist_m_test/00000001.png"] == (500 + 3) % 10


def test_not_mnist_uses_the_small_set_without_skipped_files_or_duplicates(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("not_mnist", tmp_path / "raw")
    names = _names(out, *SPLITS)
    assert len(names) == 40
    assert not any("notMNIST_large" in n or "zz_duplicate" in n or "==" in n for n in names)
    assert all(
        e.label == "ABCDEFGHIJ".index(Path(e.name).parent.name) for s in SPLITS for e in out[s]
    )


def test_pacs_holds_sketch_out_for_dev_test_and_test(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("pacs", tmp_path / "raw")
    assert all("/sketch/" in n for n in _names(out, "dev_test", "test"))
    assert not any("/sketch/" in n for n in _names(out, "train", "dev"))
    assert len(_names(out, "train", "dev")) == 3 * 14  # the duplicate photo is dropped
    assert len(_names(out, "dev_test", "test")) == 14
    assert all(e.label == 0 for s in SPLITS for e in out[s] if "/dog/" in e.name)


def test_office_caltech_10_trains_on_office_and_tests_on_caltech(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("office_caltech_10", tmp_path / "raw")
    assert len(_names(out, "train", "dev")) == 30 and len(_names(out, "dev_test", "test")) == 20
    assert all(n.split("/")[1] == "images" for n in _names(out, "train", "dev"))
    assert all(n.startswith("256_ObjectCategories/") for n in _names(out, "dev_test", "test"))
    labels = {e.name: e.label for s in SPLITS for e in out[s]}
    assert labels["256_ObjectCategories/004.touring-bike/004_0002.jpg"] == 1
    assert labels["amazon/images/back_pack/frame_0001.jpg"] == 0
    assert not any("ruler" in n or "clutter" in n for n in labels)


# ------------------------------------------------------------------ official-split custom datasets


def test_caltech_camera_traps_splits_by_annotation_file(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("caltech_camera_traps", tmp_path / "raw")
    assert len(out["train"]) + len(out["dev"]) == 24
    assert len(out["dev_test"]) == 6 and len(out["test"]) == 6
    # The fixture labels set k's image j as class (3k + j) % 16.
    assert [e.label for e in out["dev_test"]] == [(3 + j) % 16 for j in range(6)]


def test_caltech_camera_traps_missing_annotation_file_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    get_dataset("caltech_camera_traps").make_fixture(raw)
    members = read_members(raw / "eccv_18_annotations.tar.gz", "caltech_camera_traps")
    del members["eccv_18_annotation_files/trans_test_annotations.json"]
    write_tar(raw / "eccv_18_annotations.tar.gz", members)
    with pytest.raises(LayoutError, match="trans_test_annotations.json"):
        _convert("caltech_camera_traps", raw)


def test_caltech_camera_traps_last_annotation_wins_and_unknown_class_fails() -> None:
    from nevisbench.data.handlers.caltech_camera_traps import parse_annotations

    coco = {
        "categories": [{"id": 1, "name": "deer"}, {"id": 2, "name": "fox"}],
        "annotations": [{"image_id": "a", "category_id": 1}, {"image_id": "a", "category_id": 2}],
    }
    assert parse_annotations(json.dumps(coco).encode(), "x") == {"a": 15}
    coco["categories"][0]["name"] = "unicorn"
    with pytest.raises(LayoutError, match="unicorn"):
        parse_annotations(json.dumps(coco).encode(), "x")


def test_melanoma_labels_and_seeded_train_dev_cut(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("melanoma", tmp_path / "raw")
    sizes = [len(out[split]) for split in SPLITS]
    assert sizes == [16, 4, 5, 5]
    assert all(not e.name.endswith("superpixels.png") for s in SPLITS for e in out[s])
    labels = {Path(e.name).stem: e.label for s in SPLITS for e in out[s]}
    assert [labels[f"ISIC_{k:07d}"] for k in range(6)] == [0, 1, 2, 0, 1, 2]
    # The cut is a numpy default_rng(1) permutation of the CSV rows.
    pairs = [(f"p{k}", k % 3) for k in range(10)]
    order = np.random.default_rng(1).permutation(len(pairs))
    assert melanoma.train_dev_paths(pairs)[0] == {f"p{k}" for k in order[:8]}
    with pytest.raises(ValueError, match="two classes"):
        melanoma.parse_ground_truth("id,m,s\nISIC_1,1.0,1.0\n", "x", "gt.csv")


def test_tiny_imagenet_labels_from_prefix_and_val_annotations(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("tiny_imagenet", tmp_path / "raw")
    names = get_dataset("tiny_imagenet").class_names
    for split in ("train", "dev", "dev_test"):
        for e in out[split]:
            assert names[e.label] == Path(e.name).name.split("_")[0]
    assert [e.label for e in out["test"]] == [(11 * k) % 200 for k in range(6)]
    assert not any("/test/" in e.name for s in SPLITS for e in out[s])
    (extracted_dir(raw, "tiny-imagenet-200.zip") / "tiny-imagenet-200/wnids.txt").write_text("n0\n")
    with pytest.raises(LayoutError, match="wnids.txt"):
        _convert("tiny_imagenet", raw)


def test_casia_labels_symbols_by_code_then_level1_hanzi(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("casia_hwdb", tmp_path / "raw")
    spec = get_dataset("casia_hwdb")
    assert spec.num_classes == 3926 and spec.class_names[171] == "啊"
    test = out["test"]
    assert len(test) == 11 + 10
    symbols = casia_hwdb.fixture_symbol_codes()
    assert [e.label for e in test[:11]] == list(range(160, 171))
    assert [e.label for e in test[11:]] == [171 + k for k in range(5, 15)]
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 160 + 30
    # Pixels are inverted: a record of 255s (paper) becomes 0s.
    record = casia_hwdb.gnt_record(symbols[0], np.full((2, 3), 255, np.uint8))
    ((code, width, height, offset),) = casia_hwdb.parse_gnt(record, "x")
    assert (code, width, height, offset) == (symbols[0], 3, 2, 10)


def test_casia_requires_171_symbol_codes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    get_dataset("casia_hwdb").make_fixture(raw)
    write_zip(raw / "Gnt1.1Test.zip", {"1241-c.gnt": b""})  # drops symbols 160..170
    with pytest.raises(LayoutError, match="171 distinct symbol codes"):
        _convert("casia_hwdb", raw)


# -------------------------------------------------------------------------------- count buckets


def test_count_buckets_follow_the_reference_walk() -> None:
    # Counts 0..19 once each: boundary k = last count with cumulative < 2k, i.e. 2k - 2; the walk
    # steps up one label per count past the current boundary.
    table = count_buckets(list(range(20)), 25, "trancos")
    assert (
        table[:17] == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8] and table[17:] == [9] * 8
    )
    with pytest.raises(ValueError, match="too concentrated"):
        count_buckets([0] * 10, 20, "trancos")


def test_trancos_labels_are_buckets_of_dot_counts_and_sets_are_official(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("trancos", tmp_path / "raw")
    counts = [(k * 13) % 37 for k in range(40)]
    table = count_buckets(counts, trancos.MAX_COUNT, "trancos")
    for split in SPLITS:
        for e in out[split]:
            k = int(Path(e.name).stem.split("-")[2])
            assert e.label == table[counts[k]]
    assert len(out["dev_test"]) == 8 and len(out["test"]) == 8
    assert trancos.count_lines(b"1 2\n3 4") == 2 and trancos.count_lines(b"") == 0


def test_mall_frame_split_is_the_seeded_permutation(tmp_path: Path) -> None:
    parts = mall.frame_splits()
    assert [len(parts[s]) for s in SPLITS] == [560, 120, 120, 1200]
    assert set().union(*parts.values()) == set(range(1, 2001))
    order = (np.random.default_rng(1).permutation(800) + 1).tolist()
    assert parts["dev_test"] == set(order[680:])
    raw, out = prepared_and_converted("mall", tmp_path / "raw")
    for split in SPLITS:
        assert {int(Path(e.name).stem[4:]) for e in out[split]} <= parts[split]
        assert len(out[split]) == 10
