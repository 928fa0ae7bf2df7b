"""BIWI Kinect head pose (binned yaw / pitch / roll): data/handlers/biwi.py on fixtures in the real
raw layout."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import biwi
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir


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
