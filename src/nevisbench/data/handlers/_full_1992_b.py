"""What several handlers of the 1992-b batch share: class look-ups that fail with a layout error,
and example names relative to an unpacked archive."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nevisbench.data.handlers._common import layout_error


def class_lookup(class_names: tuple[str, ...]) -> dict[str, int]:
    """``{class name: label}`` for a static class list."""
    return {name: label for label, name in enumerate(class_names)}


def label_of(
    lookup: Mapping[str, int], name: str, dataset: str, artefact: str, where: str
) -> int:
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
