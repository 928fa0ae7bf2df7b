"""Reading archives: members as bytes, tar and zip member names in archive order, streaming a
split's images straight from its archive, text lines of a member."""

from __future__ import annotations

import dataclasses
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Example

# The reference reads zip members in sorted order, but tar members in the order the tar stores them
# (and assigns its random splits by position in that order). ``tar_names`` recovers a tar's order
# from its headers alone; ``stream_tar_members`` and ``stream_zip_members`` yield the images of a
# list of members straight from the archive, holding one at a time, so that no archive has to be
# unpacked and no split is ever held in memory.


_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, zlib.error)

# The reference's default filter for archive members (extraction_utils.DEFAULT_IGNORED_FILES_REGEX).
THUMBS_DB = re.compile(r".*Thumbs.db$")


def archive_error(dataset: str, path: Path, error: BaseException) -> ValueError:
    """The error for a truncated or corrupt archive: says which file to fetch again."""
    return ValueError(
        f"dataset {dataset}: {path.name} is not a complete archive ({error}); delete "
        f"downloads/{dataset}/{path.name} and prepare again"
    )


def read_members(path: Path, dataset: str, wanted: Iterable[str] | None = None) -> dict[str, bytes]:
    """The regular-file members of a zip or tar (any compression) as bytes, in one pass.

    Args:
        path: the archive.
        dataset: the dataset id (for errors).
        wanted: member names to read; None reads every regular file. A wanted name that is absent
            raises LayoutError.

    Raises:
        ValueError: the archive is truncated or corrupt (the message says to fetch it again).
    """
    want = None if wanted is None else set(wanted)
    out: dict[str, bytes] = {}
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir() and (want is None or info.filename in want):
                        out[info.filename] = archive.read(info)
        else:
            with tarfile.open(path, "r:*") as archive:
                for member in archive:
                    if member.isfile() and (want is None or member.name in want):
                        out[member.name] = _read_tar_member(archive, member)
                    if want is not None and len(out) == len(want):
                        break
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None
    if want is not None and len(out) != len(want):
        missing = sorted(want - set(out))
        raise layout_error(
            dataset, path.name, ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        )
    return out


def _read_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    assert handle is not None  # a regular file always has one
    data = handle.read()
    if len(data) != member.size:
        raise EOFError(f"{member.name} ends after {len(data)} bytes")
    return data


def member_path(name: str) -> str:
    """A member name as the extractor writes it: no leading ``./`` or ``/``, no empty parts."""
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def tar_names(
    path: Path, dataset: str, artefact: str | None = None, *, as_extracted: bool = False
) -> list[str]:
    """The regular-file members of a tar (any compression), in the order the archive stores them.

    Only headers are read: an uncompressed tar is skipped through, a compressed one decompressed
    once. ``as_extracted`` gives the names as ``member_path`` writes them (to find the files in the
    unpacked tree); otherwise they are the members' own names. A missing archive is a LayoutError
    naming ``artefact`` (default: the file's name).

    Raises:
        ValueError: the archive is truncated or corrupt (the message says to fetch it again).
    """
    if not path.is_file():
        raise layout_error(dataset, artefact or path.name, str(path.name))
    try:
        with tarfile.open(path, "r:*") as archive:
            names = [member.name for member in archive if member.isfile()]
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None
    return [member_path(name) for name in names] if as_extracted else names


def zip_names(path: Path, dataset: str) -> list[str]:
    """The file members of a zip (no directory entries), in its central directory's order."""
    if not path.is_file():
        raise layout_error(dataset, path.name, path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None


def tree_names(root: Path, dataset: str, artefact: str) -> list[str]:
    """Every regular file under an extracted archive as a relative POSIX name, sorted: the
    reference's ``sorted(zip.namelist())`` order (hidden files included, as in the zip)."""
    if not root.is_dir():
        raise layout_error(dataset, artefact, f"extracted/{artefact}/")
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


@dataclasses.dataclass(frozen=True)
class TarMember:
    """One example to be read from a tar: its archive, its member name and its label."""

    archive: Path
    name: str
    label: int


def stream_tar_members(
    members: Sequence[TarMember],
    dataset: str,
    decode: Callable[[str, bytes], Any] | None = None,
) -> Iterator[Example]:
    """Examples of ``members``: each archive is read once (in the order the archives first appear),
    yielding its wanted members in archive order. ``decode(name, data)`` turns a member's bytes
    into an image source (default: the encoded bytes, which the store decodes). An example's name
    is ``<archive file name>:<member name>``.

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
                    data = _read_tar_member(archive, info)
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


def stream_tar_splits(
    splits: Mapping[str, Sequence[TarMember]],
    dataset: str,
    decode: Callable[[str, bytes], Any] | None = None,
) -> dict[str, Iterator[Example]]:
    """``stream_tar_members`` for each split (each generator reads its archives when iterated)."""
    return {name: stream_tar_members(members, dataset, decode) for name, members in splits.items()}


def stream_zip_members(
    path: Path,
    dataset: str,
    members: Iterable[tuple[str, int | Sequence[int]]],
    *,
    unreadable_as_corrupt: bool = False,
) -> Iterator[Example]:
    """Examples of a zip's ``(member name, label)`` pairs, in the given order, without unpacking.

    Each image is the member's encoded bytes (the store decodes them), read when the example is
    reached; the example's name is the member name. The zip is opened when iteration starts.

    Args:
        unreadable_as_corrupt: a member that is absent or cannot be inflated yields ``b""``, which
            the store counts as a corrupt image, instead of failing the whole conversion.

    Raises:
        ValueError: the zip is truncated or corrupt (the message says to fetch it again).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            present = set(archive.namelist()) if unreadable_as_corrupt else None
            for name, label in members:
                if present is None:
                    data = archive.read(name)
                else:
                    try:
                        data = archive.read(name) if name in present else b""
                    except (zipfile.BadZipFile, zlib.error, EOFError):
                        data = b""
                yield Example(data, label, name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise archive_error(dataset, path, error) from None


def iter_lines(data: bytes) -> Iterator[str]:
    """Non-empty, stripped lines of a text file (UTF-8, undecodable bytes replaced)."""
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            yield line.strip()
