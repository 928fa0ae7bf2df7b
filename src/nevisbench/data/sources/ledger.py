"""Checksums and the downloads ledger: which files were verified (or explicitly accepted), and their source."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nevisbench.data.sources.errors import ChecksumError
from nevisbench.data.spec import Artefact
from nevisbench.files import write_json

log = logging.getLogger(__name__)

LEDGER_NAME = "checksums.json"
"""The ledger in a dataset's downloads folder: each trusted file's SHA-256, MD5, size and source."""

_CHUNK = 1 << 20
# The ledger's "files" hold only trusted files: those whose checksum matched the spec's, and those the user
# accepted although it differs ("non_reference": true). A file with no reference checksum cannot be verified:
# it goes under "unverified", which records where it came from but never vouches for it.
_TRUSTED = "files"
_UNVERIFIED = "unverified"


def file_digests(path: Path, *algorithms: str) -> dict[str, str]:
    """The hex digests of ``path`` for each hashlib algorithm name, in one read of the file."""
    hashes = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            for digest in hashes.values():
                digest.update(block)
    return {name: digest.hexdigest() for name, digest in hashes.items()}


def file_md5(path: Path) -> str:
    """The MD5 of ``path``, the checksum the reference lists for most artefacts."""
    return file_digests(path, "md5")["md5"]


def known_md5s(artefact: Artefact) -> tuple[str, ...]:
    """Every MD5 the spec accepts for the artefact (none when it lists none)."""
    if artefact.md5 is None:
        return ()
    return (artefact.md5,) if isinstance(artefact.md5, str) else tuple(artefact.md5)


def has_reference(artefact: Artefact) -> bool:
    """Whether the spec gives a checksum to verify the artefact against."""
    return bool(known_md5s(artefact)) or artefact.sha256 is not None


def verify(
    path: Path,
    artefact: Artefact,
    origin: str | None = None,
    *,
    digests: Mapping[str, str] | None = None,
) -> None:
    """Raises ChecksumError unless ``path`` matches the artefact's checksums (if it has any).

    Args:
        path: the file to check.
        artefact: whose ``md5`` (one value or every known version's) and ``sha256`` to check.
        origin: where the file came from, for the message (default: ``path``).
        digests: already computed ``{"md5": ..., "sha256": ...}`` of the file, to skip a read.
    """
    where = origin or str(path)
    known = known_md5s(artefact)
    wanted = [name for name, value in (("md5", known), ("sha256", artefact.sha256)) if value]
    have = dict(digests or {})
    missing = [name for name in wanted if name not in have]
    if missing:
        have.update(file_digests(path, *missing))
    if known and have["md5"] not in known:
        raise ChecksumError(
            f"{where}: MD5 {have['md5']} differs from the expected {' or '.join(known)}; the file is "
            f"truncated, corrupted or a different version"
        )
    if artefact.sha256 is not None and have["sha256"] != artefact.sha256:
        raise ChecksumError(
            f"{where}: SHA-256 {have['sha256']} differs from the expected {artefact.sha256}; the file "
            f"is truncated, corrupted or a different version"
        )


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What verification found out about a file.

    Attributes:
        sha256: the file's SHA-256.
        md5: its MD5 (None when only its recorded SHA-256 was checked and the record had no MD5).
        trusted: it matched the spec's checksums or a trusted ledger entry, or was accepted.
        non_reference: it was accepted although it differs from the spec's checksums.
    """

    sha256: str
    md5: str | None
    trusted: bool
    non_reference: bool = False


def judge(
    path: Path,
    artefact: Artefact,
    recorded: Mapping[str, Any] | None,
    *,
    accept: bool = False,
    origin: str | None = None,
) -> Verdict:
    """Verifies ``path``: against its trusted ledger entry (one SHA-256 read), else the spec's checksums.

    Args:
        path: the file.
        artefact: its spec.
        recorded: its entry in the ledger's trusted files, if any (see ``trusted_entry``).
        accept: keep the file even if it differs from the spec's checksums (the user accepted it).
        origin: where the file came from, for messages.

    Raises:
        ChecksumError: it differs from the spec's checksums and was not accepted.
    """
    if recorded is not None:
        sha256 = file_digests(path, "sha256")["sha256"]
        if sha256 == recorded.get("sha256"):
            return Verdict(sha256, recorded.get("md5"), True, bool(recorded.get("non_reference")))
    digests = file_digests(path, "md5", "sha256")
    if not has_reference(artefact):
        if accept:
            return Verdict(digests["sha256"], digests["md5"], True, True)
        return Verdict(digests["sha256"], digests["md5"], False)
    try:
        verify(path, artefact, origin, digests=digests)
    except ChecksumError as error:
        if not accept:
            raise
        log.warning("%s; kept because its checksum was accepted explicitly", error)
        return Verdict(digests["sha256"], digests["md5"], True, True)
    return Verdict(digests["sha256"], digests["md5"], True)


def _read(raw_dir: Path) -> dict[str, Any]:
    path = raw_dir / LEDGER_NAME
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        # The ledger only speeds verification up and records sources; losing it is safe.
        log.warning("%s is unreadable (%s); starting a new one", path, error)
        return {}
    return data if isinstance(data, dict) else {}


def _section(data: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
    files = data.get(name)
    if not isinstance(files, dict):
        return {}
    return {key: value for key, value in files.items() if isinstance(value, dict)}


def read_ledger(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """``{filename: entry}`` of the trusted files of ``raw_dir`` (verified or accepted so far)."""
    return _section(_read(raw_dir), _TRUSTED)


def read_unverified(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """``{filename: entry}`` of the files used without a reference checksum to verify them against."""
    return _section(_read(raw_dir), _UNVERIFIED)


def trusted_entry(artefact: Artefact, entry: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``entry`` if it may vouch for the artefact's file, else None.

    An accepted entry always may. Otherwise the spec must have checksums (older ledgers also pinned
    files that had none) and, when the entry names an MD5, list it: the reference keeps the last word.
    """
    if entry is None or entry.get("non_reference"):
        return entry
    if not has_reference(artefact):
        return None
    md5 = entry.get("md5")
    known = known_md5s(artefact)
    return None if md5 is not None and known and md5 not in known else entry


def record(raw_dir: Path, filename: str, entry: Mapping[str, Any], *, trusted: bool) -> None:
    """Writes ``filename``'s entry into the ledger's trusted files or its unverified ones (atomically)."""
    data = _read(raw_dir)
    sections = {name: _section(data, name) for name in (_TRUSTED, _UNVERIFIED)}
    for files in sections.values():
        files.pop(filename, None)
    sections[_TRUSTED if trusted else _UNVERIFIED][filename] = dict(entry)
    ledger: dict[str, Any] = {"version": 1}
    for name, files in sections.items():
        if files or name == _TRUSTED:
            ledger[name] = {key: dict(sorted(files[key].items())) for key in sorted(files)}
    write_json(raw_dir / LEDGER_NAME, ledger)


def served_from(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """Where each file of ``raw_dir`` came from: ``{filename: {"via", "source", "verified"}}``.

    ``via`` is ``origin`` (the artefact's own URL, Drive file or Kaggle dataset), ``mirror`` (a mirror
    the spec lists or ``--mirror``), ``wayback`` (the Internet Archive), ``from`` (``--from DIR``),
    ``package`` (an installed package), ``local`` (already on this machine), or ``unknown`` (entries
    of older ledgers). ``source`` is the URL, path or name it came from; ``final_url`` is added when
    redirects led elsewhere. ``verified`` is False for files with no reference checksum.
    """
    data = _read(raw_dir)
    out: dict[str, dict[str, Any]] = {}
    for name, verified in ((_UNVERIFIED, False), (_TRUSTED, True)):
        for filename, entry in _section(data, name).items():
            where: dict[str, Any] = {
                "via": str(entry.get("via", "unknown")),
                "source": str(entry.get("source", "")),
            }
            if entry.get("final_url"):
                where["final_url"] = str(entry["final_url"])
            where["verified"] = verified
            out[filename] = where
    return dict(sorted(out.items()))


def non_reference_files(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """``{filename: entry}`` of the files kept although their checksum differs from the spec's (accepted)."""
    return {
        name: entry for name, entry in read_ledger(raw_dir).items() if entry.get("non_reference")
    }
