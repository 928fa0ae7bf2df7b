"""The converted store: resolution policy, corrupt images, atomic writes, truncation and verification."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nevisbench.data.prepare import dataset_lock, prepare_dataset
from nevisbench.data.spec import Artefact, Crop, DatasetSpec, Example
from nevisbench.data.store import (
    StoreError,
    is_prepared,
    open_dataset,
    remove_stale,
    square_resize,
    verify_dataset,
    write_dataset,
)
from nevisbench.values import Split, TaskKind


def _spec(kind: TaskKind = TaskKind.SINGLE_LABEL, channels: int = 3, num_classes: int = 3) -> DatasetSpec:
    return DatasetSpec(
        id="toy", title="Toy", num_classes=num_classes, kind=kind, channels=channels,
        class_names=tuple(f"c{i}" for i in range(num_classes)), homepage="-", paper_title="-",
        paper_url="-", artefacts=(Artefact("x", "manual", "-"),), convert=lambda raw: {},
        make_fixture=lambda raw: None, split_rule="-",
    )


def _images(shape: tuple[int, ...], count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=shape, dtype=np.uint8) for _ in range(count)]


def _splits(images_by_split: dict[str, list], labels=None) -> dict[str, list[Example]]:
    return {
        split: [Example(image, (labels or (lambda i: i % 3))(i)) for i, image in enumerate(images)]
        for split, images in images_by_split.items()
    }


def _uniform(shape, count=4) -> dict[str, list[Example]]:
    return _splits({s: _images(shape, count, seed) for seed, s in enumerate(["train", "dev", "dev_test", "test"])})


def test_uniform_small_images_stay_native(home: Path) -> None:
    splits = _uniform((20, 30, 3))
    stored = write_dataset(_spec(), splits, home / "datasets" / "toy")
    assert stored.meta["image_shape"] == [20, 30, 3]
    assert stored.meta["resolution_policy"]["mode"] == "native"
    np.testing.assert_array_equal(stored.split("dev").images[2], splits["dev"][2].image)
    assert stored.split(Split.TRAIN).labels.tolist() == [0, 1, 2, 0]


def test_large_or_mixed_images_are_centre_cropped_and_resized(home: Path) -> None:
    big = write_dataset(_spec(), _uniform((120, 100, 3)), home / "datasets" / "toy", resolution=32)
    assert big.meta["image_shape"] == [32, 32, 3]
    assert big.meta["resolution_policy"] == {"resolution": 32, "mode": "centre_square_crop_resized"}
    mixed = _uniform((20, 20, 3))
    mixed["test"].append(Example(_images((10, 14, 3), 1)[0], 1))  # one other size turns resizing on
    stored = write_dataset(_spec(), mixed, home / "datasets" / "toy", resolution=16)
    assert stored.meta["image_shape"] == [16, 16, 3]
    expected = square_resize(mixed["train"][1].image, 16)
    np.testing.assert_array_equal(stored.split("train").images[1], expected)


def test_mixed_sizes_within_one_split(home: Path) -> None:
    images = _images((12, 12, 3), 3) + _images((40, 20, 3), 2) + _images((12, 12, 3), 2)
    splits = _uniform((12, 12, 3))
    splits["train"] = [Example(image, 0) for image in images]
    stored = write_dataset(_spec(), splits, home / "datasets" / "toy", resolution=24)
    train = stored.split("train")
    assert train.images.shape == (7, 24, 24, 3)
    np.testing.assert_array_equal(train.images[0], square_resize(images[0], 24))
    np.testing.assert_array_equal(train.images[3], square_resize(images[3], 24))


def test_square_resize_crops_the_centre() -> None:
    image = np.zeros((10, 30, 1), dtype=np.uint8)
    image[:, 10:20] = 255  # the centre square is white
    assert (square_resize(image, 10) == 255).all()


def test_grey_stays_one_channel_and_colour_converts(home: Path) -> None:
    splits = _uniform((8, 8, 3))
    stored = write_dataset(_spec(channels=1), splits, home / "datasets" / "toy")
    assert stored.meta["image_shape"] == [8, 8, 1]
    grey = _uniform((8, 8))
    stored = write_dataset(_spec(channels=3), grey, home / "datasets" / "toy")
    image = stored.split("train").images[0]
    assert image.shape == (8, 8, 3) and (image[..., 0] == image[..., 2]).all()


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_encoded_and_path_images_decode_and_corrupt_ones_are_counted(home: Path, tmp_path: Path) -> None:
    good = _images((6, 6, 3), 3)
    path = tmp_path / "a.png"
    path.write_bytes(_png(good[1]))
    truncated = _png(good[2])[:30]
    splits = _uniform((6, 6, 3))
    splits["train"] = [
        Example(_png(good[0]), 0, "zero.png"),
        Example(path, 1, "a.png"),
        Example(truncated, 2, "broken.png"),
        Example(b"not an image", 2, "text.png"),
    ]
    stored = write_dataset(_spec(), splits, home / "datasets" / "toy")
    train = stored.split("train")
    assert len(train) == 2 and train.labels.tolist() == [0, 1]
    np.testing.assert_array_equal(train.images[1], good[1])
    corrupt = stored.meta["corrupt_images"]["train"]
    assert corrupt["count"] == 2
    assert [n.split(":")[0] for n in corrupt["names"]] == ["broken.png", "text.png"]


def test_crops_are_cut_after_decoding_and_empty_ones_count_as_corrupt(home: Path) -> None:
    image = _images((8, 10, 3), 1)[0]
    splits = _uniform((3, 4, 3))
    splits["train"] = [
        Example(Crop(_png(image), (2, 1, 6, 4)), 0, "inside"),
        Example(Crop(image, (-5, 5, 4, 20)), 1, "clipped"),  # clipped to the image: 4×3
        Example(Crop(image, (20, 0, 30, 5)), 2, "outside"),
        Example(Crop(b"not an image", (0, 0, 4, 3)), 2, "broken"),
    ]
    stored = write_dataset(_spec(), splits, home / "datasets" / "toy")
    train = stored.split("train")
    assert train.labels.tolist() == [0, 1]
    np.testing.assert_array_equal(train.images[0], image[1:4, 2:6])
    np.testing.assert_array_equal(train.images[1], image[5:8, 0:4])
    corrupt = stored.meta["corrupt_images"]["train"]
    assert [n.split(":")[0] for n in corrupt["names"]] == ["outside", "broken"]


def test_decompression_bomb_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nevisbench.data.images as images

    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 100)
    splits = _uniform((6, 6, 3))
    splits["dev"] = [Example(_png(_images((20, 20, 3), 1)[0]), 0, "bomb.png")]
    stored = write_dataset(_spec(), splits, home / "datasets" / "toy")
    assert stored.meta["corrupt_images"]["dev"]["count"] == 1


def test_multi_label_labels_are_multi_hot(home: Path) -> None:
    spec = _spec(kind=TaskKind.MULTI_LABEL, num_classes=4)
    splits = _splits({s: _images((4, 4, 3), 2) for s in ["train", "dev", "dev_test", "test"]},
                     labels=lambda i: [0, 3] if i else [])
    stored = write_dataset(spec, splits, home / "datasets" / "toy")
    assert stored.split("dev").labels.tolist() == [[0, 0, 0, 0], [1, 0, 0, 1]]


def test_bad_labels_and_missing_splits_are_refused(home: Path) -> None:
    splits = _uniform((4, 4, 3))
    splits["test"].append(Example(_images((4, 4, 3), 1)[0], 7))
    with pytest.raises(ValueError, match="label 7 outside"):
        write_dataset(_spec(), splits, home / "datasets" / "toy")
    del splits["test"]
    with pytest.raises(ValueError, match="no \\['test'\\]"):
        write_dataset(_spec(), splits, home / "datasets" / "toy")
    assert not (home / "datasets" / "toy").exists()
    assert list((home / "datasets").iterdir()) == []  # no temporary directory left


def test_interrupted_conversion_leaves_nothing_ready(home: Path) -> None:
    def exploding():
        yield Example(_images((4, 4, 3), 1)[0], 0)
        raise KeyboardInterrupt

    splits = _uniform((4, 4, 3))
    splits["dev"] = exploding()
    with pytest.raises(KeyboardInterrupt):
        write_dataset(_spec(), splits, home / "datasets" / "toy")
    assert list((home / "datasets").iterdir()) == []


def test_kill_during_conversion_then_prepare_starts_clean(home: Path, tmp_path: Path) -> None:
    # A real kill -9 in the middle of a conversion: the temporary directory stays behind, nothing
    # reads as ready, and the next prepare removes the leftovers and converts from scratch.
    script = textwrap.dedent(
        """
        import os, signal, sys, time
        import numpy as np
        from pathlib import Path
        from nevisbench.data.spec import get_dataset, Example
        from nevisbench.data.store import write_dataset
        spec = get_dataset("uci_digits")
        def slow():
            for i in range(10**6):
                if i == 50:
                    print("started", flush=True)
                    time.sleep(60)
                yield Example(np.zeros((8, 8), np.uint8), 0)
        splits = {s: slow() for s in ["train", "dev", "dev_test", "test"]}
        write_dataset(spec, splits, Path(sys.argv[1]) / "datasets" / "uci_digits")
        """
    )
    with subprocess.Popen([sys.executable, "-c", script, str(home)], stdout=subprocess.PIPE,
                          env={**os.environ}) as process:
        assert process.stdout is not None and process.stdout.readline().strip() == b"started"
        process.send_signal(signal.SIGKILL)
        process.wait()
    leftovers = [p.name for p in (home / "datasets").iterdir()]
    assert any(name.startswith(".tmp-uci_digits-") for name in leftovers)
    assert not is_prepared("uci_digits", home)
    with pytest.raises(FileNotFoundError, match="datasets prepare uci_digits"):
        open_dataset("uci_digits")
    stored, converted = prepare_dataset("uci_digits")
    assert converted and stored.num_examples("train") == 1000
    assert [p.name for p in (home / "datasets").iterdir() if p.name.startswith(".tmp")] == []


def test_remove_stale_drops_an_unready_directory(home: Path) -> None:
    unready = home / "datasets" / "toy"
    unready.mkdir(parents=True)
    (unready / "meta.json").write_text("{}")
    remove_stale("toy", home)
    assert not unready.exists()


def test_truncated_and_edited_files_are_named(home: Path) -> None:
    write_dataset(_spec(), _uniform((8, 8, 3), count=10), home / "datasets" / "toy")
    assert verify_dataset("toy") == []
    images = home / "datasets" / "toy" / "dev_images.npy"
    with open(images, "r+b") as handle:
        handle.truncate(images.stat().st_size - 10)
    with pytest.raises(StoreError, match="dev_images.npy has .* bytes"):
        open_dataset("toy").split("dev")
    labels = home / "datasets" / "toy" / "test_labels.npy"
    data = bytearray(labels.read_bytes())
    data[-1] ^= 1
    labels.write_bytes(bytes(data))
    problems = verify_dataset("toy")
    assert len(problems) == 3
    assert "dev_images.npy" in problems[0] and "truncated" in problems[0]
    assert "test_labels.npy" in problems[1] and "edited" in problems[1]
    # The flipped byte is the top byte of a little-endian int64: the label is now out of range.
    assert "test_labels.npy holds label" in problems[2] and "outside 0..2" in problems[2]
    (home / "datasets" / "toy" / "meta.json").write_text("{not json")
    assert "meta.json is unreadable" in verify_dataset("toy")[0]


def test_a_lock_taken_without_waiting_is_refused_while_one_runs(home: Path) -> None:
    held = dataset_lock("uci_digits", home)
    refused = pytest.raises(RuntimeError, match="being prepared by another")
    with held, refused, dataset_lock("uci_digits", home, wait=False):
        pass


_PREPARE = textwrap.dedent(
    """
    import json, logging, sys, time
    from pathlib import Path
    from nevisbench.data.prepare import prepare_dataset
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    started, gate = Path(sys.argv[1]), Path(sys.argv[2])

    def hold(split):
        # The first process stops at its first example until the test opens the gate.
        if sys.argv[3] == "hold" and not started.exists():
            started.write_text("")
            while not gate.exists():
                time.sleep(0.05)

    stored, converted = prepare_dataset("uci_digits", on_example=hold)
    print(json.dumps({"converted": converted, "created": stored.meta["created"]}), flush=True)
    """
)


def test_two_processes_preparing_one_dataset_convert_it_once(home: Path, tmp_path: Path) -> None:
    # Two runs started together on a fresh home: the second waits for the first (saying so once),
    # then finds the store ready and reuses it.
    started, gate = tmp_path / "started", tmp_path / "gate"
    command = [sys.executable, "-c", _PREPARE, str(started), str(gate)]
    first = subprocess.Popen([*command, "hold"], stdout=subprocess.PIPE, text=True)
    second = None
    try:
        for _ in range(1200):  # the first conversion has begun once `started` exists
            if started.exists() or first.poll() is not None:
                break
            time.sleep(0.05)
        assert started.exists(), "the first prepare never started converting"
        second = subprocess.Popen([*command, "go"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        told = second.stderr.readline()  # blocks until the second process logs (or exits)
        assert told.strip() == f"waiting for pid {first.pid}, which is preparing uci_digits"
    finally:
        gate.write_text("")
        ends = [process.communicate() for process in (first, second) if process]
    assert first.returncode == 0 and second.returncode == 0, ends
    outputs = [json.loads(out) for out, _ in ends]
    assert [output["converted"] for output in outputs] == [True, False]  # converted once
    assert outputs[0]["created"] == outputs[1]["created"]  # the second opened the first's store
    assert "waiting" not in ends[1][1]  # said once
    assert verify_dataset("uci_digits") == []


def test_prepare_skips_a_ready_dataset_and_reconverts_on_a_new_resolution(home: Path) -> None:
    _, converted = prepare_dataset("uci_digits")
    assert converted
    _, converted = prepare_dataset("uci_digits")
    assert not converted
    _, converted = prepare_dataset("uci_digits", resolution=16)  # 8×8 native still fits under 16
    assert not converted
    _, converted = prepare_dataset("uci_digits", force=True)
    assert converted
    with pytest.raises(ValueError, match="resolution"):
        prepare_dataset("uci_digits", resolution=0)


def test_a_full_disk_names_the_dataset_and_leaves_nothing_ready(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import nevisbench.data.store as store

    real = store._SplitStager.add

    def full(self, image):  # the disk fills up after a few images
        if self.count >= 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.path))
        return real(self, image)

    monkeypatch.setattr(store._SplitStager, "add", full)
    with pytest.raises(OSError, match=r"dataset uci_digits: no space left on the device while converting"):
        prepare_dataset("uci_digits")
    assert not is_prepared("uci_digits")
    assert not any(p.name.startswith(".tmp-") for p in (home / "datasets").iterdir())
