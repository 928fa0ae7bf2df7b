"""Fixture writing: small deterministic images, and the archives (zip, tar, RAR) that hold them."""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from PIL import Image


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
