"""What many handlers share: layout errors that say what to do, file listing, archive listing and
streaming, MATLAB files, the reference's pixel de-duplication and count buckets, fixture writing."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nevisbench.data.spec import Example

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


# ------------------------------------------------------------------------------- reading archives
#
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
                        out[member.name] = _read_tar_member(archive, member)
                    if want is not None and len(out) == len(want):
                        break
    except _ARCHIVE_ERRORS as error:
        raise archive_error(dataset, path, error) from None
    if want is not None and len(out) != len(want):
        missing = sorted(want - set(out))
        raise layout_error(dataset, path.name, ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""))
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


# ---------------------------------------------------------------------------------- MATLAB files


def load_mat(
    source: Path | bytes, dataset: str, artefact: str, member: str = "", **options: Any
) -> dict[str, Any]:
    """The variables of a MATLAB file (a path, or the bytes of an archive member), read with
    ``scipy.io.loadmat(source, **options)``.

    Args:
        source: the file, or its bytes.
        dataset: the dataset id (for errors).
        artefact: the artefact the file is or comes from (for errors).
        member: the file's member name inside ``artefact``, when it comes from an archive.

    Raises:
        LayoutError: the file does not read as MATLAB. scipy reports a truncated or corrupt file in
            several ways depending on where the cut falls; they all become this one error, which
            says to fetch the artefact again.
    """
    import scipy.io  # imported here to keep the handlers' import cheap
    from scipy.io.matlab import MatReadError

    errors = (MatReadError, OSError, EOFError, ValueError, TypeError, KeyError, IndexError, zlib.error)
    readable = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return scipy.io.loadmat(readable, **options)
    except errors as error:
        what = f"a readable MATLAB file {member}".rstrip()
        raise layout_error(dataset, artefact, f"{what} ({type(error).__name__}: {error})") from None


# ------------------------------------------------------------------------------- de-duplication


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


# --------------------------------------------------------------------------------- count labels


def count_buckets(
    counts: Sequence[int], max_count: int, dataset: str, num_buckets: int = 10
) -> list[int]:
    """The reference's quantisation of object counts (crowds, vehicles) into ``num_buckets`` classes
    of contiguous counts holding roughly equal numbers of images.

    Histogram of the counts over ``0..max_count-1`` (larger counts in the last cell); bucket
    boundary k (k = 1..num_buckets-1) is the last count whose cumulative frequency is below
    k/num_buckets of the total; then, walking the counts upwards, the label steps up by one at
    each count past the current label's boundary (one step per count, as the reference walks).

    Returns:
        ``table[c]``: the label of count ``c`` for ``c`` in ``0..max_count-1`` (a larger count takes
        ``table[max_count - 1]``).

    Raises:
        ValueError: the counts cannot fill ``num_buckets`` buckets.
    """
    histogram = np.zeros(max_count)
    for count in counts:
        histogram[min(count, max_count - 1)] += 1
    cumulative = np.cumsum(histogram)
    per_bucket = histogram.sum() / num_buckets
    boundaries = []
    for k in range(1, num_buckets):
        below = np.flatnonzero(cumulative < per_bucket * k)
        if not len(below):
            raise ValueError(
                f"dataset {dataset}: counts too concentrated for {num_buckets} buckets "
                f"(boundary {k})"
            )
        boundaries.append(int(below[-1]))
    boundaries.append(max_count)
    table, label = [], 0
    for count in range(max_count):
        if count > boundaries[label]:
            label += 1
        table.append(label)
    if label != num_buckets - 1:
        raise ValueError(
            f"dataset {dataset}: the counts give {label + 1} buckets, not {num_buckets}"
        )
    return table


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


def image_members(
    paths: Iterable[str], *, seed: int, channels: int, fmt: str = "PNG", side: int = 8
) -> dict[str, bytes]:
    """``{path: a small encoded image}`` for fixtures, each image different."""
    return {
        path: encode_image(fixture_image(seed + k, side, side, channels), fmt)
        for k, path in enumerate(paths)
    }


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
        _add_members(archive, members)


def tar_bytes(members: Mapping[str, bytes]) -> bytes:
    """An uncompressed tar holding ``{member name: bytes}``, as bytes (for a tar inside an archive)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        _add_members(archive, members)
    return buffer.getvalue()


def _add_members(archive: tarfile.TarFile, members: Mapping[str, bytes]) -> None:
    for name, data in members.items():
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(data))


def write_rar(path: Path, members: Mapping[str, bytes]) -> None:
    """A RAR 4 archive holding ``members`` uncompressed (no free tool writes RAR, so we do it).

    Layout (RAR 4 technote): the marker block, a main archive header, one file header per member
    followed by its bytes (method 0x30, stored), and the end-of-archive block. Each block starts
    with the low 16 bits of the CRC-32 of the rest of its header.
    """
    out = bytearray(b"Rar!\x1a\x07\x00")
    out += _rar_block(0x73, 0, bytes(6))  # main header: two reserved fields
    for name, data in members.items():
        raw = name.replace("/", "\\").encode()  # host OS Windows: backslash separators
        # Packed size, size, host OS, CRC, DOS time (1980-01-01), version 2.9, method stored, name
        # length, attributes (archive); flags LONG_BLOCK (data follows the header).
        body = struct.pack(
            "<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), 0x00210000, 29, 0x30,
            len(raw), 0x20,
        )  # fmt: skip
        out += _rar_block(0x74, 0x8000, body + raw) + data
    out += _rar_block(0x7B, 0x4000, b"")  # end of archive
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))


def _rar_block(kind: int, flags: int, body: bytes) -> bytes:
    head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head


def iter_lines(data: bytes) -> Iterator[str]:
    """Non-empty, stripped lines of a text file (UTF-8, undecodable bytes replaced)."""
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            yield line.strip()
