"""The reference's de-duplication: by the MD5 of an image's decoded pixels, with its label."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from nevisbench.data.spec import Example


def pixels_md5(path: Path | str, mode: str | None = None) -> str | None:
    """The MD5 (hex) of an image file's decoded pixels, converted to ``mode`` when given (else in
    the file's own mode); None when the file does not decode (the store counts it as corrupt)."""
    try:
        with Image.open(path) as image:
            return hashlib.md5((image.convert(mode) if mode else image).tobytes()).hexdigest()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def unique_by_pixels(examples: Iterable[Example], mode: str | None = None) -> list[Example]:
    """The examples whose (decoded pixels, label) pair has not been seen before, in order.

    The reference's de-duplication (``deduplicate_data_generator``): the key is ``pixels_md5`` of
    the example's image file (converted to ``mode``) with the label; the first example of a key is
    kept. An image that does not decode is always kept, so that the store counts it as corrupt.
    """
    seen: set[tuple[str, object]] = set()
    kept: list[Example] = []
    for example in examples:
        digest = pixels_md5(example.image, mode)
        if digest is not None:
            label = example.label
            if isinstance(label, (list, tuple, np.ndarray)):
                label = tuple(label)  # a multi-label example
            if (digest, label) in seen:
                continue
            seen.add((digest, label))
        kept.append(example)
    return kept
