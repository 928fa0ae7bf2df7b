"""Preparing a dataset: lock, get its raw files, convert, write the store; skip what is already done."""

from __future__ import annotations

import contextlib
import errno
import logging
from collections.abc import Callable, Collection
from pathlib import Path

from nevisbench.data.extract import extract, skipped_links
from nevisbench.data.home import DataHome
from nevisbench.data.sources import fetch_artefacts, non_reference_files, served_from
from nevisbench.data.spec import DatasetSpec, extracted_dir, get_dataset
from nevisbench.data.store import DEFAULT_RESOLUTION, check_resolution, remove_stale, write_dataset
from nevisbench.data.stored import StoredDataset, is_prepared
from nevisbench.files import exclusive_lock

log = logging.getLogger(__name__)


class NoSpaceError(OSError):
    """The disk filled up while a dataset was being prepared."""


def dataset_lock(
    name: str, home: DataHome | Path | None = None, *, wait: bool = True
) -> contextlib.AbstractContextManager[None]:
    """Holds ``<home>/datasets/.<name>.lock`` so that two prepares of one dataset never overlap.

    Args:
        name: the dataset.
        home: the data home (default: ``$NEVISBENCH_HOME``).
        wait: wait for a process preparing it already (logging once whom we wait for), so that
            two runs started together on a fresh home both go on with one conversion; False
            raises RuntimeError instead.
    """

    def waiting(pid: str) -> None:
        log.warning("waiting for pid %s, which is preparing %s", pid, name)

    return exclusive_lock(
        DataHome.of(home).lock_file(name),
        lambda pid: f"dataset {name} is being prepared by another process (pid {pid}); wait for it to finish",
        wait=waiting if wait else None,
    )


def needs_conversion(stored: StoredDataset, resolution: int, version: int) -> bool:
    """Whether a ready store differs from what ``prepare`` would write now."""
    policy = stored.meta["resolution_policy"]
    if stored.meta.get("converter_version") != version:
        return True
    if policy["mode"] == "native":
        # Native arrays stay valid while they fit under the requested side.
        return max(stored.meta["image_shape"][:2]) > resolution
    return policy["resolution"] != resolution


def unpack_artefacts(spec: DatasetSpec, raw_dir: Path) -> dict[str, list[str]]:
    """Unpacks every artefact marked ``extract=True`` into ``extracted_dir`` (once; see ``extract``).

    Returns:
        ``{artefact filename: member paths}`` of the links each archive held that point inside it:
        skipped, not created (meta.json records them); artefacts without such links are left out.
    """
    links: dict[str, list[str]] = {}
    for artefact in spec.artefacts:
        if artefact.extract:
            target = extracted_dir(raw_dir, artefact.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                extract(raw_dir / artefact.filename, target)
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"dataset {spec.id}: {raw_dir / artefact.filename} is missing; run "
                    f"`nevisbench datasets prepare {spec.id}` to fetch it"
                ) from None
            except ValueError as error:
                raise ValueError(
                    f"dataset {spec.id}: artefact {artefact.filename} cannot be unpacked: {error}"
                ) from error
            skipped = skipped_links(target)
            if skipped:
                links[artefact.filename] = skipped
    return links


def prepare_dataset(
    name: str,
    *,
    home: DataHome | Path | None = None,
    from_dir: Path | None = None,
    mirror: str | None = None,
    resolution: int = DEFAULT_RESOLUTION,
    force: bool = False,
    on_example: Callable[[str], None] | None = None,
    on_download: Callable[[str, int, int | None], None] | None = None,
    accept_checksum: Collection[str] = (),
) -> tuple[StoredDataset, bool]:
    """Makes dataset ``name`` ready in the store.

    meta.json records, per raw file, which source served it (``served_from``) and which files were
    kept although their checksum differs from the spec's (``non_reference``).

    Args:
        accept_checksum: ``"dataset:filename"`` entries whose differing checksum is accepted
            (``--accept-checksum``); other datasets' entries are ignored.

    Returns:
        the opened dataset and whether it was converted now (False: it was already ready).
    """
    spec = get_dataset(name)
    check_resolution(resolution)
    place = DataHome.of(home)
    with dataset_lock(name, place):
        # Checked under the lock: a process we waited for may have just made it ready.
        if is_prepared(name, place) and not force:
            stored = StoredDataset.open(place.dataset_dir(name))
            if not needs_conversion(stored, resolution, spec.version):
                return stored, False
        remove_stale(name, place)
        raw_dir = place.raw_dir(name)
        step = "downloading"
        try:
            sources = fetch_artefacts(spec, raw_dir, from_dir=from_dir, mirror=mirror, on_progress=on_download,
                                      accept_checksum=accept_checksum)
            files = {artefact.filename for artefact in spec.artefacts}
            served = {k: v for k, v in served_from(raw_dir).items() if k in files}
            kept = [k for k in non_reference_files(raw_dir) if k in files]
            step = "unpacking"
            links = unpack_artefacts(spec, raw_dir)
            step = "converting"
            log.info("converting %s", name)
            stored = write_dataset(spec, spec.convert(raw_dir), place.dataset_dir(name),
                                   resolution=resolution, sources=sources, skipped_links=links,
                                   served_from=served, non_reference=kept, on_example=on_example)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
            # Downloads resume and unpacking and conversion write beside their target, so nothing
            # half-written reads as ready; say where the space ran out.
            raise NoSpaceError(
                f"dataset {name}: no space left on the device while {step} ({error.filename or place.root}); "
                f"free some space or point NEVISBENCH_HOME at a larger disk, then prepare again "
                f"(downloads resume where they stopped)"
            ) from error
        return stored, True
