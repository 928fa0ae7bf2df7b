"""Archive members judged before anything is written: their paths, their links, their conflicts and their size.

A member is refused (UnsafeArchiveError) when its path is absolute or climbs out with ``..``, when
it is a link whose target leaves the extraction directory, or when it conflicts with an earlier
member (a file ``a`` and a file ``a/b``: a malformed or hostile archive). A link whose target stays
inside is skipped: nothing is created for it, and its name is recorded for the caller.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import IO

_CHUNK = 1 << 20


class UnsafeArchiveError(ValueError):
    """An archive has a member outside the target, a link out of it, a conflict, or unpacks too large."""


def member_path(archive: Path, name: str) -> PurePosixPath | None:
    """The member's relative path in the target; None for the archive's root entry (``./``).

    Raises UnsafeArchiveError for an absolute path or one with ``..`` (either slash counts as a
    separator here, so a name made on Windows cannot climb out either).
    """
    parts = name.replace("\\", "/").split("/")
    if "\x00" in name:
        raise UnsafeArchiveError(f"{archive}: member {name!r} has a NUL byte in its name; refused")
    if _is_absolute(name):
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


def _is_absolute(name: str) -> bool:
    first = name.replace("\\", "/").split("/")[0]
    return name.startswith(("/", "\\")) or (len(first) == 2 and first[1] == ":")


def inside(root: Path, relative: PurePosixPath) -> Path:
    """``root / relative``, refused unless its resolved path stays under ``root``."""
    # Belt and braces after member_path: the resolved path must stay under the root.
    path = root.joinpath(*relative.parts)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        raise UnsafeArchiveError(f"member {relative} resolves outside {root}; refused")
    return path


def check_link(archive: Path, name: str, target: str, *, from_root: bool) -> None:
    """Refuses a link whose target would leave the extraction directory; returns if it stays inside.

    Args:
        archive: the archive (named in the error).
        name: the link member's name.
        target: what it points to.
        from_root: the target is relative to the archive's root (tar and RAR hard links), not to the
            link's own directory (symbolic links).
    """
    refused = UnsafeArchiveError(
        f"{archive}: member {name!r} is a link (to {target!r}) pointing outside the target; "
        f"refused (nothing was extracted)"
    )
    if "\x00" in target or _is_absolute(target):
        raise refused
    relative = member_path(archive, name)
    where = [] if from_root or relative is None else list(relative.parent.parts)
    for part in target.replace("\\", "/").split("/"):
        if part == "..":
            if not where:
                raise refused
            where.pop()
        elif part not in ("", "."):
            where.append(part)


class MemberTree:
    """What the members seen so far made of each path (a directory, a file or a skipped link).

    A path is one kind only, and every parent of a member must be a directory: a file ``a`` and a
    file ``a/b`` cannot both be extracted (the second would raise a bare FileExistsError, or land
    beneath a link that was skipped).
    """

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.kinds: dict[PurePosixPath, str] = {}
        self.skipped_links: list[str] = []

    def claim(self, name: str, relative: PurePosixPath, kind: str) -> None:
        """Records member ``name`` at ``relative`` as ``kind`` ("directory", "file" or "link").

        Raises:
            UnsafeArchiveError: an earlier member made this path, or one of its parents, another kind.
        """
        for parent in reversed(relative.parents[:-1]):  # from the top; [-1] is "."
            earlier = self.kinds.setdefault(parent, "directory")
            if earlier != "directory":
                raise self._conflict(name, f"it needs {parent.as_posix()!r} to be a directory, but an "
                                           f"earlier member made it a {earlier}")
        earlier = self.kinds.setdefault(relative, kind)
        if earlier != kind:
            raise self._conflict(name, f"it is a {kind}, but an earlier member made "
                                       f"{relative.as_posix()!r} a {earlier}")
        if kind == "link":
            self.skipped_links.append(relative.as_posix())

    def _conflict(self, name: str, why: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(
            f"{self.archive}: member {name!r} conflicts with an earlier member: {why}; a malformed or "
            f"hostile archive, refused (nothing was extracted)"
        )


class Budget:
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


class CappedWriter:
    """A binary file that charges every write to a budget (for libraries that write themselves)."""

    def __init__(self, handle: IO[bytes], budget: Budget) -> None:
        self.handle = handle
        self.budget = budget

    def write(self, data: bytes) -> int:
        self.budget.take(len(data))
        return self.handle.write(data)


def copy_capped(source: IO[bytes], dest: Path, budget: Budget) -> None:
    """Copies ``source`` into a new file ``dest``, charging every block to ``budget``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as handle:
        while block := source.read(_CHUNK):
            budget.take(len(block))
            handle.write(block)
