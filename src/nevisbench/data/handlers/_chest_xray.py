"""What the chest X-ray handlers share (pneumonia_chest_xray, tubercolosis, covid_19_xray,
synthetic_covid19_xray): images labelled by their folder inside an unpacked Kaggle zip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Example


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
