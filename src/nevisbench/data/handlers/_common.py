"""What many handlers share: layout errors that say what to do, file listing, archive reading, fixture writing."""

from __future__ import annotations

import io
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
from PIL import Image

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


def list_files(root: Path, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> list[Path]:
    """Regular files under ``root`` whose suffix (case-insensitive) is in ``suffixes``, sorted by
    their POSIX path relative to ``root``; hidden files (``.DS_Store``, ``._x.jpg``) are left out."""
    wanted = tuple(s.lower() for s in suffixes)
    found = [
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in wanted
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def images_by_folder(root: Path, suffixes: Iterable[str] = IMAGE_SUFFIXES) -> dict[str, list[Path]]:
    """``{class folder name: sorted image paths}`` for the layout ``root/<class>/<image>``."""
    out: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out[folder.name] = list_files(folder, suffixes)
    return out


# ------------------------------------------------------------------------------- reading archives


_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, zlib.error)


def read_members(
    path: Path, dataset: str, wanted: Iterable[str] | None = None
) -> dict[str, bytes]:
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
                        handle = archive.extractfile(member)
                        assert handle is not None  # a regular file always has one
                        data = handle.read()
                        if len(data) != member.size:
                            raise EOFError(f"{member.name} ends after {len(data)} bytes")
                        out[member.name] = data
                    if want is not None and len(out) == len(want):
                        break
    except _ARCHIVE_ERRORS as error:
        raise ValueError(
            f"dataset {dataset}: {path.name} is not a complete archive ({error}); delete "
            f"downloads/{dataset}/{path.name} and prepare again"
        ) from None
    if want is not None and len(out) != len(want):
        missing = sorted(want - set(out))
        raise layout_error(dataset, path.name, ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""))
    return out


# ------------------------------------------------------------------------------------- fixtures


def fixture_image(seed: int, height: int = 12, width: int = 12, channels: int = 3) -> np.ndarray:
    """A small deterministic uint8 image (``H×W`` when ``channels`` is 1, else ``H×W×C``)."""
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def encode_image(array: np.ndarray, fmt: str = "PNG", **options: object) -> bytes:
    """``array`` encoded as ``fmt`` (any PIL format: PNG, JPEG, BMP, TIFF, PPM, GIF…)."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def write_files(root: Path, members: Mapping[str, bytes]) -> None:
    """Writes ``{relative path: bytes}`` under ``root`` (the layout of an unpacked archive)."""
    for name, data in members.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def write_zip(path: Path, members: Mapping[str, bytes]) -> None:
    """A zip holding ``{member name: bytes}`` (deflated), written in the given order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def write_tar(path: Path, members: Mapping[str, bytes], compression: str = "gz") -> None:
    """A tar (``compression``: ``""``, ``gz``, ``bz2`` or ``xz``) holding ``{member name: bytes}``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, f"w:{compression}" if compression else "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))


def iter_lines(data: bytes) -> Iterator[str]:
    """Non-empty, stripped lines of a text file (UTF-8, undecodable bytes replaced)."""
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            yield line.strip()
