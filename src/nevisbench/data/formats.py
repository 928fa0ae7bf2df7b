"""Archive formats: which one a file is (by its first bytes), and unpacking each, member by member.

Every member goes through ``data/members.py`` before it is written; ``data/extract.py`` calls
``unpack`` inside a temporary directory and owns idempotence and atomicity.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from nevisbench.data.members import (
    Budget,
    CappedWriter,
    MemberTree,
    UnsafeArchiveError,
    check_link,
    copy_capped,
    inside,
    member_path,
)

FORMATS = ("zip", "tar", "gz", "bz2", "xz", "Z", "rar")
"""What ``archive_format`` recognises; gz, bz2, xz and Z hold either one file or a tar."""

# Magic numbers, checked in order: the content decides, not the name (Drive downloads have odd names).
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip
    (b"Rar!\x1a\x07", "rar"),  # RAR 4 and RAR 5
    (b"\x1f\x8b", "gz"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x9d", "Z"),  # Unix compress (LZW)
)
_OPENERS: dict[str, Callable[..., IO[bytes]]] = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}
_SUFFIXES = {"gz": (".gz",), "bz2": (".bz2",), "xz": (".xz",), "Z": (".Z",)}

# Python ≥ 3.12 (and 3.8.17+/3.9.17+/3.10.12+/3.11.4+) has the tar extraction filters; the 'data'
# filter refuses what we refuse and also drops owners, setuid bits and device files. Without it,
# don't restore owners or modes; our own checks below hold either way.
_TAR_OPTIONS: dict[str, Any] = (
    {"filter": "data"} if hasattr(tarfile, "data_filter") else {"set_attrs": False}
)
_FILTER_ERROR: Any = getattr(tarfile, "FilterError", ())  # `except ()` catches nothing


class MissingToolError(RuntimeError):
    """An archive needs an optional library or system tool that is not installed."""


def archive_format(path: Path) -> str:
    """The format of ``path`` from its first bytes: one of ``FORMATS``.

    Raises:
        ValueError: not an archive this module unpacks.
    """
    with open(path, "rb") as handle:
        head = handle.read(512)
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if _is_tar_header(head):
        return "tar"
    raise ValueError(
        f"{path}: not an archive nevisbench can unpack (zip, tar, tar.gz/bz2/xz/Z, .gz, .bz2, .xz, "
        f".Z, rar); it may be an error page saved in its place: delete it and prepare again"
    )


def unpack(fmt: str, archive: Path, content: Path, work: Path, budget: Budget) -> list[str]:
    """Unpacks ``archive`` (of format ``fmt``) into the empty directory ``content``.

    Args:
        fmt: the archive's format, from ``archive_format``.
        archive: the archive.
        content: where its members go.
        work: a scratch directory beside ``content`` (for a decompressed .Z).
        budget: the bytes the members may still add up to.

    Returns:
        the member paths of the links skipped because they point inside (nothing is made for them).

    Raises:
        UnsafeArchiveError: a refused member; ValueError: a corrupt archive.
    """
    try:
        if fmt == "zip":
            return _unpack_zip(archive, content, budget)
        if fmt == "rar":
            return _unpack_rar(archive, content, budget)
        if fmt == "tar":
            return _unpack_tar(archive, archive, content, budget)
        if fmt == "Z":
            return _unpack_z(archive, content, work, budget)
        with _OPENERS[fmt](archive, "rb") as handle:
            head = handle.read(512)
        if _is_tar_header(head):  # a compressed tar: tarfile's "r|*" decompresses it itself
            return _unpack_tar(archive, archive, content, budget)
        with _OPENERS[fmt](archive, "rb") as handle:
            copy_capped(handle, content / _single_name(archive, fmt), budget)
        return []
    except (
        zipfile.BadZipFile,
        tarfile.TarError,
        EOFError,
        zlib.error,
        lzma.LZMAError,
        gzip.BadGzipFile,
    ) as error:
        raise ValueError(
            f"{archive}: corrupt or truncated archive ({error}); delete it and prepare again"
        ) from error


def _is_tar_header(block: bytes) -> bool:
    if len(block) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(block[: tarfile.BLOCKSIZE], "utf-8", "surrogateescape")
    except tarfile.HeaderError:  # a bad checksum, or an all-zero block
        return False
    return True


def _single_name(archive: Path, fmt: str) -> str:
    for suffix in _SUFFIXES[fmt]:
        if archive.name.endswith(suffix) and len(archive.name) > len(suffix):
            return archive.name[: -len(suffix)]
    return archive.name


def _unpack_zip(archive: Path, content: Path, budget: Budget) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        # Every member is checked before anything is written; the central directory lists them all.
        tree, plan = MemberTree(archive), []
        for info in zf.infolist():
            relative = member_path(archive, info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):  # a Unix symlink stored by zip -y
                check_link(archive, info.filename, _link_text(archive, info, zf), from_root=False)
                kind = "link"
            else:
                kind = "directory" if info.is_dir() else "file"
            if relative is not None:
                tree.claim(info.filename, relative, kind)
                if kind != "link":
                    plan.append((info, relative))
        _write_planned(archive, zf, plan, content, budget)
        return tree.skipped_links


def _link_text(archive: Path, info: Any, opened: Any) -> str:
    """The target of a link stored as its content (zip symlinks, RAR 3 symlinks)."""
    if info.file_size > 4096:  # PATH_MAX: no real link target is longer
        raise UnsafeArchiveError(
            f"{archive}: member {info.filename!r} is a link with a {info.file_size:,}-byte target; "
            f"refused (nothing was extracted)"
        )
    return opened.read(info).decode("utf-8", "surrogateescape")


def _write_planned(archive: Path, opened: Any, plan: list, content: Path, budget: Budget) -> None:
    """Writes the checked members of a zip or rar: the declared total first against the cap, then
    each member by our own copy — not ``extract``, which would rename '../x' to 'x' silently and
    trusts declared sizes that can lie; the budget counts what is really written."""
    Budget(archive, budget.limit).take(sum(info.file_size for info, _ in plan))
    for info, relative in plan:
        path = inside(content, relative)
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        with opened.open(info) as source:
            copy_capped(source, path, budget)


def _unpack_tar(archive: Path, source: Path, content: Path, budget: Budget) -> list[str]:
    # Stream mode: one pass through a compressed tar, members taken in order; a refusal midway
    # leaves only the work directory, which extract() removes.
    tree = MemberTree(archive)
    with tarfile.open(source, mode="r|*") as tar:
        for member in tar:
            relative = member_path(archive, member.name)
            if member.issym() or member.islnk():
                # A hard link's target is a member path (from the root), a symlink's is relative.
                check_link(archive, member.name, member.linkname, from_root=member.islnk())
                if relative is not None:
                    tree.claim(member.name, relative, "link")
                continue
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} is a device, FIFO or other special file; refused"
                )
            if relative is None:
                continue
            tree.claim(member.name, relative, "directory" if member.isdir() else "file")
            inside(content, relative)
            if member.isfile():
                budget.take(member.size)  # a tar header states the exact size it will write
            member.name = str(relative)  # what we checked is what gets written
            try:
                tar.extract(member, content, **_TAR_OPTIONS)
            except _FILTER_ERROR as error:  # our checks should have caught it first
                raise UnsafeArchiveError(f"{archive}: {error}; refused") from error
    return tree.skipped_links


def _unpack_z(archive: Path, content: Path, work: Path, budget: Budget) -> list[str]:
    ncompress = _import_ncompress(f"{archive} is compressed with Unix compress (.Z); unpacking it")
    unpacked = work / "unpacked"
    with open(archive, "rb") as source, open(unpacked, "wb") as handle:
        ncompress.decompress(source, CappedWriter(handle, Budget(archive, budget.limit)))
    with open(unpacked, "rb") as handle:
        head = handle.read(tarfile.BLOCKSIZE)
    if _is_tar_header(head):
        skipped = _unpack_tar(archive, unpacked, content, budget)
        unpacked.unlink()  # at once: a crash before the work directory goes must not leave it
        return skipped
    budget.take(unpacked.stat().st_size)
    unpacked.rename(content / _single_name(archive, "Z"))
    return []


def _import_rarfile() -> Any:
    tools = (
        "a RAR tool: `apt-get install unar` (or libarchive-tools for bsdtar, or the non-free unrar)"
    )
    try:
        import rarfile
    except ImportError:
        raise MissingToolError(
            f"unpacking RAR archives needs the rarfile package, pip install 'nevisbench[rar]', and "
            f"{tools}"
        ) from None
    try:
        rarfile.tool_setup()
    except rarfile.RarCannotExec:
        raise MissingToolError(
            f"unpacking RAR archives needs {tools}; rarfile found none of unrar, unar, 7z or bsdtar "
            f"on the PATH"
        ) from None
    return rarfile


# RAR 5 redirection types whose target is a member path from the archive's root (rarfile's
# RAR5_XREDIR_HARD_LINK and RAR5_XREDIR_FILE_COPY); symlinks (1, 2) are relative to their directory,
# junctions (3) are absolute and so refused.
_RAR_FROM_ROOT = (4, 5)


def _unpack_rar(archive: Path, content: Path, budget: Budget) -> list[str]:
    rarfile = _import_rarfile()
    try:
        with rarfile.RarFile(archive) as rf:
            tree, plan = MemberTree(archive), []
            for info in rf.infolist():
                relative = member_path(archive, info.filename)
                # file_redir: RAR 5 links, file copies and junctions; is_symlink: RAR 3 symlinks,
                # whose target is their content.
                redir = getattr(info, "file_redir", None)
                if redir or info.is_symlink():
                    target = redir[2] if redir else _link_text(archive, info, rf)
                    from_root = bool(redir) and redir[0] in _RAR_FROM_ROOT
                    check_link(archive, info.filename, target, from_root=from_root)
                    if relative is not None:
                        tree.claim(info.filename, relative, "link")
                    continue
                if info.needs_password():
                    raise ValueError(
                        f"{archive}: member {info.filename!r} is encrypted; unsupported"
                    )
                if relative is not None:
                    tree.claim(info.filename, relative, "directory" if info.is_dir() else "file")
                    plan.append((info, relative))
            _write_planned(archive, rf, plan, content, budget)
            return tree.skipped_links
    except rarfile.RarCannotExec as error:
        raise MissingToolError(f"{archive}: {error}; install unar, bsdtar or unrar") from error
    except rarfile.Error as error:
        raise ValueError(
            f"{archive}: corrupt or unsupported RAR archive ({error}); delete it and prepare again"
        ) from error


def decompress_z(data: bytes) -> bytes:
    """The content of Unix-compress (``.Z``, LZW) bytes, e.g. a member read from a tar.

    Raises:
        MissingToolError: the optional ncompress package is missing.
    """
    return _import_ncompress("decompressing .Z data").decompress(data)


def _import_ncompress(what: str) -> Any:
    try:
        import ncompress
    except ImportError:
        raise MissingToolError(
            f"{what} needs the ncompress package: pip install 'nevisbench[lzw]'"
        ) from None
    return ncompress
