"""Augmentation on whole batches, on the device: the reference's random-resized crop, flip, centre crop."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# The reference's crop sampler (dm_nevis augmentations.py, reference §2.5): the arguments it passes
# to tf.image.sample_distorted_bounding_box, with the whole image as the only "object" box.
AREA_RANGE = (0.08, 1.0)
ASPECT_RATIO_RANGE = (3 / 4, 4 / 3)
MIN_OBJECT_COVERED = 0.1
MAX_ATTEMPTS = 10

# The reference's normalize casts tf.image.resize's float output to uint8 (truncating it) before
# scaling to [-1, 1]. We scale the exact bilinear values instead: the truncation only shifts values
# down by half a level on average (-0.004 on the [-1, 1] scale) and quantises them, far less than
# the store's own resampling changes, and it would cost two more passes over every output batch
# (~10% of the CPU pipeline, benchmarks/batch_pipeline.py).


class Workspace:
    """Scratch buffers reused from one batch to the next.

    A fresh buffer of 10-60 MB per batch is mapped page by page by the kernel: measured 13,000
    page faults and ~30 ms of system time per 256-image batch on a 2-core VM, more than the
    augmentation itself (glibc hands buffers over 32 MB, e.g. a 512-image float batch, straight
    back to the OS). Buffers grow to the largest batch seen; a smaller batch uses a leading slice.
    Not thread-safe: one workspace per thread.
    """

    def __init__(self) -> None:
        self._tensors: dict[str, torch.Tensor] = {}
        self._arrays: dict[str, np.ndarray] = {}

    def tensor(
        self,
        name: str,
        shape: tuple[int, ...],
        device: torch.device,
        memory_format: torch.memory_format = torch.contiguous_format,
    ) -> torch.Tensor:
        """A float32 tensor of ``shape`` (contents undefined) on ``device``."""
        buffer = self._tensors.get(name)
        if (
            buffer is None
            or buffer.device != device
            or buffer.shape[1:] != shape[1:]
            or buffer.shape[0] < shape[0]
        ):
            buffer = torch.empty(shape, device=device, memory_format=memory_format)
            self._tensors[name] = buffer
        return buffer[: shape[0]]

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A uint8 host array of ``shape`` (contents undefined)."""
        buffer = self._arrays.get(name)
        if buffer is None or buffer.shape[1:] != shape[1:] or buffer.shape[0] < shape[0]:
            buffer = self._arrays[name] = np.empty(shape, dtype=np.uint8)
        return buffer[: shape[0]]


# ------------------------------------------------------------------------------------ augmentation


def sample_crop_boxes(
    batch: int, height: int, width: int, generator: torch.Generator
) -> torch.Tensor:
    """Samples one Inception-style crop box per image, like TF's sample_distorted_bounding_box.

    TF's algorithm (sample_distorted_bounding_box_op.cc), vectorised over ``MAX_ATTEMPTS``
    candidates per image of which the first valid one wins: aspect ratio (width / height) uniform in
    ``ASPECT_RATIO_RANGE`` (uniform, not log-uniform, like TF); crop *height* an integer uniform
    between the heights giving ``AREA_RANGE``'s bounds at that aspect; width = round(height ×
    aspect); area nudged by one row if rounding left it outside the range; valid if it fits, lies in
    ``AREA_RANGE`` and covers ``MIN_OBJECT_COVERED`` of the image (so the effective minimum area is
    0.1, not 0.08); offsets uniform in ``[0, H - h)`` (TF never picks the last offset). No valid
    candidate gives the whole image, and — the reference's rule — a box equal to the whole image is
    replaced by the centre square crop.

    The uniform numbers are drawn from ``generator`` (on its device), the boxes computed on the CPU,
    so a CPU generator gives the same boxes on every device.

    Returns:
        int64 ``batch×4`` boxes ``(top, left, height, width)`` in pixels, on the CPU.
    """
    # Tiny arrays (B × attempts): numpy does the ~50 elementwise steps ~10× faster than torch's
    # per-op overhead; only the uniform draws come from the torch generator.
    draws = torch.rand(batch, MAX_ATTEMPTS, 4, generator=generator, device=generator.device)
    u = draws.cpu().numpy()
    # float32 and round-half-even (np.rint) mirror TF's float maths and lrintf.
    f32 = np.float32
    low, high = ASPECT_RATIO_RANGE
    aspect = u[..., 0] * (f32(high) - f32(low)) + f32(low)
    min_area = f32(AREA_RANGE[0]) * f32(width) * f32(height)
    max_area = f32(AREA_RANGE[1]) * f32(width) * f32(height)
    crop_h = np.rint(np.sqrt(min_area / aspect))
    max_h = np.rint(np.sqrt(max_area / aspect))
    # The largest height whose rounded width still fits (TF computes this one in double).
    too_wide = np.rint(max_h * aspect) > width
    fitting = np.floor((width + 0.5 - 1e-7) / aspect.astype(np.float64)).astype(f32)
    max_h = np.where(too_wide, fitting, max_h)
    max_h = np.where(too_wide & (np.rint(max_h * aspect) > width), max_h - 1, max_h)
    max_h = np.minimum(max_h, height)
    crop_h = np.minimum(crop_h, max_h)
    # Uniform integer in [crop_h, max_h]; the minimum guards u × n rounding up to n in float32.
    span = max_h - crop_h + 1
    crop_h = crop_h + np.minimum(np.floor(u[..., 1] * span), span - 1)
    crop_w = np.rint(crop_h * aspect)
    area = crop_w * crop_h
    grow = area < min_area
    crop_h = np.where(grow, crop_h + 1, crop_h)
    crop_w = np.where(grow, np.rint(crop_h * aspect), crop_w)
    area = crop_w * crop_h
    shrink = area > max_area
    crop_h = np.where(shrink, crop_h - 1, crop_h)
    crop_w = np.where(shrink, np.rint(crop_h * aspect), crop_w)
    area = crop_w * crop_h
    valid = (
        (area >= min_area)
        & (area <= max_area)
        & (crop_w <= width)
        & (crop_h <= height)
        & (crop_w > 0)
        & (crop_h > 0)
        & (area >= max(1.0, MIN_OBJECT_COVERED * width * height))
    )
    free_y, free_x = height - crop_h, width - crop_w
    top = np.minimum(np.floor(u[..., 2] * free_y), np.maximum(free_y - 1, 0))
    left = np.minimum(np.floor(u[..., 3] * free_x), np.maximum(free_x - 1, 0))
    candidates = np.stack((top, left, crop_h, crop_w), axis=-1).astype(np.int64)
    # argmax over a bool row returns the first True: the first valid attempt, as TF's loop.
    boxes = candidates[np.arange(batch), valid.argmax(axis=1)]
    boxes[~valid.any(axis=1)] = (0, 0, height, width)
    is_whole = (boxes[:, 2] == height) & (boxes[:, 3] == width)
    boxes[is_whole] = centre_crop_box(height, width).numpy()
    return torch.from_numpy(boxes)


def centre_crop_box(height: int, width: int) -> torch.Tensor:
    """The centre square crop of side min(H, W) as an int64 ``(top, left, height, width)`` box."""
    side = min(height, width)
    # Truncating division, as the reference's tf.cast((H - side) / 2, int32).
    return torch.tensor([(height - side) // 2, (width - side) // 2, side, side])


def augment_train(
    images: torch.Tensor,
    size: int,
    generator: torch.Generator,
    *,
    workspace: Workspace | None = None,
    rows: slice | None = None,
    whole_batch: int | None = None,
) -> torch.Tensor:
    """The reference's training augmentation on a whole batch.

    Random-resized crop (``sample_crop_boxes``), bilinear resize to ``size×size``, horizontal flip
    with probability 1/2, grey replicated to 3 channels, values in [-1, 1].

    Args:
        images: ``B×H×W×C`` uint8 (C = 1 or 3) on the device that should do the work.
        size: output side in pixels.
        generator: the randomness (boxes first, then flips); a CPU generator gives the same
            augmentation on every device.
        workspace: scratch buffers to reuse across calls (``Batches`` keeps one).
        rows / whole_batch: ``images`` are these rows of a batch of ``whole_batch`` images (a
            data-parallel process's share): the randomness is drawn for the whole batch and the rows'
            part kept, so each row is augmented exactly as in the whole batch.

    Returns:
        float32 ``B×3×size×size`` on ``images``' device.
    """
    batch, height, width, _ = _check_images(images)
    drawn = batch if rows is None or whole_batch is None else whole_batch
    boxes = sample_crop_boxes(drawn, height, width, generator)
    flips = torch.rand(drawn, generator=generator, device=generator.device) < 0.5
    if drawn != batch:
        boxes, flips = boxes[rows], flips[rows]
    device = images.device
    resized = crop_and_resize(images, boxes.to(device), size, flips.to(device), workspace=workspace)
    return _normalize(resized)


def augment_eval(
    images: torch.Tensor,
    size: int,
    *,
    antialias: bool = False,
    workspace: Workspace | None = None,
) -> torch.Tensor:
    """The reference's evaluation preprocessing: centre square crop, bilinear resize, [-1, 1].

    Args:
        images: ``B×H×W×C`` uint8 (C = 1 or 3).
        size: output side in pixels.
        antialias: low-pass before downsampling. Off by default, like the reference
            (tf.image.resize's default) and like ``augment_train``, so that train and eval images
            share one resampling. Stores hold at most ``--resolution`` (96) px, downsampled with
            antialiasing where the source was larger, so what is left is a ≤ 1.5× reduction.
        workspace: scratch buffers to reuse across calls.

    Returns:
        float32 ``B×3×size×size``; exactly ``2x/255 - 1`` of the input when H = W = size.
    """
    batch, height, width, _ = _check_images(images)
    top, left, side, _ = (int(v) for v in centre_crop_box(height, width))
    if side == size:
        # No resampling at all: a same-size crop must reproduce the pixels exactly.
        crop = images[:, top : top + side, left : left + side].permute(0, 3, 1, 2)
        return _normalize(crop.float())
    if antialias:
        crop = images[:, top : top + side, left : left + side].permute(0, 3, 1, 2).float()
        resized = F.interpolate(
            crop, size=(size, size), mode="bilinear", align_corners=False, antialias=True
        )
        return _normalize(resized)
    boxes = centre_crop_box(height, width).to(images.device).expand(batch, 4)
    return _normalize(crop_and_resize(images, boxes, size, None, workspace=workspace))


def _check_images(images: torch.Tensor) -> tuple[int, int, int, int]:
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[3] not in (1, 3):
        raise ValueError(
            f"expected a B×H×W×C uint8 batch with C = 1 or 3, got {images.dtype} "
            f"{tuple(images.shape)}"
        )
    batch, height, width, channels = images.shape
    return batch, height, width, channels


def crop_and_resize(
    images: torch.Tensor,
    boxes: torch.Tensor,
    size: int,
    flips: torch.Tensor | None = None,
    *,
    workspace: Workspace | None = None,
) -> torch.Tensor:
    """Crops each image to its box and resizes it bilinearly to ``size×size``, as TF does.

    One sampling grid per image through ``grid_sample``. The grid reproduces TF's
    crop-then-``tf.image.resize`` exactly: half-pixel centres (output pixel j samples the crop at
    ``(j + 0.5) × w / size - 0.5``, i.e. ``align_corners=False``), no antialiasing, and samples that
    fall outside the crop clamped to its edge pixels (TF resizes the cropped image, so it never
    blends in a pixel outside the box; ``padding_mode='border'`` alone would clamp only at the
    image edge). Antialiasing is not used for training: grid_sample has none, per-image scales vary,
    the reference has none, and it would make train and eval differ. A flip reverses the grid's
    columns, which costs nothing.

    Args:
        images: ``B×H×W×C`` uint8.
        boxes: ``B×4`` ``(top, left, height, width)`` in pixels, inside the image.
        size: output side in pixels.
        flips: ``B`` booleans: mirror those outputs left-right.
        workspace: where the grid and the float copy of ``images`` are made (else fresh memory).

    Returns:
        float32 ``B×C×size×size`` with values in [0, 255] (not yet normalised).
    """
    batch, height, width, _ = images.shape
    device = images.device
    boxes = boxes.to(torch.float32)
    top, left, crop_h, crop_w = boxes.unbind(dim=1)
    centres = (torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size
    xs = torch.addcmul((left - 0.5)[:, None], centres[None], crop_w[:, None])
    xs = torch.clamp(xs, min=left[:, None], max=(left + crop_w - 1)[:, None])
    ys = torch.addcmul((top - 0.5)[:, None], centres[None], crop_h[:, None])
    ys = torch.clamp(ys, min=top[:, None], max=(top + crop_h - 1)[:, None])
    if flips is not None:
        xs = torch.where(flips[:, None], xs.flip(1), xs)
    # Pixel → grid_sample's [-1, 1] coordinates (align_corners=False: -1 is the left image edge).
    xs = xs * (2 / width) + (1 / width - 1)
    ys = ys * (2 / height) + (1 / height - 1)
    # The B×size×size×2 grid is separable: row i of image b is (x_0, y_i, x_1, y_i, …). Built as
    # one broadcast multiply-add over that interleaved row (contiguous, vectorised): 2× faster
    # than writing the x and y planes through stride-2 views.
    row = torch.stack((xs, torch.zeros_like(xs)), dim=-1).view(batch, 1, 2 * size)
    odd = torch.tensor([0.0, 1.0], device=device).repeat(size)
    # NHWC uint8 → NCHW float with channels-last strides: no transposing copy, and grid_sample
    # reads that layout as fast as a contiguous one. Converting to float only here keeps the
    # host→device copy in uint8 (4× smaller).
    pixels = images.permute(0, 3, 1, 2)
    if workspace is None:
        grid = torch.addcmul(row, ys[:, :, None], odd)
        source = pixels.float()
    else:
        grid = workspace.tensor("grid", (batch, size, 2 * size), device)
        torch.addcmul(row, ys[:, :, None], odd, out=grid)
        source = workspace.tensor("source", tuple(pixels.shape), device, torch.channels_last)
        source.copy_(pixels)
    grid = grid.view(batch, size, size, 2)
    return F.grid_sample(source, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _normalize(images: torch.Tensor) -> torch.Tensor:
    """0..255 float ``B×C×S×S`` → ``2x/255 - 1``, grey → 3 channels.

    In place on ``images`` (always a fresh tensor here): a new 12 MB buffer per batch costs more
    than the arithmetic."""
    out = images.mul_(2 / 255).sub_(1)
    if out.shape[1] == 1:
        # Replicated after resampling (3× less interpolation); materialised, not a stride-0 view.
        out = out.expand(-1, 3, -1, -1).contiguous()
    return out
