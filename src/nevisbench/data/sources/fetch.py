"""Getting a dataset's raw files, verified: downloads cache, ``--from``, mirrors, origin, then the Wayback Machine."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from nevisbench.data.sources.drive import download_gdrive, drive_file_id
from nevisbench.data.sources.errors import ChecksumError, SourceError
from nevisbench.data.sources.http import Progress, download_url
from nevisbench.data.sources.kaggle import download_kaggle
from nevisbench.data.sources.ledger import (
    Verdict,
    has_reference,
    judge,
    read_ledger,
    read_unverified,
    record,
    trusted_entry,
)
from nevisbench.data.sources.package import package_file, place_file
from nevisbench.data.sources.wayback import snapshot_url, wayback_base
from nevisbench.data.spec import Artefact, DatasetSpec

log = logging.getLogger(__name__)

FileProgress = Callable[[str, int, int | None], None]
"""``on_progress(filename, done, total)`` during each download."""


@dataclasses.dataclass(frozen=True)
class _Remote:
    """One network source of a file: how it is recorded, and the call that downloads it to ``dest``."""

    via: str  # origin, mirror or wayback
    label: str  # the URL, or "Google Drive file ID", "Kaggle dataset NAME"
    fetch: Callable[[], str | None]  # returns the URL that served the file, when known


@dataclasses.dataclass(frozen=True)
class _Job:
    """What every artefact of one ``fetch_artefacts`` call shares."""

    spec: DatasetSpec
    raw_dir: Path
    from_dir: Path | None
    mirror: str | None
    wayback: str | None
    accepted: frozenset[str]
    on_bytes: Callable[[int], None] | None
    on_progress: FileProgress | None


def fetch_artefacts(
    spec: DatasetSpec,
    raw_dir: Path,
    *,
    from_dir: Path | None = None,
    mirror: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_progress: FileProgress | None = None,
    accept_checksum: Collection[str] = (),
    wayback: str | None = None,
) -> dict[str, str]:
    """Puts every raw file of ``spec`` into ``raw_dir``, verified, and returns ``{filename: sha256}``.

    Looks, in order, in ``raw_dir`` (the download cache: a verified file there is reused), then
    ``from_dir``, the ``mirror``, the artefact's local paths, its package, and its network sources
    (its URL, Drive file or Kaggle dataset, the spec's mirror URLs, then the Wayback Machine's
    snapshots of its URLs). A file enters the ledger ``raw_dir/checksums.json`` once its checksum
    matched the spec's (or it was accepted), with where it came from (see ``served_from``).

    Args:
        spec: the dataset.
        raw_dir: its downloads folder, ``<home>/downloads/<id>``.
        from_dir: a directory that already holds (some of) the files; for an artefact with no
            reference checksum, its copy replaces the one in the downloads folder.
        mirror: a copy of a downloads folder, as a directory or a base URL (``http(s)://``): the
            file is looked for at ``<mirror>/<dataset id>/<filename>`` before the artefact's own
            sources (a cluster without internet serves one machine's ``<home>/downloads``).
        on_bytes: called with the size of each block received from the network.
        on_progress: called as ``on_progress(filename, done, total)`` during each download.
        accept_checksum: ``"dataset:filename"`` entries (other datasets' are ignored): such a file
            is kept even when its checksum differs from the spec's (its owners re-packed it); the
            ledger records its checksums with ``"non_reference": true``.
        wayback: the Wayback Machine's base URL, or ``off``; default ``$NEVISBENCH_WAYBACK``, else
            https://web.archive.org/web.

    Raises:
        SourceError: a file cannot be had; the message says how to get it by hand.
        ChecksumError: a file differs from its checksum (the bad copy is not kept).
        ValueError: ``accept_checksum`` names a file the dataset does not have, or ``wayback`` is
            neither ``off`` nor a URL.
    """
    job = _Job(
        spec,
        raw_dir,
        from_dir,
        mirror,
        wayback_base(wayback),
        accepted_files(spec, accept_checksum),
        on_bytes,
        on_progress,
    )
    raw_dir.mkdir(parents=True, exist_ok=True)
    return {artefact.filename: _fetch_one(job, artefact) for artefact in spec.artefacts}


def accepted_files(spec: DatasetSpec, accept_checksum: Collection[str]) -> frozenset[str]:
    """The filenames of ``spec`` that ``accept_checksum`` (``"dataset:filename"`` entries) names.

    Raises:
        ValueError: an entry is not ``dataset:filename``, or names a file ``spec`` does not have.
    """
    names = {artefact.filename for artefact in spec.artefacts}
    chosen = set()
    for item in accept_checksum:
        dataset, sep, filename = item.partition(":")
        if not sep or not dataset or not filename:
            raise ValueError(
                f"accept_checksum entry {item!r}: write it as DATASET:FILENAME, e.g. {spec.id}:"
                f"{sorted(names)[0] if names else 'file.zip'}"
            )
        if dataset != spec.id:
            continue
        if filename not in names:
            raise ValueError(
                f"accept_checksum entry {item!r}: dataset {spec.id} has no raw file {filename!r}; "
                f"its files are {', '.join(sorted(names))}"
            )
        chosen.add(filename)
    return frozenset(chosen)


def _fetch_one(job: _Job, artefact: Artefact) -> str:
    name = artefact.filename
    dest = job.raw_dir / name
    trusted, unverified = read_ledger(job.raw_dir), read_unverified(job.raw_dir)
    seen = trusted.get(name) or unverified.get(name)
    recorded = trusted_entry(artefact, trusted.get(name))
    accept = name in job.accepted
    supplied = job.from_dir / name if job.from_dir is not None else None
    # A file with nothing to verify it against proves nothing by being cached: one the user supplies wins.
    verdict = None
    if supplied is None or has_reference(artefact) or not supplied.is_file():
        verdict = _cached(dest, artefact, recorded, accept)
    if verdict is not None:
        if seen is not None and seen.get("sha256") == verdict.sha256:
            where = {key: seen[key] for key in ("source", "via", "final_url") if key in seen}
        else:
            where = {"source": str(dest), "via": "local"}
    else:
        where, verdict = _obtain(job, artefact, dest, recorded, accept)
        if not verdict.trusted:
            # A package's own file is as good as the package; anything else deserves the user's eye.
            say = log.info if where["via"] == "package" else log.warning
            say("%s: %s has no reference checksum; it is used unverified", job.spec.id, name)
    entry: dict[str, Any] = {**where, "sha256": verdict.sha256, "size": dest.stat().st_size}
    if verdict.md5 is not None:
        entry["md5"] = verdict.md5
    if verdict.non_reference:
        entry["non_reference"] = True
    if (trusted if verdict.trusted else unverified).get(name) != entry:
        record(job.raw_dir, name, entry, trusted=verdict.trusted)
    return verdict.sha256


def _cached(
    dest: Path, artefact: Artefact, recorded: Mapping[str, Any] | None, accept: bool
) -> Verdict | None:
    """The verdict on a good file already in the downloads folder; None (and no file) otherwise."""
    if not dest.is_file():
        return None
    try:
        return judge(dest, artefact, recorded, accept=accept, origin=str(dest))
    except ChecksumError as error:
        log.warning("%s; fetching it again", error)
        dest.unlink()
        return None


def _checked(
    dest: Path, artefact: Artefact, recorded: Mapping[str, Any] | None, accept: bool, origin: str
) -> Verdict:
    try:
        return judge(dest, artefact, recorded, accept=accept, origin=origin)
    except ChecksumError:
        dest.unlink()  # never keep a bad file where the next prepare would find it
        raise


def _accept_hint(spec: DatasetSpec, artefact: Artefact) -> str:
    return (
        f"If its owners re-packed the file and you trust the new version, accept its checksum "
        f"explicitly: `nevisbench datasets prepare {spec.id} --accept-checksum {spec.id}:{artefact.filename}`"
        f' (accept_checksum "{spec.id}:{artefact.filename}" from Python)'
    )


def _obtain(
    job: _Job,
    artefact: Artefact,
    dest: Path,
    recorded: Mapping[str, Any] | None,
    accept: bool,
) -> tuple[dict[str, str], Verdict]:
    """Puts the artefact at ``dest``; returns where it came from and the verdict on it."""
    spec, mirror, from_dir = job.spec, job.mirror, job.from_dir
    mirror_url = (
        mirror if mirror is not None and mirror.startswith(("http://", "https://")) else None
    )
    candidates = [("from", from_dir / artefact.filename)] if from_dir is not None else []
    if mirror is not None and mirror_url is None:
        if not Path(mirror).is_dir():
            raise SourceError(
                f"--mirror {mirror}: no such directory (give a directory or an http(s) URL)"
            )
        candidates += [
            ("mirror", Path(mirror) / spec.id / artefact.filename),
            ("mirror", Path(mirror) / artefact.filename),
        ]
    candidates += [("local", Path(p)) for p in artefact.local_paths]
    errors: list[str] = []
    bad_checksum = False
    for via, candidate in candidates:
        if not candidate.is_file():
            continue
        place_file(candidate, dest)
        try:
            return {"source": str(candidate), "via": via}, _checked(
                dest, artefact, recorded, accept, str(candidate)
            )
        except ChecksumError as error:
            if via == "from":  # the user gave this very file: say so rather than look elsewhere
                raise ChecksumError(
                    f"{error}. Replace it in {from_dir} with a good copy (from {artefact.source}) and "
                    f"prepare again, or leave it out of {from_dir} to have it fetched. {_accept_hint(spec, artefact)}"
                ) from None
            bad_checksum = True  # a mirror or local copy of another version: try the next source
            errors.append(str(error))
            log.warning("%s", error)
    if from_dir is not None and not from_dir.is_dir():
        raise SourceError(f"--from {from_dir}: no such directory")
    if artefact.kind == "package":
        source = package_file(artefact.source)
        place_file(source, dest)
        return {"source": str(source), "via": "package"}, _checked(
            dest, artefact, recorded, accept, str(source)
        )

    remotes = _remotes(job, artefact, dest, mirror_url)
    if artefact.kind == "manual":
        where = f"Put it in {dest.parent} or pass `--from DIR` to `nevisbench datasets prepare {spec.id}`"
        how = (
            artefact.instructions.rstrip(". ")
            if artefact.instructions
            else f"Get it from {artefact.source}"
        )
        by_hand = f"{artefact.filename} must be fetched by hand. {how}." + (
            "" if "--from" in artefact.instructions else f" {where}."
        )
        if not remotes:
            raise SourceError(f"dataset {spec.id}: {by_hand}")
    else:
        by_hand = (
            f"Download it yourself and run `nevisbench datasets prepare {spec.id} --from DIR` "
            f"with DIR holding {artefact.filename}, or put it in {dest.parent}"
        )
    for remote in remotes:
        try:
            log.info("%s: fetching %s from %s", spec.id, artefact.filename, remote.label)
            served = remote.fetch()
            verdict = _checked(dest, artefact, recorded, accept, remote.label)
        except ChecksumError as error:
            bad_checksum = True  # a mirror with another version, or a corrupt copy: try the next
            errors.append(str(error))
        except SourceError as error:
            errors.append(str(error))
        else:
            where = {"source": remote.label, "via": remote.via}
            if served and served != remote.label:
                where["final_url"] = served
            return where, verdict
        log.warning("%s", errors[-1])
    message = (
        f"dataset {spec.id}: could not get {artefact.filename} ({'; '.join(errors)}). {by_hand}"
    )
    if bad_checksum:
        raise ChecksumError(f"{message.rstrip('.')}. {_accept_hint(spec, artefact)}")
    raise SourceError(message)


def _remotes(job: _Job, artefact: Artefact, dest: Path, mirror_url: str | None) -> list[_Remote]:
    """The network sources in order: ``--mirror`` URL, the artefact's own, its mirror URLs, Wayback."""
    progress: Progress | None = None
    if job.on_progress is not None:
        on_progress, filename = job.on_progress, artefact.filename
        progress = lambda done, total: on_progress(filename, done, total)  # noqa: E731
    # An HTML page where a file is expected is an error page (or a login, or a moved site's home page).
    refuse_html = not artefact.filename.lower().endswith((".htm", ".html"))

    def from_url(via: str, url: str) -> _Remote:
        file_id = drive_file_id(url)
        if file_id is not None:  # a Drive link needs the confirmation step, whatever its kind says
            return from_drive(via, file_id)
        return _Remote(
            via,
            url,
            lambda: download_url(
                url, dest, on_progress=progress, on_bytes=job.on_bytes, refuse_html=refuse_html
            ),
        )

    def from_drive(via: str, file_id: str) -> _Remote:
        return _Remote(
            via,
            f"Google Drive file {file_id}",
            lambda: download_gdrive(file_id, dest, on_progress=progress, on_bytes=job.on_bytes),
        )

    remotes: list[_Remote] = []
    if mirror_url is not None:
        remotes.append(
            from_url("mirror", f"{mirror_url.rstrip('/')}/{job.spec.id}/{artefact.filename}")
        )
    if artefact.kind == "url":
        remotes.append(from_url("origin", artefact.source))
    elif artefact.kind == "gdrive":
        remotes.append(from_drive("origin", artefact.source))
    elif artefact.kind in ("kaggle_dataset", "kaggle_competition"):
        what = "dataset" if artefact.kind == "kaggle_dataset" else "competition"
        remotes.append(
            _Remote(
                "origin",
                f"Kaggle {what} {artefact.source}",
                lambda: download_kaggle(artefact.kind, artefact.source, dest),
            )
        )
    remotes += [from_url("mirror", url) for url in artefact.mirrors]
    if job.wayback is not None and artefact.kind == "url":
        urls = [artefact.source, *artefact.mirrors]
        remotes += [
            from_url("wayback", snapshot_url(job.wayback, url))
            for url in urls
            if drive_file_id(url) is None
        ]
    return remotes
