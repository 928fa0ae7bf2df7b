"""Files already on this machine: those an installed package ships, and placing a local file in downloads/."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from nevisbench.data.sources.errors import SourceError
from nevisbench.files import atomic_path


def package_file(source: str) -> Path:
    """Resolves ``distribution:module/path/file`` to the file an installed package ships."""
    distribution, _, inner = source.partition(":")
    module = inner.split("/", 1)[0]
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        raise SourceError(
            f"the package {distribution!r} is not installed; install it with "
            f"`pip install {distribution}`"
        )
    path = Path(found.origin).parent.parent / inner
    if not path.exists():
        raise SourceError(
            f"{path} is missing from the installed {distribution!r}; reinstall it with "
            f"`pip install --force-reinstall {distribution}`"
        )
    return path


def place_file(source: Path, dest: Path) -> None:
    """Puts a copy of ``source`` at ``dest`` atomically: a hard link when it can, else a copy."""
    # A hard link costs nothing for large files (a 140 GB tar given with --from); copy across file systems.
    try:
        with atomic_path(dest) as tmp:
            try:
                os.link(source, tmp)
            except OSError:
                shutil.copyfile(source, tmp)
    except PermissionError:
        # A link to a read-only file cannot be opened for the fsync atomic_path does: copy it instead.
        with atomic_path(dest) as tmp:
            shutil.copyfile(source, tmp)
