"""Raw layouts: errors that say what to fetch again, file listing, class look-ups, example names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".ppm", ".pgm", ".pbm")


class LayoutError(ValueError):
    """A raw file lacks something its handler needs (a member, a folder, an annotation)."""


def layout_error(dataset: str, artefact: str, what: str) -> LayoutError:
    """The error for a raw file whose layout is not the one expected.

    Args:
        dataset: the dataset id.
        artefact: the artefact's filename (what to delete and fetch again).
        what: what is missing or wrong, e.g. ``"folder 101_ObjectCategories/"``.
    """
    return LayoutError(
        f"dataset {dataset}: {what} not found in {artefact}; the file may be incomplete or another "
        f"version of the dataset: delete downloads/{dataset}/{artefact} (and downloads/{dataset}/"
        f"extracted/{artefact}) and run `nevisbench datasets prepare {dataset}` again"
    )


def require(path: Path, dataset: str, artefact: str, root: Path | None = None) -> Path:
    """``path`` if it exists, else a LayoutError naming it (relative to ``root`` when given)."""
    if not path.exists():
        shown = path.relative_to(root) if root is not None else path
        raise layout_error(dataset, artefact, str(shown))
    return path


def list_files(root: Path, suffixes: Iterable[str] | None = IMAGE_SUFFIXES) -> list[Path]:
    """Regular files under ``root`` whose suffix (case-insensitive) is in ``suffixes`` (None: any
    file), sorted by their POSIX path relative to ``root``; hidden files (``.DS_Store``,
    ``._x.jpg``) and files in hidden folders are left out."""
    wanted = None if suffixes is None else tuple(s.lower() for s in suffixes)
    found = [
        path
        for path in root.rglob("*")
        if path.is_file()
        and (wanted is None or path.suffix.lower() in wanted)
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def images_by_folder(root: Path, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> dict[str, list[Path]]:
    """``{class folder name: sorted image paths}`` for the layout ``root/<class>/<image>``."""
    out: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out[folder.name] = list_files(folder, suffixes)
    return out


def kaggle_zip(slug: str) -> str:
    """The file the Kaggle client writes for dataset ``owner/slug``: ``<slug>.zip``."""
    return slug.split("/")[-1] + ".zip"


def class_lookup(class_names: tuple[str, ...]) -> dict[str, int]:
    """``{class name: label}`` for a static class list."""
    return {name: label for label, name in enumerate(class_names)}


def label_of(lookup: Mapping[str, int], name: str, dataset: str, artefact: str, where: str) -> int:
    """The label of class ``name``; a class outside the static list is a LayoutError."""
    try:
        return lookup[name]
    except KeyError:
        raise layout_error(
            dataset, artefact, f"a known class for {where} (it names {name!r})"
        ) from None


def relative_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as a POSIX string (an example's name)."""
    return path.relative_to(root).as_posix()
