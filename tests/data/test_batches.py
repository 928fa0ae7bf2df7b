"""Batches and augmentation: the reference's crops and resize, determinism, epochs, targets."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from nevisbench.data.augment import (
    MIN_OBJECT_COVERED,
    augment_eval,
    augment_train,
    centre_crop_box,
    crop_and_resize,
    sample_crop_boxes,
)
from nevisbench.data.batches import Batches, adaptive_batch_size, eval_batches
from nevisbench.data.spec import Artefact, DatasetSpec, Example
from nevisbench.data.store import ConcatImages, StoredSplit, write_dataset
from nevisbench.values import Split, TaskKind


def _images(count: int, height: int, width: int, channels: int = 3, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.integers(0, 256, (count, height, width, channels), dtype=np.uint8))


def _normalised(images: torch.Tensor) -> torch.Tensor:
    return images.permute(0, 3, 1, 2).float() * (2 / 255) - 1


def _indexed_split(count: int, side: int = 8, channels: int = 3) -> StoredSplit:
    """Image i is filled with the value 2i, so an augmented image still says which example it is."""
    values = (2 * np.arange(count)).astype(np.uint8)
    images = np.broadcast_to(values[:, None, None, None], (count, side, side, channels)).copy()
    return StoredSplit(images, np.arange(count, dtype=np.int64))


def _example_of(images: torch.Tensor) -> np.ndarray:
    """Inverts ``_indexed_split``: the example index each augmented image came from."""
    values = (images.mean(dim=(1, 2, 3)) + 1) * 255 / 2
    return np.rint(values.numpy() / 2).astype(np.int64)


# ------------------------------------------------------------------------------------ augmentation


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("shape", [(96, 96), (40, 70), (20, 12)])
def test_augmentations_give_rgb_float_batches_in_range(
    channels: int, shape: tuple[int, int]
) -> None:
    images = _images(6, *shape, channels)
    generator = torch.Generator().manual_seed(0)
    for out in (augment_train(images, 32, generator), augment_eval(images, 32)):
        assert out.shape == (6, 3, 32, 32)
        assert out.dtype == torch.float32
        assert out.min() >= -1 - 1e-5 and out.max() <= 1 + 1e-5  # float rounding of the weights


def test_grey_images_become_three_equal_channels() -> None:
    images = _images(4, 16, 16, channels=1)
    for out in (
        augment_train(images, 8, torch.Generator().manual_seed(1)),
        augment_eval(images, 8),
    ):
        assert torch.equal(out[:, 0], out[:, 1]) and torch.equal(out[:, 0], out[:, 2])


@pytest.mark.parametrize("channels", [1, 3])
def test_eval_on_same_size_input_is_exactly_the_normalisation(channels: int) -> None:
    images = _images(5, 24, 24, channels)
    out = augment_eval(images, 24)
    assert torch.equal(out, _normalised(images).expand(-1, 3, -1, -1))


def test_eval_centre_crop_of_a_non_square_image() -> None:
    # value = 20 × column: centre square of a 6×10 image is columns 2..7.
    columns = torch.arange(10, dtype=torch.uint8) * 20
    images = columns.view(1, 1, 10, 1).expand(1, 6, 10, 1).contiguous()
    out = augment_eval(images, 6)
    assert torch.equal(out[0, 0, 0], columns[2:8].float() * (2 / 255) - 1)
    # Tall image, value = 20 × row: centre square of a 10×6 image is rows 2..7.
    rows = torch.arange(10, dtype=torch.uint8) * 20
    tall = rows.view(1, 10, 1, 1).expand(1, 10, 6, 1).contiguous()
    assert torch.equal(augment_eval(tall, 6)[0, 0, :, 0], rows[2:8].float() * (2 / 255) - 1)


def test_eval_resize_uses_half_pixel_centres() -> None:
    # 8×12 image, value = 20 × column, centre crop = columns 2..9 resized 8 → 4: output pixel j
    # samples crop coordinate (j + 0.5) × 2 - 0.5 = 2j + 0.5, i.e. 20 × (2 + 2j + 0.5).
    columns = torch.arange(12, dtype=torch.uint8) * 20
    images = columns.view(1, 1, 12, 1).expand(1, 8, 12, 1).contiguous()
    levels = (augment_eval(images, 4)[0, 0] + 1) * 255 / 2
    expected = torch.tensor([50.0, 90.0, 130.0, 170.0])
    assert torch.allclose(levels, expected.expand(4, 4), atol=1e-4)


def test_eval_antialias_is_optional_and_blurs_only_when_downsampling() -> None:
    images = _images(2, 48, 48)
    assert torch.equal(augment_eval(images, 48, antialias=True), augment_eval(images, 48))
    smooth, sharp = augment_eval(images, 16, antialias=True), augment_eval(images, 16)
    assert smooth.shape == sharp.shape == (2, 3, 16, 16)
    assert smooth.std() < sharp.std()


def _tf_crop_and_resize(image: np.ndarray, box: tuple[int, ...], size: int) -> np.ndarray:
    """TF's crop_to_bounding_box + resize_bilinear(half_pixel_centers=True), one image, loops."""
    top, left, height, width = box
    crop = image[top : top + height, left : left + width].astype(np.float64)

    def weights(out: int, length: int) -> tuple[int, int, float]:
        position = (out + 0.5) * length / size - 0.5
        low = math.floor(position)
        return max(low, 0), min(math.ceil(position), length - 1), position - low

    out = np.zeros((size, size, image.shape[2]))
    for i in range(size):
        y0, y1, fy = weights(i, height)
        for j in range(size):
            x0, x1, fx = weights(j, width)
            upper = crop[y0, x0] + (crop[y0, x1] - crop[y0, x0]) * fx
            lower = crop[y1, x0] + (crop[y1, x1] - crop[y1, x0]) * fx
            out[i, j] = upper + (lower - upper) * fy
    return out


@pytest.mark.parametrize("size", [7, 16])
def test_crop_and_resize_matches_tf_crop_then_resize(size: int) -> None:
    images = _images(6, 20, 26)
    boxes = torch.tensor(
        [
            [0, 0, 20, 26],
            [3, 5, 9, 12],
            [10, 2, 10, 10],
            [0, 20, 4, 6],
            [7, 1, 13, 17],
            [5, 9, 1, 1],
        ]
    )
    out = crop_and_resize(images, boxes, size)
    for k in range(len(images)):
        expected = _tf_crop_and_resize(images[k].numpy(), tuple(boxes[k].tolist()), size)
        np.testing.assert_allclose(out[k].permute(1, 2, 0).numpy(), expected, atol=2e-3)


def test_flip_mirrors_the_columns() -> None:
    images = _images(3, 20, 20)
    boxes = torch.tensor([[2, 3, 12, 15]]).expand(3, 4)
    plain = crop_and_resize(images, boxes, 10)
    flipped = crop_and_resize(images, boxes, 10, torch.tensor([True, False, True]))
    assert torch.equal(flipped[0], plain[0].flip(-1))
    assert torch.equal(flipped[1], plain[1])


def _check_boxes(boxes: torch.Tensor, height: int, width: int) -> None:
    top, left, crop_h, crop_w = boxes.double().unbind(1)
    assert boxes.dtype == torch.int64
    assert (top >= 0).all() and (left >= 0).all() and (crop_h >= 1).all() and (crop_w >= 1).all()
    assert (top + crop_h <= height).all() and (left + crop_w <= width).all()
    area = crop_h * crop_w / (height * width)
    # TF's area range is [0.08, 1], but min_object_covered = 0.1 rejects crops under 0.1.
    assert (area >= 0.08).all() and (area >= MIN_OBJECT_COVERED - 1e-9).all() and (area <= 1).all()
    # width = round(height × aspect) with aspect in [3/4, 4/3]: rounding moves w/h by ≤ 0.5/h.
    aspect = crop_w / crop_h
    assert (aspect >= 3 / 4 - 0.5 / crop_h - 1e-9).all() and (
        aspect <= 4 / 3 + 0.5 / crop_h + 1e-9
    ).all()


# The largest crop: the whole square; 40 × round(40 × 4/3) of 40×120; 48 × 64 of 64×48 is the whole
# image, replaced by the 48×48 centre square, so the largest kept crop is a bit under 0.75.
@pytest.mark.parametrize(
    ("shape", "largest"), [((96, 96), 0.9), ((40, 120), 0.44), ((64, 48), 0.7)]
)
def test_crop_boxes_follow_the_reference_sampler(shape: tuple[int, int], largest: float) -> None:
    height, width = shape
    boxes = sample_crop_boxes(20_000, height, width, torch.Generator().manual_seed(0))
    assert boxes.shape == (20_000, 4)
    _check_boxes(boxes, height, width)
    top, left, crop_h, crop_w = boxes.double().unbind(1)
    area = crop_h * crop_w / (height * width)
    # The whole range is used: small crops, near-whole crops, both aspect extremes, every offset.
    assert area.min() < 0.12 and area.max() >= largest
    assert (crop_w / crop_h).min() < 0.8 and (crop_w / crop_h).max() > 1.25
    assert left.max() >= width // 2 and top.max() >= height // 4
    # A box equal to the whole image is replaced by the centre square (the reference's rule).
    assert not ((crop_h == height) & (crop_w == width) & (height != width)).any()


def _tf_sample_box(draws: np.ndarray, height: int, width: int) -> list[int]:
    """TF's SampleDistortedBoundingBox loop, transcribed line by line (float32 like its C++),
    fed the same uniform draws as ``sample_crop_boxes``, plus the reference's centre-square rule."""
    f32 = np.float32
    min_area = f32(0.08) * f32(width) * f32(height)
    max_area = f32(1.0) * f32(width) * f32(height)
    for u in draws:
        aspect = u[0] * (f32(4 / 3) - f32(3 / 4)) + f32(3 / 4)
        crop_h = int(np.rint(np.sqrt(min_area / aspect)))
        max_h = int(np.rint(np.sqrt(max_area / aspect)))
        if np.rint(max_h * aspect) > width:
            max_h = int((width + 0.5 - 1e-7) / float(aspect))
            if np.rint(max_h * aspect) > width:
                max_h -= 1
        max_h = min(max_h, height)
        crop_h = min(crop_h, max_h)
        if crop_h < max_h:
            crop_h += int(np.floor(u[1] * f32(max_h - crop_h + 1)))
        crop_w = int(np.rint(crop_h * aspect))
        area = f32(crop_w * crop_h)
        if area < min_area:
            crop_h += 1
            crop_w = int(np.rint(crop_h * aspect))
            area = f32(crop_w * crop_h)
        if area > max_area:
            crop_h -= 1
            crop_w = int(np.rint(crop_h * aspect))
            area = f32(crop_w * crop_h)
        if area < min_area or area > max_area or crop_w > width or crop_h > height:
            continue
        if crop_w <= 0 or crop_h <= 0 or area / (width * height) < MIN_OBJECT_COVERED:
            continue
        top = int(np.floor(u[2] * f32(height - crop_h))) if crop_h < height else 0
        left = int(np.floor(u[3] * f32(width - crop_w))) if crop_w < width else 0
        if (crop_h, crop_w) != (height, width):
            return [top, left, crop_h, crop_w]
        break
    return centre_crop_box(height, width).tolist()


@pytest.mark.parametrize("shape", [(96, 96), (40, 120), (64, 48), (10, 200), (3, 3)])
def test_crop_boxes_equal_a_line_by_line_transcription_of_tf(shape: tuple[int, int]) -> None:
    height, width = shape
    boxes = sample_crop_boxes(500, height, width, torch.Generator().manual_seed(1))
    draws = torch.rand(500, 10, 4, generator=torch.Generator().manual_seed(1)).numpy()
    expected = [_tf_sample_box(draws[k], height, width) for k in range(500)]
    assert boxes.tolist() == expected


def test_crop_boxes_fall_back_to_the_centre_square() -> None:
    # 10×200: a crop with aspect ≤ 4/3 has area ≤ 133 / 2000 < 0.1, so every attempt fails.
    boxes = sample_crop_boxes(50, 10, 200, torch.Generator().manual_seed(0))
    assert torch.equal(boxes, centre_crop_box(10, 200).expand(50, 4))
    assert centre_crop_box(10, 200).tolist() == [0, 95, 10, 10]
    assert centre_crop_box(7, 4).tolist() == [1, 0, 4, 4]


def test_train_flips_about_half_the_images() -> None:
    # Brightness increasing to the right: a flipped output decreases to the right.
    ramp = (torch.arange(32, dtype=torch.uint8) * 8).view(1, 1, 32, 1)
    images = ramp.expand(2000, 32, 32, 1).contiguous()
    out = augment_train(images, 16, torch.Generator().manual_seed(0))
    flipped = (out[:, 0, :, 0] > out[:, 0, :, -1]).all(dim=1)
    increasing = (out[:, 0, :, 0] < out[:, 0, :, -1]).all(dim=1)
    assert bool((flipped | increasing).all())
    assert 0.45 < flipped.float().mean().item() < 0.55


def test_train_augmentation_is_a_function_of_the_generator_seed() -> None:
    images = _images(8, 30, 30)

    def run(seed: int) -> torch.Tensor:
        return augment_train(images, 16, torch.Generator().manual_seed(seed))

    assert torch.equal(run(3), run(3))
    assert not torch.equal(run(3), run(4))


def test_augmentation_rejects_other_layouts() -> None:
    with pytest.raises(ValueError, match="uint8"):
        augment_eval(torch.zeros(2, 3, 8, 8), 8)
    with pytest.raises(ValueError, match="C = 1 or 3"):
        augment_train(torch.zeros(2, 8, 8, 4, dtype=torch.uint8), 8, torch.Generator())


# ----------------------------------------------------------------------------------------- batches


@pytest.mark.parametrize(
    ("examples", "expected"),
    [
        (35_000, 64),
        (1_150_000, 512),
        (1_000, 16),
        (25_600, 64),
        (25_599, 32),
        (200_000, 256),
        (204_800, 512),
        (0, 16),
        (1, 16),
    ],
)
def test_adaptive_batch_size_pins_the_reference_rule(examples: int, expected: int) -> None:
    assert adaptive_batch_size(examples) == expected


def test_adaptive_batch_size_respects_its_bounds() -> None:
    assert adaptive_batch_size(1_150_000, max_batch_size=128) == 128
    assert adaptive_batch_size(100, min_batch_size=4) == 4


@pytest.mark.parametrize("prefetch", [True, False])
def test_batch_is_a_function_of_seed_and_step(prefetch: bool) -> None:
    split = StoredSplit(_images(50, 12, 12).numpy(), np.arange(50, dtype=np.int64))

    def make(seed: int) -> Batches:
        return Batches(split, 8, seed=seed, size=10, prefetch=prefetch)

    first = make(7)
    sequential = [first.batch(step) for step in range(12)]
    # A fresh object asked for step 9 directly (a resumed run) gets the same batch.
    resumed = make(7)
    for step in (9, 3, 11):
        images, targets = resumed.batch(step)
        assert torch.equal(images, sequential[step][0]) and torch.equal(
            targets, sequential[step][1]
        )
    other = make(8).batch(9)
    assert not torch.equal(other[1], sequential[9][1])
    assert not torch.equal(other[0], sequential[9][0])
    # iterate() from a step continues the same sequence.
    iterator = make(7).iterate(start=10)
    for step in (10, 11):
        assert torch.equal(next(iterator)[0], sequential[step][0])
    first.close()


def test_prefetch_changes_nothing() -> None:
    split = StoredSplit(_images(30, 12, 12).numpy(), np.arange(30, dtype=np.int64))
    with_prefetch = Batches(split, 7, seed=1, size=8, prefetch=True)
    without = Batches(split, 7, seed=1, size=8, prefetch=False)
    for step in [0, 1, 2, 5, 6, 2]:
        assert torch.equal(with_prefetch.batch(step)[0], without.batch(step)[0])
    with_prefetch.close()


@pytest.mark.parametrize(("count", "batch_size"), [(10, 4), (12, 4), (3, 8), (1, 5)])
def test_every_example_once_per_epoch_across_batch_boundaries(count: int, batch_size: int) -> None:
    batches = Batches(_indexed_split(count), batch_size, seed=0, size=8)
    epochs = 4
    steps = math.ceil(epochs * count / batch_size)
    stream = np.concatenate([batches.indices(step) for step in range(steps)])
    for epoch in range(epochs):
        assert sorted(stream[epoch * count : (epoch + 1) * count]) == list(range(count))
    # Batches are always full, and targets and images follow the indices (shuffled order restored).
    for step in range(steps):
        images, targets = batches.batch(step)
        assert images.shape == (batch_size, 3, 8, 8)
        assert targets.dtype == torch.int64
        assert targets.tolist() == batches.indices(step).tolist()
        assert _example_of(images).tolist() == targets.tolist()
    assert batches.steps_per_epoch == count / batch_size


def test_epochs_are_shuffled_differently() -> None:
    batches = Batches(_indexed_split(64), 64, seed=0, size=8)
    assert not np.array_equal(batches.indices(0), batches.indices(1))
    assert not np.array_equal(batches.indices(0), np.arange(64))


def test_eval_mode_batches_use_the_centre_crop() -> None:
    split = StoredSplit(_images(6, 12, 12).numpy(), np.arange(6, dtype=np.int64))
    batches = Batches(split, 4, seed=0, train=False, size=12)
    images, targets = batches.batch(0)
    expected = _normalised(torch.from_numpy(split.images[batches.indices(0)]))
    assert torch.equal(images, expected)


def test_multi_label_targets_are_float_multi_hot() -> None:
    rng = np.random.default_rng(0)
    labels = (rng.random((9, 5)) < 0.4).astype(np.uint8)
    split = StoredSplit(_images(9, 8, 8).numpy(), labels)
    batches = Batches(split, 4, seed=0, size=8, kind=TaskKind.MULTI_LABEL, num_classes=5)
    _, targets = batches.batch(3)
    assert targets.dtype == torch.float32 and targets.shape == (4, 5)
    assert np.array_equal(targets.numpy(), labels[batches.indices(3)].astype(np.float32))
    evaluated = [
        t for _, t in eval_batches(split, 4, size=8, kind=TaskKind.MULTI_LABEL, num_classes=5)
    ]
    assert np.array_equal(torch.cat(evaluated).numpy(), labels.astype(np.float32))


def test_label_shapes_must_match_the_task_kind() -> None:
    images = _images(4, 8, 8).numpy()
    multi_hot = np.zeros((4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="multi-hot"):
        Batches(StoredSplit(images, multi_hot), 2, seed=0, kind=TaskKind.MULTI_LABEL, num_classes=4)
    with pytest.raises(ValueError, match="single-label"):
        Batches(StoredSplit(images, multi_hot), 2, seed=0)
    with pytest.raises(ValueError, match="empty"):
        Batches(StoredSplit(images[:0], np.zeros(0, dtype=np.int64)), 2, seed=0)
    with pytest.raises(ValueError, match="seed"):
        Batches(StoredSplit(images, np.zeros(4, dtype=np.int64)), 2, seed=-1)


def test_eval_batches_cover_every_example_once_in_order() -> None:
    split = _indexed_split(10, side=12)
    seen = list(eval_batches(split, 4, size=6))
    assert [len(targets) for _, targets in seen] == [4, 4, 2]
    assert torch.cat([t for _, t in seen]).tolist() == list(range(10))
    assert _example_of(torch.cat([images for images, _ in seen])).tolist() == list(range(10))
    assert all(images.shape[1:] == (3, 6, 6) for images, _ in seen)


def test_concatenated_images_batch_like_one_array() -> None:
    first, second = _images(5, 8, 8, seed=1).numpy(), _images(4, 8, 8, seed=2).numpy()
    joined = StoredSplit(ConcatImages(first, second), np.arange(9, dtype=np.int64))
    plain = StoredSplit(np.concatenate([first, second]), np.arange(9, dtype=np.int64))
    for step in range(3):
        assert torch.equal(
            Batches(joined, 4, seed=2).batch(step)[0], Batches(plain, 4, seed=2).batch(step)[0]
        )


def _spec(kind: TaskKind, channels: int, num_classes: int = 3) -> DatasetSpec:
    return DatasetSpec(
        id="toy",
        title="Toy",
        num_classes=num_classes,
        kind=kind,
        channels=channels,
        class_names=tuple(f"c{i}" for i in range(num_classes)),
        homepage="-",
        paper_title="-",
        paper_url="-",
        artefacts=(Artefact("x", "manual", "-"),),
        convert=lambda raw: {},
        make_fixture=lambda raw: None,
    )


@pytest.mark.parametrize(
    ("kind", "channels"), [(TaskKind.SINGLE_LABEL, 1), (TaskKind.MULTI_LABEL, 3)]
)
def test_batches_read_a_converted_store(home: Path, kind: TaskKind, channels: int) -> None:
    rng = np.random.default_rng(0)

    def examples(count: int) -> list[Example]:
        shape = (20, 30) if channels == 1 else (20, 30, 3)
        label = (lambda i: i % 3) if kind is TaskKind.SINGLE_LABEL else (lambda i: [i % 3])
        return [
            Example(rng.integers(0, 256, shape, dtype=np.uint8), label(i)) for i in range(count)
        ]

    stored = write_dataset(
        _spec(kind, channels),
        {s: examples(n) for s, n in [("train", 11), ("dev", 3), ("dev_test", 2), ("test", 2)]},
        home / "datasets" / "toy",
    )
    for split in (Split.TRAIN, Split.TRAIN_AND_DEV):
        data = stored.split(split)
        batches = Batches(data, 8, seed=0, size=16, kind=kind, num_classes=3)
        for step in range(3):
            images, targets = batches.batch(step)
            assert images.shape == (8, 3, 16, 16) and len(targets) == 8
        batches.close()
        evaluated = list(eval_batches(data, 5, size=16, kind=kind, num_classes=3))
        assert sum(len(t) for _, t in evaluated) == len(data)


@pytest.mark.gpu
def test_cuda_matches_cpu() -> None:
    images = _images(64, 40, 52)
    # Same boxes and flips (drawn on the CPU); grid_sample's rounding may differ by one level.
    one_level = 2 / 255 + 1e-6
    cpu = augment_train(images, 32, torch.Generator().manual_seed(5))
    cuda = augment_train(images.cuda(), 32, torch.Generator().manual_seed(5))
    assert (cpu - cuda.cpu()).abs().max() <= one_level
    assert (
        augment_eval(images, 32) - augment_eval(images.cuda(), 32).cpu()
    ).abs().max() <= one_level
    split = StoredSplit(images.numpy(), np.arange(64, dtype=np.int64))
    on_cpu = Batches(split, 16, seed=0, size=32).batch(3)
    on_cuda = Batches(split, 16, seed=0, size=32, device="cuda").batch(3)
    assert on_cuda[0].is_cuda and torch.equal(on_cpu[1], on_cuda[1].cpu())
    assert (on_cpu[0] - on_cuda[0].cpu()).abs().max() <= one_level
