"""What several handlers of the 1992-a batch share: reading tar members in archive order, lazily.

The reference iterates tar archives in the order they store their members, and assigns its random
splits by position in that order. ``tar_names`` recovers that order from the headers; ``TarMember``
lists name one image (an archive, a member, a label), and ``stream_members`` yields the images of a
list of them, reading each archive once per split and holding one image in memory at a time. So no
archive is unpacked to disk (the ALOI tars hold ~110,000 files; the volcano tar mostly data the
task does not use) and no split is ever materialised as decoded images.

Zip archives are different: their central directory lists the members cheaply, so handlers read
``zip_names`` (archive order) and yield the files of the extracted tree.
"""

from __future__ import annotations

import dataclasses
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nevisbench.data.handlers._common import layout_error
from nevisbench.data.spec import Example

_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, zlib.error)

# The reference's default filter for archive members (extraction_utils.DEFAULT_IGNORED_FILES_REGEX).
THUMBS_DB = re.compile(r".*Thumbs.db$")


def archive_error(dataset: str, path: Path, error: BaseException) -> ValueError:
    """The error for a truncated or corrupt archive: says which file to fetch again."""
    return ValueError(
        f"dataset {dataset}: {path.name} is not a complete archive ({error}); delete "
        f"downloads/{dataset}/{path.name} and prepare again"
    )


def tar_names(path: Path, dataset: str, artefact: str | None = None) -> list[str]:
    """The regular-file members of a tar (any compression), in the order the archive stores them.

    Only headers are read: an uncompressed tar is skipped through, a compressed one decompressed
    once. A missing archive is a LayoutError naming ``artefact`` (default: the file's name).
    """
    if not path.is_file():
        raise layout_error(dataset, artefact or path.name, str(path.name))
    try:
        with tarfile.open(path, "r:*") as archive:
            return [member.name for member in archive if member.isfile()]
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None


def zip_names(path: Path, dataset: str) -> list[str]:
    """The file members of a zip (no directory entries), in the order its central directory lists."""
    if not path.is_file():
        raise layout_error(dataset, path.name, path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None


@dataclasses.dataclass(frozen=True)
class TarMember:
    """One example to be read from a tar: its archive, its member name and its label."""

    archive: Path
    name: str
    label: int


def stream_members(
    members: Sequence[TarMember],
    dataset: str,
    decode: Callable[[str, bytes], Any] | None = None,
) -> Iterator[Example]:
    """Examples of ``members``: each archive is read once (in the order the archives first appear),
    yielding its wanted members in archive order. ``decode(name, data)`` turns a member's bytes
    into an image source (default: the encoded bytes, which the store decodes).

    A member listed twice yields twice (the reference can list a file under two labels). A wanted
    member that the archive lacks raises LayoutError; a truncated archive raises ValueError.
    """
    wanted: dict[Path, dict[str, list[int]]] = {}
    for member in members:
        wanted.setdefault(member.archive, {}).setdefault(member.name, []).append(member.label)
    for archive_path, names in wanted.items():
        found: set[str] = set()
        try:
            with tarfile.open(archive_path, "r:*") as archive:
                for info in archive:
                    if not info.isfile() or info.name not in names or info.name in found:
                        continue
                    handle = archive.extractfile(info)
                    assert handle is not None  # a regular file always has one
                    data = handle.read()
                    if len(data) != info.size:
                        raise EOFError(f"{info.name} ends after {len(data)} bytes")
                    found.add(info.name)
                    image = data if decode is None else decode(info.name, data)
                    for label in names[info.name]:
                        yield Example(image, label, f"{archive_path.name}:{info.name}")
                    if len(found) == len(names):
                        break
        except _ARCHIVE_ERRORS as error:
            raise archive_error(dataset, archive_path, error) from None
        missing = sorted(set(names) - found)
        if missing:
            raise layout_error(dataset, archive_path.name, ", ".join(missing[:3]))


def stream_splits(
    splits: Mapping[str, Sequence[TarMember]],
    dataset: str,
    decode: Callable[[str, bytes], Any] | None = None,
) -> dict[str, Iterator[Example]]:
    """``stream_members`` for each split (each generator reads its archives when iterated)."""
    return {name: stream_members(members, dataset, decode) for name, members in splits.items()}


def tree_names(root: Path, dataset: str, artefact: str) -> list[str]:
    """Every regular file under an extracted archive as a relative POSIX name, sorted: the
    reference's ``sorted(zip.namelist())`` order (hidden files included, as in the zip)."""
    if not root.is_dir():
        raise layout_error(dataset, artefact, f"extracted/{artefact}/")
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
