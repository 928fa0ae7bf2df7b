"""Batch full_2018_b: the custom rules of food101, mnist_rotation, awa2, food101n, shanghai_tech,
animal_web, biwi, the chest X-ray handlers, path_mnist, nih_chest_xray, ddsm, synthetic_covid19_xray."""

from __future__ import annotations

import math
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, example_names, needs_rar, prepared_and_converted

from nevisbench.data.handlers import (
    animal_web,
    awa2,
    biwi,
    covid_19_xray,
    ddsm,
    food101,
    food101n,
    mnist_rotation,
    nih_chest_xray,
    path_mnist,
    pneumonia_chest_xray,
    shanghai_tech,
    synthetic_covid19_xray,
    tubercolosis,
)
from nevisbench.data.handlers._buckets import count_buckets
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split

# ------------------------------------------------------------------------------------------- BIWI


@pytest.mark.parametrize(
    "angles", [(10.0, -20.0, 5.0), (-75.0, 30.0, -40.0), (170.0, 10.0, 100.0), (0.0, 0.0, 0.0)]
)
def test_biwi_angles_come_back_from_the_rotation(angles: tuple[float, float, float]) -> None:
    # R = R_x(roll)·R_y(pitch)·R_z(yaw) (pyquaternion's yaw_pitch_roll convention).
    yaw, pitch, roll = angles
    got = biwi.yaw_pitch_roll(biwi._rotation(yaw, pitch, roll))
    assert got == pytest.approx(angles, abs=1e-9)


def test_biwi_quaternion_is_unit_and_rotates_like_the_matrix() -> None:
    rotation = biwi._rotation(33.0, -12.0, 71.0)
    w, x, y, z = biwi.quaternion(rotation)
    assert math.isclose(w * w + x * x + y * y + z * z, 1.0, abs_tol=1e-12)
    # The rotation matrix of (w, x, y, z), column-vector convention.
    rebuilt = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    np.testing.assert_allclose(rebuilt, rotation, atol=1e-12)


def test_biwi_bins_are_equal_frequency_and_the_maximum_is_in_the_last_bin() -> None:
    values = np.array([5.0, 1.0, 3.0, 2.0, 4.0, 9.0, 7.0, 8.0, 6.0, 10.0])
    edges = biwi.equal_frequency_edges(values)
    assert edges[0] == 1.0 and edges[-1] == 10.0
    bins = [biwi.bin_of(v, edges) for v in values]
    assert bins[values.argmax()] == 4 and bins[values.argmin()] == 0
    assert np.bincount(bins, minlength=5).tolist() == [2, 2, 2, 2, 2]
    labels = biwi.labels_of([(v, -v, 2 * v) for v in values])
    for row, v in zip(labels, values, strict=True):
        yaw_bin = biwi.bin_of(v, edges)
        assert row == [yaw_bin, 5 + (4 - yaw_bin), 10 + yaw_bin]


def test_biwi_splits_keep_subjects_apart_and_label_each_angle_once(tmp_path: Path) -> None:
    _, out = prepared_and_converted(biwi, tmp_path / "raw")
    poses = biwi.fixture_poses()
    for split in SPLITS:
        subjects = {int(example.name.split("/")[1]) for example in out[split]}
        assert subjects and subjects <= set(biwi.SUBJECTS[split])
        for example in out[split]:
            assert example.name in poses  # rgb images only, no depth masks
            groups = [label // 5 for label in example.label]
            assert groups == [0, 1, 2]
    every = [example for split in SPLITS for example in out[split]]
    assert len(every) == len(poses)
    # The fixture's largest yaw is in the last yaw bin.
    top = max(poses, key=lambda name: poses[name][0])
    assert next(e for e in every if e.name == top).label[0] == 4


def test_biwi_bad_pose_file_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    biwi.make_fixture(raw)
    unpack_artefacts(biwi.SPEC, raw)
    pose = extracted_dir(raw, biwi._FILE) / "faces_0/02/frame_00004_pose.txt"
    pose.write_text("1 0\n0 1\n")
    with pytest.raises(LayoutError, match="frame_00004_pose.txt"):
        biwi.convert(raw)


# ---------------------------------------------------------------------------------- ShanghaiTech


def test_shanghai_image_of_maps_ground_truth_to_image() -> None:
    assert (
        shanghai_tech.image_of("ShanghaiTech/part_A/train_data/ground-truth/GT_IMG_12.mat")
        == "ShanghaiTech/part_A/train_data/images/IMG_12.jpg"
    )


def test_shanghai_buckets_are_ordered_and_about_equal() -> None:
    counts = list(range(1, 101))
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    assigned = [labels[c] for c in counts]
    assert assigned == sorted(assigned)
    # Boundary k is the last count whose cumulative frequency is strictly below 10k: 9, 19, …, 89.
    assert np.bincount(assigned).tolist() == [9] + [10] * 8 + [11]
    assert labels[9] == 0 and labels[10] == 1 and labels[89] == 8 and labels[90] == 9
    assert labels[4999] == 9


def test_shanghai_buckets_follow_the_reference_walk() -> None:
    # 20 images, 2 per bucket: the cumulative frequency reaches 2 at count 1, so boundary 1 is count
    # 0 and bucket 0 holds only count 0 (the reference's strict inequality); the shift carries on.
    counts = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 50, 60]
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    assert [labels[c] for c in (0, 1, 2, 3, 8, 9, 50, 60)] == [0, 1, 2, 3, 8, 9, 9, 9]


def test_shanghai_split_is_the_seed_one_permutation(tmp_path: Path) -> None:
    files = [f"f{k}" for k in range(20)]
    parts = shanghai_tech.split_training(files)
    order = np.random.default_rng(1).permutation(20).tolist()
    assert parts["train"] == [files[i] for i in order[:14]]
    assert parts["dev"] == [files[i] for i in order[14:17]]
    assert parts["dev_test"] == [files[i] for i in order[17:]]


def test_shanghai_fixture_labels_and_test_split(tmp_path: Path) -> None:
    _, out = prepared_and_converted(shanghai_tech, tmp_path / "raw")
    counts = shanghai_tech.fixture_counts()
    labels = count_buckets(counts, shanghai_tech.MAX_COUNT, "shanghai_tech")
    expected = {}
    for k, count in enumerate(counts):
        part = "part_A" if k % 2 == 0 else "part_B"
        subset = "test_data" if k % 4 == 3 else "train_data"
        expected[f"ShanghaiTech/{part}/{subset}/images/IMG_{k + 1}.jpg"] = labels[count]
    for split in SPLITS:
        for example in out[split]:
            assert example.label == expected[example.name]
            assert ("test_data" in example.name) == (split == "test")
    assert sum(len(out[s]) for s in SPLITS) == len(counts)


# -------------------------------------------------------------------------------- MNIST rotation


def test_mnist_rotation_angles_are_the_global_seed_draws() -> None:
    np.random.seed(99_999)
    expected = [np.random.randint(0, high=360) for _ in range(3 * 7)]
    assert mnist_rotation.angles(7).reshape(-1).tolist() == expected


def test_mnist_rotation_rotates_train_pool_by_its_pass_and_leaves_test(tmp_path: Path) -> None:
    from nevisbench.data.handlers._idx import read_pair

    raw, out = prepared_and_converted(mnist_rotation, tmp_path / "raw")
    images, labels = read_pair(raw, "train", 10)
    test_images, _ = read_pair(raw, "t10k", 10)
    draws = mnist_rotation.angles(len(images))
    pool = random_split(range(len(images)), FRACTIONS_TRAIN)
    for split, passes in mnist_rotation.PASS.items():
        assert len(out[split]) == len(pool[split])
        for index, example in zip(pool[split], out[split], strict=True):
            angle = int(draws[passes][index])
            np.testing.assert_array_equal(
                example.image, mnist_rotation.rotate(images[index], angle)
            )
            assert example.label == labels[index]
    for index, example in enumerate(out["test"]):
        np.testing.assert_array_equal(example.image, test_images[index])


# ------------------------------------------------------------------------------ Food-101 / 101N


def test_food101_follows_the_tar_order_and_the_meta_lists(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(food101, tmp_path / "raw")
    root = extracted_dir(raw, food101._FILE)
    test_list = set((root / food101._TEST_LIST).read_text().split())
    with tarfile.open(raw / food101._FILE) as archive:
        order = [m.name for m in archive if m.isfile() and "/images/" in m.name]
    pool = [
        n for n in order if n.split("/", 2)[2].rsplit(".", 1)[0] not in test_list and "999" not in n
    ]
    assert pool != sorted(pool)  # the fixture's archive order is not sorted order
    assert (
        example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
        != pool
    )  # split, not copied
    assert sorted(
        example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
    ) == sorted(pool)
    drawn = random_split(pool, FRACTIONS_TRAIN)
    for split in ("train", "dev", "dev_test"):
        assert example_names(out[split]) == drawn[split]
    assert {n.split("/", 2)[2].rsplit(".", 1)[0] for n in example_names(out["test"])} == test_list
    for example in out["test"]:
        assert food101.CLASS_NAMES[example.label] == example.name.split("/")[2]


def test_food101n_lists_drop_header_and_last_piece() -> None:
    data = b"class_name/key\tverification_label\npizza/a.jpg\t1\nsushi/b.jpg\t0\n"
    assert food101n.listed(data) == {"pizza/a.jpg", "sushi/b.jpg"}
    # Without a final newline the last row is the dropped piece, as in the reference.
    assert food101n.listed(data.rstrip(b"\n")) == {"pizza/a.jpg"}


def test_food101n_uses_unverified_rows_and_zip_order(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(food101n, tmp_path / "raw")
    root = extracted_dir(raw, food101n._FILE)
    train = food101n.listed((root / food101n._TRAIN_TSV).read_bytes())
    rows = (root / food101n._TRAIN_TSV).read_text().splitlines()[1:]
    assert {r.split("\t")[1] for r in rows} == {"0", "1"}
    pool = example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
    assert {n.split("/", 2)[2] for n in pool} == train
    with zipfile.ZipFile(raw / food101n._FILE) as archive:
        order = [n for n in archive.namelist() if n.split("/", 2)[-1] in train]
    drawn = random_split(order, FRACTIONS_TRAIN)
    for split in ("train", "dev", "dev_test"):
        assert example_names(out[split]) == drawn[split]
    assert all(food101.CLASS_NAMES[e.label] == e.name.split("/")[2] for e in out["test"])


# ----------------------------------------------------------------------------------------- AwA2


def test_awa2_labels_are_class_attributes_and_test_is_unseen_classes(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(awa2, tmp_path / "raw")
    root = extracted_dir(raw, awa2._FILE) / awa2._TOP
    matrix = np.loadtxt(root / "predicate-matrix-binary.txt", dtype=int)
    classes = [line.split("\t")[2] for line in (root / "classes.txt").read_text().splitlines()]
    test_classes = set((root / "testclasses.txt").read_text().split())
    for split in SPLITS:
        for example in out[split]:
            animal = example.name.split("/")[2]
            assert (animal in test_classes) == (split == "test")
            assert example.label == np.flatnonzero(matrix[classes.index(animal)]).tolist()


def test_awa2_missing_classes_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    awa2.make_fixture(raw)
    unpack_artefacts(awa2.SPEC, raw)
    (extracted_dir(raw, awa2._FILE) / awa2._TOP / "classes.txt").unlink()
    with pytest.raises(LayoutError, match="classes.txt"):
        awa2.convert(raw)


# ---------------------------------------------------------------------------- chest X-ray family


def test_pneumonia_reads_the_inner_copy_and_official_val_is_dev_test(tmp_path: Path) -> None:
    _, out = prepared_and_converted(pneumonia_chest_xray, tmp_path / "raw")
    for split, folder in (
        ("train", "train"),
        ("dev", "train"),
        ("dev_test", "val"),
        ("test", "test"),
    ):
        for example in out[split]:
            assert example.name.startswith(f"chest_xray/chest_xray/{folder}/")
    assert (
        len(out["train"]) + len(out["dev"]) == 24
        and len(out["dev_test"]) == 4
        and len(out["test"]) == 4
    )
    assert all(
        pneumonia_chest_xray.CLASS_NAMES[e.label] == e.name.split("/")[3]
        for s in SPLITS
        for e in out[s]
    )


def test_tubercolosis_unknown_class_folder_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    tubercolosis.make_fixture(raw)
    unpack_artefacts(tubercolosis.SPEC, raw)
    stray = extracted_dir(raw, tubercolosis._FILE) / tubercolosis._TOP / "Other" / "x.png"
    stray.parent.mkdir()
    stray.write_bytes(b"")
    with pytest.raises(LayoutError, match="Other"):
        tubercolosis.convert(raw)


@pytest.mark.parametrize(
    ("module", "total"), [(covid_19_xray, 44), pytest.param(animal_web, 40, marks=needs_rar)]
)
def test_duplicates_are_dropped_before_the_split(module, total: int, tmp_path: Path) -> None:
    # Each fixture adds exact copies of earlier images under new names (same class).
    _, out = prepared_and_converted(module, tmp_path / "raw")
    names = [n for s in SPLITS for n in example_names(out[s])]
    assert len(names) == total
    assert not any("900" in name for name in names)


def test_covid_later_layout_reads_images_and_skips_masks(tmp_path: Path) -> None:
    relative = Path("COVID-19_Radiography_Dataset/COVID/images/COVID-1.png")
    assert covid_19_xray._class_folder(relative) == "COVID"
    assert covid_19_xray._class_folder(Path("X/Normal/masks/Normal-1.png")) is None
    assert covid_19_xray._class_folder(Path("X/Viral Pneumonia/V-1.png")) == "Viral Pneumonia"


@needs_rar
def test_animal_web_labels_by_file_name_prefix(tmp_path: Path) -> None:
    _, out = prepared_and_converted(animal_web, tmp_path / "raw")
    for split in SPLITS:
        for example in out[split]:
            assert animal_web.CLASS_NAMES[example.label] == Path(example.name).name.split("_")[0]
    assert animal_web.label_name("bighornsheep_12.jpg") == "bighornsheep"


def test_synthetic_covid_labels_by_zip_folder(tmp_path: Path) -> None:
    _, out = prepared_and_converted(synthetic_covid19_xray, tmp_path / "raw")
    every = [e for s in SPLITS for e in out[s]]
    assert len(every) == 36
    assert all(e.label == (0 if e.name.startswith("G1/") else 1) for e in every)


# ----------------------------------------------------------------------------------- Path MNIST


def test_path_mnist_rebuilds_images_from_the_csv_columns() -> None:
    images = np.stack(
        [np.arange(28 * 28 * 3, dtype=np.int64).reshape(28, 28, 3) % 256 for _ in range(2)]
    )
    images[1] = 255 - images[1]
    parsed, labels = path_mnist.parse_csv(
        path_mnist.fixture_csv(images.astype(np.uint8), np.array([1, 8]))
    )
    np.testing.assert_array_equal(parsed, images)
    assert labels.tolist() == [0, 7]
    # pixel0001 is the green value of the top-left pixel.
    assert parsed[0, 0, 0, 1] == 1 and parsed[0, 0, 1, 0] == 3


def test_path_mnist_missing_label_column_is_a_layout_error() -> None:
    header = ",".join(f'"pixel{i:04d}"' for i in range(28 * 28 * 3))
    with pytest.raises(LayoutError, match="label"):
        path_mnist.parse_csv((header + "\n" + ",".join(["0"] * (28 * 28 * 3)) + "\n").encode())


# ------------------------------------------------------------------------------------ NIH chest


def test_nih_multi_labels_and_official_lists(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(nih_chest_xray, tmp_path / "raw")
    root = extracted_dir(raw, nih_chest_xray._FILE)
    labels = nih_chest_xray.parse_labels((root / "Data_Entry_2017.csv").read_bytes())
    test_names = set((root / "test_list.txt").read_text().split())
    for split in SPLITS:
        for example in out[split]:
            name = Path(example.name).name
            assert example.label == labels[name]
            assert (name in test_names) == (split == "test")
    assert labels["00000001_000.png"] == [14]  # No Finding
    assert len(labels["00000001_002.png"]) == 2
    assert sum(len(out[s]) for s in SPLITS) == 40


def test_nih_missing_label_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    nih_chest_xray.make_fixture(raw)
    unpack_artefacts(nih_chest_xray.SPEC, raw)
    (extracted_dir(raw, nih_chest_xray._FILE) / "Data_Entry_2017.csv").unlink()
    with pytest.raises(LayoutError, match="Data_Entry_2017.csv"):
        nih_chest_xray.convert(raw)


# ------------------------------------------------------------------------------------------ DDSM


def test_ddsm_full_images_once_with_first_pathology(tmp_path: Path) -> None:
    _, out = prepared_and_converted(ddsm, tmp_path / "raw")
    every = {e.name: (split, e.label) for split in SPLITS for e in out[split]}
    assert len(every) == 34  # one per full mammogram; the cropped images are never used
    assert all(name.startswith("jpeg/1.3.6.1.4.1.9590.100.1.2.1") for name in every)
    for k in range(34):
        split, label = every[f"jpeg/1.3.6.1.4.1.9590.100.1.2.{1000 + k}/1-{k}.jpg"]
        assert label == k % 3  # the first abnormality's pathology, even where a second one differs
        assert (split == "test") == (k >= 26)


def test_ddsm_missing_image_is_a_layout_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    ddsm.make_fixture(raw)
    unpack_artefacts(ddsm.SPEC, raw)
    missing = extracted_dir(raw, ddsm._FILE) / "jpeg/1.3.6.1.4.1.9590.100.1.2.1003/1-3.jpg"
    missing.unlink()
    with pytest.raises(LayoutError, match="1-3.jpg"):
        ddsm.convert(raw)
