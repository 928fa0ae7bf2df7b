"""Unpacking raw archives safely: nothing outside the target, no links, a size cap, atomic and idempotent."""

from __future__ import annotations

import bz2
import gzip
import json
import logging
import lzma
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

log = logging.getLogger(__name__)

DEFAULT_MAX_TOTAL_BYTES = 100 * 2**30
"""Cap on what one archive may unpack to: above the largest raw dataset of the stream (tens of GB),
far below what a decompression bomb produces."""

MARKER_SUFFIX = ".extracted.json"
"""``<parent>/.<target name>.extracted.json`` records a finished extraction (beside the target, so
that handlers listing the target see only the archive's own files)."""

FORMATS = ("zip", "tar", "gz", "bz2", "xz", "Z", "rar")
"""What ``archive_format`` recognises; gz, bz2, xz and Z hold either one file or a tar."""

_CHUNK = 1 << 20

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


class UnsafeArchiveError(ValueError):
    """An archive has a member outside the target, a link or special file, or unpacks too large."""


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


def extract(archive: Path, target: Path, *, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES) -> Path:
    """Unpacks ``archive`` into the directory ``target``, safely and once.

    Members are refused (UnsafeArchiveError, nothing kept) when their path is absolute or has
    ``..``, when they are links (symbolic or hard) or special files, or when the archive unpacks
    to more than ``max_total_bytes``. The archive is unpacked into a temporary directory beside
    ``target`` and renamed into place, so ``target`` appears complete or not at all. A marker
    beside it makes a second call with the same archive (same size and modification time) a
    no-op; a changed archive is unpacked again; an interrupted call leaves nothing the next one
    trusts. A compressed single file (``x.gz``) becomes ``target/x``.

    Args:
        archive: the archive (zip, tar, tar.gz/bz2/xz/Z, gz, bz2, xz, Z, rar).
        target: the directory to create; it must not exist, be empty, or come from an earlier call.
        max_total_bytes: the most bytes the members may add up to.

    Returns:
        ``target``.

    Raises:
        UnsafeArchiveError: a refused member, or too many bytes.
        MissingToolError: rar or Z without their optional library (or rar without a system tool).
        ValueError: not a supported archive, or a corrupt one.
        FileExistsError: ``target`` holds files that no earlier call put there.
    """
    archive, target = Path(archive), Path(target)
    stat_result = archive.stat()
    identity = {
        "archive": archive.name,
        "size": stat_result.st_size,
        "mtime_ns": stat_result.st_mtime_ns,
    }
    marker = target.parent / f".{target.name}{MARKER_SUFFIX}"
    if _is_complete(target, marker, identity):
        log.debug("%s is already extracted in %s", archive, target)
        return target
    fmt = archive_format(archive)
    _clear(target, marker)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.extract-", dir=target.parent))
    try:
        content = work / "content"
        content.mkdir()
        _unpack(fmt, archive, content, work, _Budget(archive, max_total_bytes))
        # The marker goes first and names the work directory: the rename is the commit, and the
        # marker counts only once the content has left the work directory (see _is_complete).
        _write_json(marker, {**identity, "format": fmt, "work": work.name})
        content.rename(target)
    except BaseException:
        marker.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("extracted %s into %s", archive, target)
    return target


# ---------------------------------------------------------------------------------------- bookkeeping


def _write_json(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, sort_keys=True) + "\n")
    tmp.replace(path)


def _is_complete(target: Path, marker: Path, identity: dict[str, Any]) -> bool:
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(recorded, dict) or not target.is_dir():
        return False
    if any(recorded.get(key) != value for key, value in identity.items()):
        return False
    # Killed between writing the marker and the rename: the content is still in the work directory.
    return not (target.parent / str(recorded.get("work")) / "content").exists()


def _clear(target: Path, marker: Path) -> None:
    """Removes leftovers of interrupted calls and an earlier extraction of ``target``."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{target.name}.extract-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if target.is_dir() and marker.exists():
        # Ours, from another archive or unfinished: move it aside in one step, so that a crash
        # here never leaves a half-deleted target next to a marker that vouches for it.
        trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.extract-old-", dir=parent))
        target.rename(trash / "old")
        marker.unlink()
        shutil.rmtree(trash, ignore_errors=True)
        return
    marker.unlink(missing_ok=True)
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    elif target.exists():
        raise FileExistsError(
            f"{target} exists and was not made by extract(); remove it or extract elsewhere"
        )


class _Budget:
    """Counts the bytes written and raises once they pass the cap."""

    def __init__(self, archive: Path, limit: int) -> None:
        self.archive = archive
        self.limit = limit
        self.used = 0

    def take(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise UnsafeArchiveError(
                f"{self.archive} unpacks to more than max_total_bytes={self.limit:,} bytes; refused as "
                f"a possible decompression bomb. If the archive is genuine, pass a larger "
                f"max_total_bytes"
            )


class _CappedWriter:
    """A binary file that charges every write to a budget (for libraries that write themselves)."""

    def __init__(self, handle: IO[bytes], budget: _Budget) -> None:
        self.handle = handle
        self.budget = budget

    def write(self, data: bytes) -> int:
        self.budget.take(len(data))
        return self.handle.write(data)


def _copy(source: IO[bytes], dest: Path, budget: _Budget) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as handle:
        while block := source.read(_CHUNK):
            budget.take(len(block))
            handle.write(block)


# ---------------------------------------------------------------------------------------- members


def _member_path(archive: Path, name: str) -> PurePosixPath | None:
    """The member's relative path in the target; None for the archive's root entry (``./``).

    Raises UnsafeArchiveError for an absolute path or one with ``..`` (either slash counts as a
    separator here, so a name made on Windows cannot climb out either).
    """
    parts = name.replace("\\", "/").split("/")
    if "\x00" in name:
        raise UnsafeArchiveError(f"{archive}: member {name!r} has a NUL byte in its name; refused")
    if name.startswith(("/", "\\")) or (len(parts[0]) == 2 and parts[0][1] == ":"):
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} has an absolute path; refused (nothing was extracted)"
        )
    if ".." in parts:
        raise UnsafeArchiveError(
            f"{archive}: member {name!r} would land outside the target (..); refused (nothing was "
            f"extracted)"
        )
    kept = [part for part in name.split("/") if part not in ("", ".")]
    return PurePosixPath(*kept) if kept else None


def _inside(root: Path, relative: PurePosixPath) -> Path:
    # Belt and braces after _member_path: the resolved path must stay under the root.
    path = root.joinpath(*relative.parts)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        raise UnsafeArchiveError(f"member {relative} resolves outside {root}; refused")
    return path


def _link_error(archive: Path, name: str, link: str = "") -> UnsafeArchiveError:
    to = f" (to {link!r})" if link else ""
    return UnsafeArchiveError(
        f"{archive}: member {name!r} is a link{to}; archives with links are refused (nothing was "
        f"extracted)"
    )


# ---------------------------------------------------------------------------------------- formats


def _unpack(fmt: str, archive: Path, content: Path, work: Path, budget: _Budget) -> None:
    try:
        if fmt == "zip":
            _unpack_zip(archive, content, budget)
        elif fmt == "rar":
            _unpack_rar(archive, content, budget)
        elif fmt == "tar":
            _unpack_tar(archive, archive, content, budget)
        elif fmt == "Z":
            _unpack_z(archive, content, work, budget)
        else:
            with _OPENERS[fmt](archive, "rb") as handle:
                head = handle.read(512)
            if _is_tar_header(head):  # a compressed tar: tarfile's "r|*" decompresses it itself
                _unpack_tar(archive, archive, content, budget)
            else:
                with _OPENERS[fmt](archive, "rb") as handle:
                    _copy(handle, content / _single_name(archive, fmt), budget)
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


def _unpack_zip(archive: Path, content: Path, budget: _Budget) -> None:
    with zipfile.ZipFile(archive) as zf:
        # Every member is checked before anything is written; the central directory lists them all.
        plan = []
        for info in zf.infolist():
            if stat.S_ISLNK(info.external_attr >> 16):  # a Unix symlink stored by zip -y
                raise _link_error(archive, info.filename)
            plan.append((info, _member_path(archive, info.filename)))
        _write_planned(archive, zf, plan, content, budget)


def _write_planned(archive: Path, opened: Any, plan: list, content: Path, budget: _Budget) -> None:
    """Writes the checked members of a zip or rar: the declared total first against the cap, then
    each member by our own copy — not ``extract``, which would rename '../x' to 'x' silently and
    trusts declared sizes that can lie; the budget counts what is really written."""
    _Budget(archive, budget.limit).take(sum(info.file_size for info, _ in plan))
    for info, relative in plan:
        if relative is None:
            continue
        path = _inside(content, relative)
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        with opened.open(info) as source:
            _copy(source, path, budget)


def _unpack_tar(archive: Path, source: Path, content: Path, budget: _Budget) -> None:
    # Stream mode: one pass through a compressed tar, members taken in order.
    with tarfile.open(source, mode="r|*") as tar:
        for member in tar:
            relative = _member_path(archive, member.name)
            if member.issym() or member.islnk():
                raise _link_error(archive, member.name, member.linkname)
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"{archive}: member {member.name!r} is a device, FIFO or other special file; refused"
                )
            if relative is None:
                continue
            _inside(content, relative)
            if member.isfile():
                budget.take(member.size)  # a tar header states the exact size it will write
            member.name = str(relative)  # what we checked is what gets written
            try:
                tar.extract(member, content, **_TAR_OPTIONS)
            except _FILTER_ERROR as error:  # our checks should have caught it first
                raise UnsafeArchiveError(f"{archive}: {error}; refused") from error


def _unpack_z(archive: Path, content: Path, work: Path, budget: _Budget) -> None:
    ncompress = _import_ncompress(f"{archive} is compressed with Unix compress (.Z); unpacking it")
    unpacked = work / "unpacked"
    with open(archive, "rb") as source, open(unpacked, "wb") as handle:
        ncompress.decompress(source, _CappedWriter(handle, _Budget(archive, budget.limit)))
    with open(unpacked, "rb") as handle:
        head = handle.read(tarfile.BLOCKSIZE)
    if _is_tar_header(head):
        _unpack_tar(archive, unpacked, content, budget)
        unpacked.unlink()  # at once: a crash before the work directory goes must not leave it
    else:
        budget.take(unpacked.stat().st_size)
        unpacked.rename(content / _single_name(archive, "Z"))


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


def _unpack_rar(archive: Path, content: Path, budget: _Budget) -> None:
    rarfile = _import_rarfile()
    try:
        with rarfile.RarFile(archive) as rf:
            plan = []
            for info in rf.infolist():
                # file_redir: RAR 5 hard links, file copies and junctions; is_symlink: symlinks.
                if info.is_symlink() or getattr(info, "file_redir", None):
                    redir = getattr(info, "file_redir", None)
                    raise _link_error(archive, info.filename, redir[2] if redir else "")
                if info.needs_password():
                    raise ValueError(
                        f"{archive}: member {info.filename!r} is encrypted; unsupported"
                    )
                plan.append((info, _member_path(archive, info.filename)))
            _write_planned(archive, rf, plan, content, budget)
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
