"""What the chest X-ray handlers share (pneumonia_chest_xray, tubercolosis, covid_19_xray, also used by
animal_web): images labelled by their folder inside an unpacked Kaggle zip, the reference's duplicate
removal, and fixture writing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PIL import Image

from nevisbench.data.handlers._common import (
    encode_image,
    fixture_image,
    layout_error,
    list_files,
    write_zip,
)
from nevisbench.data.spec import Example


def kaggle_zip(slug: str) -> str:
    """The file the Kaggle client writes for dataset ``owner/slug``: ``<slug>.zip``."""
    return slug.split("/")[-1] + ".zip"


def folder_labelled(
    root: Path,
    class_names: Sequence[str],
    dataset: str,
    artefact: str,
    *,
    label_folder: Callable[[Path], str | None] | None = None,
    prefix: str = "",
) -> list[Example]:
    """Every image under ``root`` in sorted relative-path order (the order of the reference's
    ``sorted(zip.namelist())``), labelled by its folder.

    Args:
        root: the unpacked tree (or a folder of it).
        class_names: the static class names; a folder name not among them is a layout error.
        dataset: the dataset id (for errors).
        artefact: the artefact's filename (for errors).
        label_folder: maps an image path (relative to ``root``) to its class folder name, or None
            to skip the image; default: the name of the image's parent folder.
        prefix: put before each example's name (its path relative to ``root``).
    """
    if not root.is_dir():
        raise layout_error(dataset, artefact, f"folder {root.name}/")
    index = {name: label for label, name in enumerate(class_names)}
    out: list[Example] = []
    for path in list_files(root):
        relative = path.relative_to(root)
        folder = label_folder(relative) if label_folder else relative.parent.name
        if folder is None:
            continue
        if folder not in index:
            raise layout_error(
                dataset,
                artefact,
                f"class folder {folder!r} (of {relative.as_posix()}) among {list(class_names)}",
            )
        out.append(Example(path, index[folder], prefix + relative.as_posix()))
    if not out:
        raise layout_error(dataset, artefact, f"any image under {root.name}/")
    return out


def pixel_hash(path: Path, mode: str) -> str | None:
    """MD5 of an image's decoded pixels after conversion to ``mode`` (the reference's duplicate key);
    None when the file does not decode (the store counts it as corrupt later)."""
    try:
        with Image.open(path) as image:
            return hashlib.md5(image.convert(mode).tobytes()).hexdigest()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def deduplicate(examples: Iterable[Example], mode: str) -> list[Example]:
    """The examples whose (decoded pixels, label) were not seen before, in order (the reference's
    ``deduplicate_data_generator``: md5 of the converted image's bytes, plus the label).

    Files that fail to decode are kept, so that the store counts them as corrupt.
    """
    seen: set[tuple[str, int]] = set()
    out: list[Example] = []
    for example in examples:
        digest = pixel_hash(Path(example.image), mode)
        if digest is not None:
            key = (digest, int(example.label))  # type: ignore[arg-type]
            if key in seen:
                continue
            seen.add(key)
        out.append(example)
    return out


def image_members(
    paths: Iterable[str], *, seed: int, channels: int, fmt: str = "PNG", side: int = 8
) -> dict[str, bytes]:
    """``{path: a small encoded image}`` for fixtures, each image different."""
    return {
        path: encode_image(fixture_image(seed + k, side, side, channels), fmt)
        for k, path in enumerate(paths)
    }


def write_kaggle_fixture(path: Path, members: dict[str, bytes]) -> None:
    """A fixture zip in the Kaggle layout (members as given)."""
    write_zip(path, members)
