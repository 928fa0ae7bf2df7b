"""Writing the converted store: one uint8 array per split, labels, meta.json and READY, atomically.

Layout of ``<home>/datasets/<id>/``::

    train_images.npy  train_labels.npy  dev_…  dev_test_…  test_…   (N×H×W×C uint8; int64 N or uint8 N×K)
    meta.json                                                        (spec, counts, shapes, checksums)
    READY                                                            (present only in a complete store)

A store is written into a temporary sibling directory and renamed into place in one step, so an
interrupted conversion never leaves a directory that reads as ready. ``train_and_dev`` is not stored:
it reads as train followed by dev. Reading is ``data/stored.py``, checking ``data/verify.py``, images
``data/images.py`` and paths ``data/home.py``; their public names are importable from here too.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench import __version__
from nevisbench.data.home import DataHome, data_home, dataset_dir
from nevisbench.data.images import decode_image, square_resize
from nevisbench.data.meta import STORE_FORMAT, StoreError, file_sha256
from nevisbench.data.spec import DatasetSpec, Example, as_label_array
from nevisbench.data.stored import (
    ConcatImages,
    StoredDataset,
    StoredSplit,
    is_prepared,
    open_dataset,
)
from nevisbench.data.verify import verify_dataset
from nevisbench.files import write_atomic, write_json
from nevisbench.values import STORED_SPLITS, Split, TaskKind

__all__ = [
    "DEFAULT_RESOLUTION",
    "STORE_FORMAT",
    "ConcatImages",
    "StoreError",
    "StoredDataset",
    "StoredSplit",
    "check_resolution",
    "data_home",
    "dataset_dir",
    "decode_image",
    "file_sha256",
    "is_prepared",
    "open_dataset",
    "remove_stale",
    "square_resize",
    "verify_dataset",
    "write_dataset",
]

log = logging.getLogger(__name__)

DEFAULT_RESOLUTION = 96
# Bytes of decoded pixels staged per write; bounds memory for datasets of any size.
_CHUNK_BYTES = 64 << 20
_CORRUPT_NAMES_KEPT = 20


def check_resolution(resolution: int) -> int:
    """Validates a store resolution (the side of resized images)."""
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 8 <= resolution <= 1024:
        raise ValueError(f"--resolution must be an integer between 8 and 1024 pixels, got {resolution!r}")
    return resolution


class _SplitStager:
    """Appends decoded images of one split to a raw file while remembering whether they share a shape.

    While every image has the same shape the file holds them at native size; the first image of
    another shape turns the split into resized mode (the staged images are resized once).
    """

    def __init__(self, path: Path, resolution: int) -> None:
        self.path = path
        self.resolution = resolution
        self.shape: tuple[int, ...] | None = None
        self.resized = False
        self.count = 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()

    def add(self, image: np.ndarray) -> None:
        if self.shape is None:
            self.shape = image.shape
        if not self.resized and image.shape != self.shape:
            self._switch_to_resized()
        if self.resized:
            image = square_resize(image, self.resolution)
        self._file.write(image.tobytes())
        self.count += 1

    def _switch_to_resized(self) -> None:
        assert self.shape is not None
        self._file.close()
        old = self.path.with_suffix(".native")
        self.path.rename(old)
        self._file = open(self.path, "wb")  # noqa: SIM115
        for image in _read_raw(old, self.shape, self.count):
            self._file.write(square_resize(image, self.resolution).tobytes())
        old.unlink()
        self.resized = True
        self.shape = (self.resolution, self.resolution, self.shape[2])

    def close(self) -> None:
        self._file.close()


def _read_raw(path: Path, shape: tuple[int, ...], count: int) -> Iterable[np.ndarray]:
    if count == 0:
        return
    raw = np.memmap(path, dtype=np.uint8, mode="r", shape=(count, *shape))
    for index in range(count):
        yield raw[index]


def write_dataset(
    spec: DatasetSpec,
    splits: dict[str, Iterable[Example]] | Any,
    target: Path,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    sources: dict[str, str] | None = None,
    skipped_links: dict[str, list[str]] | None = None,
    served_from: dict[str, dict[str, Any]] | None = None,
    non_reference: Iterable[str] = (),
    on_example: Callable[[str], None] | None = None,
) -> StoredDataset:
    """Writes a converted dataset to ``target`` atomically and returns it opened.

    Args:
        spec: the dataset's spec.
        splits: ``{split name: examples}`` for train, dev, dev_test and test.
        target: the final directory; an existing one is replaced only once the new one is complete.
        resolution: side of resized images (used unless every image shares one size ≤ resolution).
        sources: checksums of the raw files used, recorded in meta.json.
        skipped_links: ``{archive: member paths}`` of links the extraction skipped, recorded in
            meta.json so that a missing file can be traced to its archive.
        served_from: per raw file, which source served it (``data.sources.served_from``).
        non_reference: the raw files kept although their checksum differs from the spec's
            (accepted with ``--accept-checksum``); a run on this store is not paper-comparable.
        on_example: called with the split name after each example (progress).
    """
    check_resolution(resolution)
    names = {Split.parse(name).value: name for name in splits}
    missing = [s.value for s in STORED_SPLITS if s.value not in names]
    if missing:
        raise ValueError(f"dataset {spec.id}: the converter produced no {missing} split(s)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{spec.id}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        stagers: dict[str, _SplitStager] = {}
        labels: dict[str, list[Any]] = {}
        corrupt: dict[str, dict[str, Any]] = {}
        for split in STORED_SPLITS:
            stager = stagers[split.value] = _SplitStager(tmp / f"{split.value}.staging", resolution)
            labels[split.value] = []
            bad = corrupt[split.value] = {"count": 0, "names": []}
            try:
                for number, example in enumerate(splits[names[split.value]]):
                    _check_label(spec, example.label)
                    try:
                        image = decode_image(example.image, spec.channels)
                    except (OSError, ValueError, SyntaxError) as error:
                        bad["count"] += 1
                        if len(bad["names"]) < _CORRUPT_NAMES_KEPT:
                            bad["names"].append(f"{example.name or number}: {error}")
                        log.warning("%s/%s: skipped corrupt image %s: %s", spec.id, split.value,
                                    example.name or number, error)
                        continue
                    stager.add(image)
                    labels[split.value].append(example.label)
                    if on_example is not None:
                        on_example(split.value)
            finally:
                stager.close()
        shape = _final_shape(stagers.values(), resolution)
        files: dict[str, dict[str, Any]] = {}
        for name, stager in stagers.items():
            images_file = tmp / f"{name}_images.npy"
            _finalize_images(stager, shape, images_file)
            stager.path.unlink()
            labels_file = tmp / f"{name}_labels.npy"
            np.save(labels_file, as_label_array(labels[name], spec.kind, spec.num_classes))
            for path in (images_file, labels_file):
                files[path.name] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
        native = all(not s.resized and s.shape in (None, shape) for s in stagers.values())
        meta = {
            "format": STORE_FORMAT,
            "spec": spec.describe(),
            "task": spec.task_key.to_dict(),
            "counts": {name: stager.count for name, stager in stagers.items()},
            "image_shape": list(shape),
            "resolution_policy": {
                "resolution": resolution,
                "mode": "native" if native else "centre_square_crop_resized",
            },
            "corrupt_images": corrupt,
            "files": files,
            "sources": sources or {},
            "skipped_links": skipped_links or {},
            "served_from": served_from or {},
            "non_reference": sorted(non_reference),
            "converter_version": spec.version,
            "nevisbench_version": __version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        # Both inside the temporary directory; the atomic helpers add the fsync that makes them
        # durable before the rename below publishes the store.
        write_json(tmp / "meta.json", meta)
        write_atomic(tmp / "READY", b"ready\n")
        _replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return StoredDataset.open(target)


def _check_label(spec: DatasetSpec, label: Any) -> None:
    values = [label] if spec.kind is TaskKind.SINGLE_LABEL else list(label)
    for value in values:
        if not 0 <= int(value) < spec.num_classes:
            raise ValueError(f"dataset {spec.id}: label {value} outside [0, {spec.num_classes})")


def _final_shape(stagers: Iterable[_SplitStager], resolution: int) -> tuple[int, ...]:
    """Native shape if every staged image shares one shape no larger than resolution, else R×R."""
    stagers = list(stagers)
    shapes = {s.shape for s in stagers if s.shape is not None and not s.resized}
    any_resized = any(s.resized for s in stagers)
    channels = next((s.shape[2] for s in stagers if s.shape is not None), 1)
    if not any_resized and len(shapes) == 1:
        (shape,) = shapes
        if max(shape[:2]) <= resolution:
            return shape
    return (resolution, resolution, channels)


def _finalize_images(stager: _SplitStager, shape: tuple[int, ...], path: Path) -> None:
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(stager.count, *shape))
    if stager.count:
        assert stager.shape is not None
        if stager.shape == shape:
            raw = np.memmap(stager.path, dtype=np.uint8, mode="r", shape=(stager.count, *shape))
            step = max(1, _CHUNK_BYTES // int(np.prod(shape)))
            for start in range(0, stager.count, step):
                out[start : start + step] = raw[start : start + step]
            del raw
        else:
            for index, image in enumerate(_read_raw(stager.path, stager.shape, stager.count)):
                out[index] = square_resize(image, shape[0])
    out.flush()
    del out


def _replace_dir(tmp: Path, target: Path) -> None:
    if target.exists():
        old = target.parent / f".old-{target.name}-{uuid.uuid4().hex[:8]}"
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(target)


def remove_stale(name: str, home: DataHome | Path | None = None) -> None:
    """Removes what an interrupted conversion of ``name`` left (temporary dirs, an unready store).

    Call only while holding the dataset's prepare lock."""
    place = DataHome.of(home)
    if not place.datasets.is_dir():
        return
    for path in place.datasets.iterdir():
        if path.name.startswith((f".tmp-{name}-", f".old-{name}-")):
            shutil.rmtree(path, ignore_errors=True)
    target = place.dataset_dir(name)
    if target.exists() and not (target / "READY").exists():
        shutil.rmtree(target)
