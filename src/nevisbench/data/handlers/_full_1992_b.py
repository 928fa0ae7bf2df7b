"""What several handlers of the 1992-b batch share: archive member order, class look-ups, path names.

The reference reads zip members in sorted order (which ``list_files`` reproduces over the extracted
tree) but tar members in the order the tar stores them; ``tar_member_order`` recovers that order
from the headers alone, so handlers can yield the extracted files in the reference's order.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

from nevisbench.data.handlers._common import layout_error

_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def member_path(name: str) -> str:
    """A member name as the extractor writes it: no leading ``./`` or ``/``, no empty parts."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def tar_member_order(
    path: Path, dataset: str, keep: Callable[[str], bool] | None = None
) -> list[str]:
    """The regular-file members of a tar (any compression), in the order the archive stores them.

    Only headers are read (an uncompressed tar is skipped through, a compressed one decompressed
    once). Names are normalised with ``member_path``; ``keep`` filters them.

    Raises:
        ValueError: the archive is truncated or corrupt (the message says to fetch it again).
    """
    names: list[str] = []
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.isfile():
                    name = member_path(member.name)
                    if keep is None or keep(name):
                        names.append(name)
    except _TAR_ERRORS as error:
        raise ValueError(
            f"dataset {dataset}: {path.name} is not a complete tar archive ({error}); delete "
            f"downloads/{dataset}/{path.name} and prepare again"
        ) from None
    return names


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
