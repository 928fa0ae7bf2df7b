"""Unpacking raw archives safely: nothing outside the target, no link out, a size cap, atomic and idempotent.

Members are judged by ``data/members.py`` (paths, links, conflicts, the size budget) and unpacked by
``data/formats.py``; this module makes an extraction appear complete or not at all, and only once.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from nevisbench.data import formats
from nevisbench.data.formats import FORMATS, MissingToolError, archive_format, decompress_z
from nevisbench.data.members import Budget, UnsafeArchiveError
from nevisbench.files import write_json

__all__ = [
    "DEFAULT_MAX_TOTAL_BYTES",
    "FORMATS",
    "MARKER_SUFFIX",
    "MissingToolError",
    "UnsafeArchiveError",
    "archive_format",
    "decompress_z",
    "extract",
    "skipped_links",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_TOTAL_BYTES = 100 * 2**30
"""Cap on what one archive may unpack to: above the largest raw dataset of the stream (tens of GB),
far below what a decompression bomb produces."""

MARKER_SUFFIX = ".extracted.json"
"""``<parent>/.<target name>.extracted.json`` records a finished extraction (beside the target, so
that handlers listing the target see only the archive's own files)."""


def extract(archive: Path, target: Path, *, max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES) -> Path:
    """Unpacks ``archive`` into the directory ``target``, safely and once.

    Members are refused (UnsafeArchiveError, nothing kept) when their path is absolute or has
    ``..``, when they are links (symbolic or hard) whose target leaves ``target``, special files,
    or in conflict with an earlier member (a file ``a`` and a file ``a/b``), or when the archive
    unpacks to more than ``max_total_bytes``. Links whose target stays inside are skipped: nothing
    is created for them and their names are recorded (``skipped_links(target)``). The archive is unpacked into a temporary directory beside
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
        skipped = formats.unpack(fmt, archive, content, work, Budget(archive, max_total_bytes))
        # The marker goes first and names the work directory: the rename is the commit, and the
        # marker counts only once the content has left the work directory (see _is_complete).
        write_json(marker, {**identity, "format": fmt, "work": work.name, "skipped_links": skipped})
        content.rename(target)
    except BaseException:
        marker.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("extracted %s into %s", archive, target)
    if skipped:
        log.info("%s: skipped %d links that point inside it (recorded in %s)", archive, len(skipped), marker)
    return target


def skipped_links(target: Path) -> list[str]:
    """The links ``extract`` skipped in ``target`` (their member paths), as its marker records them."""
    marker = Path(target).parent / f".{Path(target).name}{MARKER_SUFFIX}"
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return []
    return list(recorded.get("skipped_links", [])) if isinstance(recorded, dict) else []


# ---------------------------------------------------------------------------------------- bookkeeping


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
