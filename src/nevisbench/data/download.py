"""Getting a dataset's raw files: from a user directory, a local copy, an installed package or a URL.

Every file with a known checksum is verified before it is used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from nevisbench.data.spec import Artefact, DatasetSpec

log = logging.getLogger(__name__)


class SourceError(RuntimeError):
    """A raw file cannot be had automatically; the message says what to do."""


class ChecksumError(ValueError):
    """A raw file's checksum differs from the expected one."""


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, artefact: Artefact, origin: str | None = None) -> None:
    """Raises ChecksumError unless ``path`` matches the artefact's checksum (if it has one).

    ``origin`` names where the file came from, for the message."""
    where = origin or str(path)
    if artefact.md5 is not None:
        known = (artefact.md5,) if isinstance(artefact.md5, str) else artefact.md5
        actual = file_md5(path)
        if actual not in known:
            raise ChecksumError(
                f"{where}: MD5 {actual} differs from the expected {' or '.join(known)}; the file is truncated, "
                f"corrupted or a different version. Replace it with a good copy (from {artefact.source})"
                f" and prepare again"
            )
    if artefact.sha256 is not None:
        from nevisbench.data.store import file_sha256

        actual = file_sha256(path)
        if actual != artefact.sha256:
            raise ChecksumError(f"{where}: SHA-256 {actual} differs from the expected {artefact.sha256}")


def package_file(source: str) -> Path:
    """Resolves ``distribution:module/path/file`` to the file an installed package ships."""
    distribution, _, inner = source.partition(":")
    module = inner.split("/", 1)[0]
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        raise SourceError(f"the package {distribution!r} is not installed; install it with "
                          f"`pip install {distribution}`")
    path = Path(found.origin).parent.parent / inner
    if not path.exists():
        raise SourceError(f"{path} is missing from the installed {distribution!r}; reinstall it with "
                          f"`pip install --force-reinstall {distribution}`")
    return path


def _place(source: Path, dest: Path) -> None:
    # A hard link costs nothing for large files; copy across file systems.
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    tmp.replace(dest)


def download_url(url: str, dest: Path, *, timeout: float = 60.0,
                 on_bytes: Callable[[int], None] | None = None) -> None:
    """Downloads ``url`` to ``dest`` through ``dest.part``, resuming a partial file with a Range request."""
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "nevisbench"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            # 206 = the server resumed; anything else restarts the file from zero.
            mode = "ab" if have and response.status == 206 else "wb"
            with open(part, mode) as handle:
                for block in iter(lambda: response.read(1 << 20), b""):
                    handle.write(block)
                    if on_bytes is not None:
                        on_bytes(len(block))
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # the partial file is already complete
            part.replace(dest)
            return
        raise
    part.replace(dest)


def fetch_artefacts(
    spec: DatasetSpec, raw_dir: Path, *, from_dir: Path | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Puts every raw file of ``spec`` into ``raw_dir`` and returns ``{filename: sha256}``.

    Looks, in order, in ``raw_dir`` (a previous prepare), ``from_dir``, the artefact's local paths,
    its package, its URLs. Raises SourceError with instructions when a file cannot be had.
    """
    from nevisbench.data.store import file_sha256

    raw_dir.mkdir(parents=True, exist_ok=True)
    sources: dict[str, str] = {}
    for artefact in spec.artefacts:
        dest = raw_dir / artefact.filename
        if not _usable(dest, artefact):
            origin = _obtain(spec, artefact, dest, from_dir, on_bytes)
            try:
                verify(dest, artefact, origin)
            except ChecksumError:
                dest.unlink()  # never keep a bad file where the next prepare would find it
                raise
        sources[artefact.filename] = file_sha256(dest)
    return sources


def _usable(path: Path, artefact: Artefact) -> bool:
    if not path.exists():
        return False
    try:
        verify(path, artefact)
    except ChecksumError as error:
        log.warning("%s; fetching it again", error)
        path.unlink()
        return False
    return True


def _obtain(spec: DatasetSpec, artefact: Artefact, dest: Path, from_dir: Path | None,
            on_bytes: Callable[[int], None] | None) -> str:
    """Puts the artefact at ``dest``; returns where it came from."""
    candidates = [from_dir / artefact.filename] if from_dir is not None else []
    candidates += [Path(p) for p in artefact.local_paths]
    for candidate in candidates:
        if candidate.is_file():
            _place(candidate, dest)
            return str(candidate)
    if from_dir is not None and not from_dir.is_dir():
        raise SourceError(f"--from {from_dir}: no such directory")
    if artefact.kind == "package":
        source = package_file(artefact.source)
        _place(source, dest)
        return str(source)
    if artefact.kind == "url":
        errors = []
        for url in (artefact.source, *artefact.mirrors):
            try:
                log.info("downloading %s", url)
                download_url(url, dest, on_bytes=on_bytes)
                return url
            except (urllib.error.URLError, OSError) as error:
                errors.append(f"{url}: {error}")
        raise SourceError(
            f"dataset {spec.id}: could not download {artefact.filename} ({'; '.join(errors)}). Download "
            f"it yourself and run `nevisbench datasets prepare {spec.id} --from DIR` with DIR holding "
            f"{artefact.filename}"
        )
    where = {
        "kaggle_dataset": f"the Kaggle dataset {artefact.source} (kaggle datasets download {artefact.source})",
        "kaggle_competition": f"the Kaggle competition {artefact.source}",
        "gdrive": f"Google Drive file id {artefact.source}",
        "manual": artefact.instructions or artefact.source,
    }[artefact.kind]
    raise SourceError(
        f"dataset {spec.id}: {artefact.filename} must be fetched by hand from {where}. Put it in "
        f"{dest.parent} or pass `--from DIR` to `nevisbench datasets prepare {spec.id}`"
    )
