"""Brick, grass and gravel: 32×32 patches cut from scikit-image's three 512×512 grey texture images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

CLASSES = ("brick", "grass", "gravel")
PATCH = 32
# 32×32 gives 16×16 = 256 patches per 512×512 image: enough to learn, small enough that a patch
# holds only a few bricks or stones, so the task is not solved by mean brightness alone.


def bands(patch_rows: int) -> dict[str, range]:
    """The patch rows each split takes: horizontal bands, top to bottom, so no pixel is in two splits.

    Of ``n`` patch rows: train the top half, dev the next eighth, dev_test the next eighth, test the
    bottom quarter (for 512 pixels: rows 0–255, 256–319, 320–383, 384–511), close to R4's fractions.
    """
    if patch_rows < 8:
        raise ValueError(
            f"textures need at least 8 rows of {PATCH}-pixel patches, got {patch_rows}"
        )
    cuts = [0, patch_rows // 2, patch_rows * 5 // 8, patch_rows * 3 // 4, patch_rows]
    names = ("train", "dev", "dev_test", "test")
    return {name: range(cuts[i], cuts[i + 1]) for i, name in enumerate(names)}


def _read(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("L"))
    except OSError as error:
        raise ValueError(f"{path}: not a readable image ({error})") from None


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    for label, name in enumerate(CLASSES):
        pixels = _read(raw_dir / f"{name}.png")
        rows, cols = pixels.shape[0] // PATCH, pixels.shape[1] // PATCH
        for split, band in bands(rows).items():
            for row in band:
                for col in range(cols):
                    y, x = row * PATCH, col * PATCH
                    patch = np.ascontiguousarray(pixels[y : y + PATCH, x : x + PATCH])
                    out[split].append(Example(patch, label, f"{name}.png y={y} x={x}"))
    return out


def make_fixture(raw_dir: Path) -> None:
    # Grey PNGs like the real ones, smaller (256×64: 8×2 patches), each class with its own statistics.
    rng = np.random.default_rng(0)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for label, name in enumerate(CLASSES):
        pixels = rng.normal(64 + 64 * label, 20, size=(8 * PATCH, 2 * PATCH)).clip(0, 255)
        Image.fromarray(pixels.astype(np.uint8)).save(raw_dir / f"{name}.png")


SPEC = register_dataset(
    DatasetSpec(
        id="skimage_textures",
        title="Textures: brick, grass, gravel (scikit-image sample images, 32×32 patches)",
        num_classes=3,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASSES,
        homepage="https://scikit-image.org/docs/stable/api/skimage.data.html",
        paper_title="scikit-image: image processing in Python (van der Walt et al., PeerJ 2:e453, 2014); "
        "the images: skimage.data.brick (CC0Textures Bricks25), grass (DeviantArt linolafett Grass-01), "
        "gravel (CC0Textures Gravel04)",
        paper_url="https://doi.org/10.7717/peerj.453",
        # All three docstrings: the original image was "licensed under the Creative Commons CC0 License".
        license="CC0 1.0 (each original image, per the scikit-image docstrings)",
        artefacts=tuple(
            Artefact(f"{name}.png", "package", f"scikit-image:skimage/data/{name}.png")
            for name in CLASSES
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule=f"non-overlapping {PATCH}×{PATCH} patches; each image cut into horizontal bands of "
        "patch rows: top half → train, next eighth → dev, next eighth → dev_test, bottom quarter → test "
        "(rows 0–255 / 256–319 / 320–383 / 384–511 of a 512-pixel image), so no pixel is in two splits",
    )
)
