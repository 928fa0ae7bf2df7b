"""Images for the store: decoding any image source a handler yields, crops, and the square resize."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nevisbench.data.spec import Crop

# PIL's own default bomb threshold; an image above it counts as corrupt instead of being decoded.
MAX_IMAGE_PIXELS = 89_478_485


def decode_image(image: Any, channels: int) -> np.ndarray:
    """Returns ``image`` as an ``H×W×channels`` uint8 array.

    Raises:
        OSError / ValueError: the image cannot be decoded (the writer counts and skips it).
        TypeError: the handler produced something that is not an image (a bug, not bad data).
    """
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:
            raise TypeError(f"image arrays must be uint8, got {image.dtype}")
        array = image[:, :, None] if image.ndim == 2 else image
        if array.ndim != 3:
            raise TypeError(f"image arrays must be H×W or H×W×C, got shape {image.shape}")
        if array.shape[2] == channels:
            return np.ascontiguousarray(array)
        if array.shape[2] == 1 and channels == 3:
            return np.ascontiguousarray(np.repeat(array, 3, axis=2))
        pil = Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)
        return _pil_to_array(pil, channels)
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _open_and_convert(io.BytesIO(bytes(image)), channels)
    if isinstance(image, (str, os.PathLike)):
        return _open_and_convert(Path(image), channels)
    if isinstance(image, Image.Image):
        return _pil_to_array(image, channels)
    if isinstance(image, Crop):
        return _crop(decode_image(image.source, channels), image.box)
    raise TypeError(f"cannot read an image from {type(image).__name__}")


def _crop(array: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = (int(v) for v in box)
    height, width = array.shape[:2]
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, width), min(bottom, height)
    if right <= left or bottom <= top:
        raise ValueError(f"crop box {tuple(box)} holds no pixel of a {width}×{height} image")
    return np.ascontiguousarray(array[top:bottom, left:right])


def _open_and_convert(source: Any, channels: int) -> np.ndarray:
    with warnings.catch_warnings():
        # A decompression bomb is bad input: refuse it like a corrupt file.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as pil:
            if pil.width * pil.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"image of {pil.width}×{pil.height} pixels exceeds the decompression cap")
            pil.load()
            return _pil_to_array(pil, channels)


def _pil_to_array(pil: Image.Image, channels: int) -> np.ndarray:
    mode = "L" if channels == 1 else "RGB"
    if pil.mode != mode:
        # Palette and alpha images go through RGBA so transparency does not turn into noise.
        if pil.mode in ("P", "PA", "LA", "RGBA") and mode == "RGB":
            pil = pil.convert("RGBA").convert("RGB")
        elif pil.mode in ("I;16", "I;16B", "I", "F"):
            # 16-bit and float images (X-rays, depth): scale to 8 bits by their own range.
            values = np.asarray(pil, dtype=np.float64)
            low, high = float(values.min()), float(values.max())
            scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
            pil = Image.fromarray(scaled.round().astype(np.uint8)).convert(mode)
        else:
            pil = pil.convert(mode)
    array = np.asarray(pil, dtype=np.uint8)
    return array[:, :, None] if array.ndim == 2 else array


def square_resize(image: np.ndarray, side: int) -> np.ndarray:
    """Centre square crop of side min(H, W), resized to ``side×side`` (bicubic, antialiased)."""
    height, width = image.shape[:2]
    crop = min(height, width)
    top, left = (height - crop) // 2, (width - crop) // 2
    square = image[top : top + crop, left : left + crop]
    if crop == side:
        return np.ascontiguousarray(square)
    pil = Image.fromarray(square[:, :, 0] if square.shape[2] == 1 else square)
    resized = np.asarray(pil.resize((side, side), Image.Resampling.BICUBIC), dtype=np.uint8)
    return resized[:, :, None] if resized.ndim == 2 else resized
