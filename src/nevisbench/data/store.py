"""The converted store: one memory-mapped uint8 array per split, labels, meta.json and READY.

Layout of ``<home>/datasets/<id>/``::

    train_images.npy  train_labels.npy  dev_…  dev_test_…  test_…   (N×H×W×C uint8; int64 N or uint8 N×K)
    meta.json                                                        (spec, counts, shapes, checksums)
    READY                                                            (present only in a complete store)

A store is written into a temporary sibling directory and renamed into place in one step, so an
interrupted conversion never leaves a directory that reads as ready. ``train_and_dev`` is not stored:
it reads as train followed by dev.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import logging
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nevisbench import __version__
from nevisbench.data.spec import Crop, DatasetSpec, Example, as_label_array
from nevisbench.types import STORED_SPLITS, Split, TaskKey, TaskKind

log = logging.getLogger(__name__)

STORE_FORMAT = 1
DEFAULT_RESOLUTION = 96
# Bytes of decoded pixels staged per write; bounds memory for datasets of any size.
_CHUNK_BYTES = 64 << 20
# PIL's own default bomb threshold; an image above it counts as corrupt instead of being decoded.
MAX_IMAGE_PIXELS = 89_478_485
_CORRUPT_NAMES_KEPT = 20


class StoreError(ValueError):
    """A converted dataset is missing, incomplete, truncated or edited."""


def data_home() -> Path:
    """The data home: ``$NEVISBENCH_HOME``, default ``~/.cache/nevisbench``."""
    return Path(os.environ.get("NEVISBENCH_HOME", "~/.cache/nevisbench")).expanduser()


def dataset_dir(name: str, home: Path | None = None) -> Path:
    return (home or data_home()) / "datasets" / name


def check_resolution(resolution: int) -> int:
    """Validates a store resolution (the side of resized images)."""
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 8 <= resolution <= 1024:
        raise ValueError(f"--resolution must be an integer between 8 and 1024 pixels, got {resolution!r}")
    return resolution


# --------------------------------------------------------------------------------------------- decode


def decode_image(image: Any, channels: int) -> np.ndarray:
    """Returns ``image`` as an ``H×W×channels`` uint8 array.

    Raises:
        OSError / ValueError: the image cannot be decoded (the writer counts and skips it).
        TypeError: the handler produced something that is not an image (a bug, not bad data).
    """
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:
            raise TypeError(f"image arrays must be uint8, got {image.dtype}")
        array = image[:, :, None] if image.ndim == 2 else image
        if array.ndim != 3:
            raise TypeError(f"image arrays must be H×W or H×W×C, got shape {image.shape}")
        if array.shape[2] == channels:
            return np.ascontiguousarray(array)
        if array.shape[2] == 1 and channels == 3:
            return np.ascontiguousarray(np.repeat(array, 3, axis=2))
        pil = Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)
        return _pil_to_array(pil, channels)
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _open_and_convert(io.BytesIO(bytes(image)), channels)
    if isinstance(image, (str, os.PathLike)):
        return _open_and_convert(Path(image), channels)
    if isinstance(image, Image.Image):
        return _pil_to_array(image, channels)
    if isinstance(image, Crop):
        return _crop(decode_image(image.source, channels), image.box)
    raise TypeError(f"cannot read an image from {type(image).__name__}")


def _crop(array: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    left, top, right, bottom = (int(v) for v in box)
    height, width = array.shape[:2]
    left, top = max(left, 0), max(top, 0)
    right, bottom = min(right, width), min(bottom, height)
    if right <= left or bottom <= top:
        raise ValueError(f"crop box {tuple(box)} holds no pixel of a {width}×{height} image")
    return np.ascontiguousarray(array[top:bottom, left:right])


def _open_and_convert(source: Any, channels: int) -> np.ndarray:
    with warnings.catch_warnings():
        # A decompression bomb is bad input: refuse it like a corrupt file.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as pil:
            if pil.width * pil.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"image of {pil.width}×{pil.height} pixels exceeds the decompression cap")
            pil.load()
            return _pil_to_array(pil, channels)


def _pil_to_array(pil: Image.Image, channels: int) -> np.ndarray:
    mode = "L" if channels == 1 else "RGB"
    if pil.mode != mode:
        # Palette and alpha images go through RGBA so transparency does not turn into noise.
        if pil.mode in ("P", "PA", "LA", "RGBA") and mode == "RGB":
            pil = pil.convert("RGBA").convert("RGB")
        elif pil.mode in ("I;16", "I;16B", "I", "F"):
            # 16-bit and float images (X-rays, depth): scale to 8 bits by their own range.
            values = np.asarray(pil, dtype=np.float64)
            low, high = float(values.min()), float(values.max())
            scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
            pil = Image.fromarray(scaled.round().astype(np.uint8)).convert(mode)
        else:
            pil = pil.convert(mode)
    array = np.asarray(pil, dtype=np.uint8)
    return array[:, :, None] if array.ndim == 2 else array


def square_resize(image: np.ndarray, side: int) -> np.ndarray:
    """Centre square crop of side min(H, W), resized to ``side×side`` (bicubic, antialiased)."""
    height, width = image.shape[:2]
    crop = min(height, width)
    top, left = (height - crop) // 2, (width - crop) // 2
    square = image[top : top + crop, left : left + crop]
    if crop == side:
        return np.ascontiguousarray(square)
    pil = Image.fromarray(square[:, :, 0] if square.shape[2] == 1 else square)
    resized = np.asarray(pil.resize((side, side), Image.Resampling.BICUBIC), dtype=np.uint8)
    return resized[:, :, None] if resized.ndim == 2 else resized


# ---------------------------------------------------------------------------------------------- write


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
    on_example: Callable[[str], None] | None = None,
) -> StoredDataset:
    """Writes a converted dataset to ``target`` atomically and returns it opened.

    Args:
        spec: the dataset's spec.
        splits: ``{split name: examples}`` for train, dev, dev_test and test.
        target: the final directory; an existing one is replaced only once the new one is complete.
        resolution: side of resized images (used unless every image shares one size ≤ resolution).
        sources: checksums of the raw files used, recorded in meta.json.
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
            "converter_version": spec.version,
            "nevisbench_version": __version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        (tmp / "READY").write_text("ready\n")
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


def remove_stale(name: str, home: Path | None = None) -> None:
    """Removes what an interrupted conversion of ``name`` left (temporary dirs, an unready store).

    Call only while holding the dataset's prepare lock."""
    root = dataset_dir(name, home).parent
    if not root.is_dir():
        return
    for path in root.iterdir():
        if path.name.startswith((f".tmp-{name}-", f".old-{name}-")):
            shutil.rmtree(path, ignore_errors=True)
    target = dataset_dir(name, home)
    if target.exists() and not (target / "READY").exists():
        shutil.rmtree(target)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------- read


class ConcatImages:
    """Two image arrays read as one (train_and_dev = train followed by dev), without copying."""

    def __init__(self, first: np.ndarray, second: np.ndarray) -> None:
        self.parts = (first, second)
        self.shape = (len(first) + len(second), *first.shape[1:])
        self.dtype = first.dtype

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(index, (int, np.integer)):
            index = int(index) + (self.shape[0] if index < 0 else 0)
            first = self.parts[0]
            return first[index] if index < len(first) else self.parts[1][index - len(first)]
        indices = np.arange(self.shape[0])[index]
        first, second = self.parts
        out = np.empty((len(indices), *self.shape[1:]), dtype=self.dtype)
        in_first = indices < len(first)
        out[in_first] = first[indices[in_first]]
        out[~in_first] = second[indices[~in_first] - len(first)]
        return out


@dataclasses.dataclass(frozen=True)
class StoredSplit:
    """One split of a converted dataset.

    Attributes:
        images: ``N×H×W×C`` uint8, memory-mapped (index it with integer arrays).
        labels: int64 ``N`` (single-label) or uint8 multi-hot ``N×K`` (multi-label), in memory.
    """

    images: np.ndarray | ConcatImages
    labels: np.ndarray
    source: tuple[str, str] | None = None
    """(dataset directory, split name) when read from the store: pickling then sends the path, and
    the receiver (a worker process, a Ray task on a node sharing the store) maps the files itself."""

    def __len__(self) -> int:
        return len(self.labels)

    def __reduce__(self) -> tuple[Any, ...]:
        if self.source is not None:
            return (_reopen_split, self.source)
        return (StoredSplit, (np.asarray(self.images[:]) if isinstance(self.images, ConcatImages)
                              else self.images, self.labels))

    def in_memory(self) -> StoredSplit:
        """A copy whose arrays live in memory (pickling then ships the pixels, not the path)."""
        return StoredSplit(np.array(self.images[:]), np.array(self.labels))


def _reopen_split(path: str, split: str) -> StoredSplit:
    return StoredDataset.open(Path(path)).split(split)


class StoredDataset:
    """A converted dataset opened for reading."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.task = TaskKey.from_dict(meta["task"])

    @classmethod
    def open(cls, path: Path) -> StoredDataset:
        if not (path / "READY").exists():
            raise StoreError(
                f"{path} is not a complete converted dataset (no READY file); "
                f"run `nevisbench datasets prepare {path.name}`"
            )
        try:
            meta = json.loads((path / "meta.json").read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise StoreError(f"{path / 'meta.json'} is unreadable ({error}); prepare the dataset again "
                             f"with `nevisbench datasets prepare {path.name} --force`") from None
        if meta.get("format") != STORE_FORMAT:
            raise StoreError(f"{path} has store format {meta.get('format')}, this nevisbench reads "
                             f"{STORE_FORMAT}; run `nevisbench datasets prepare {path.name} --force`")
        return cls(path, meta)

    @property
    def name(self) -> str:
        return self.task.name

    def num_examples(self, split: Split | str) -> int:
        split = Split.parse(split)
        counts = self.meta["counts"]
        if split is Split.TRAIN_AND_DEV:
            return counts["train"] + counts["dev"]
        return counts[split.value]

    def split(self, split: Split | str) -> StoredSplit:
        """Opens ``split``; images are memory-mapped, labels loaded."""
        split = Split.parse(split)
        if split is Split.TRAIN_AND_DEV:
            train, dev = self.split(Split.TRAIN), self.split(Split.DEV)
            return StoredSplit(ConcatImages(train.images, dev.images),
                               np.concatenate([train.labels, dev.labels]),
                               (str(self.path), split.value))
        images = self._load(f"{split.value}_images.npy", mmap=True)
        labels = self._load(f"{split.value}_labels.npy", mmap=False)
        if len(images) != len(labels) or len(labels) != self.meta["counts"][split.value]:
            raise StoreError(f"{self.path / (split.value + '_labels.npy')}: {len(labels)} labels for "
                             f"{len(images)} images; run `nevisbench datasets verify {self.name}`")
        return StoredSplit(images, labels, (str(self.path), split.value))

    def _load(self, filename: str, *, mmap: bool) -> np.ndarray:
        path = self.path / filename
        expected = self.meta["files"].get(filename, {}).get("bytes")
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise StoreError(f"{path} is missing; prepare the dataset again with "
                             f"`nevisbench datasets prepare {self.name} --force`") from None
        if expected is not None and size != expected:
            raise StoreError(f"{path} has {size} bytes, meta.json records {expected} (truncated or "
                             f"edited); prepare again with `nevisbench datasets prepare {self.name} --force`")
        try:
            return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (ValueError, OSError) as error:
            raise StoreError(f"{path} is unreadable ({error}); prepare again with "
                             f"`nevisbench datasets prepare {self.name} --force`") from None


def open_dataset(name: str, home: Path | None = None) -> StoredDataset:
    """Opens the converted dataset ``name`` from the data home."""
    path = dataset_dir(name, home)
    if not (path / "READY").exists():
        raise FileNotFoundError(
            f"dataset {name!r} is not prepared in {path.parent}; run `nevisbench datasets prepare {name}`"
        )
    return StoredDataset.open(path)


def is_prepared(name: str, home: Path | None = None) -> bool:
    return (dataset_dir(name, home) / "READY").exists()


def verify_dataset(name: str, home: Path | None = None) -> list[str]:
    """Rechecks every store file of ``name`` against meta.json; returns the problems found (none = ok)."""
    path = dataset_dir(name, home)
    try:
        stored = StoredDataset.open(path)
    except StoreError as error:
        return [str(error)]
    problems = []
    for filename, record in sorted(stored.meta["files"].items()):
        file = path / filename
        if not file.exists():
            problems.append(f"{file}: missing")
        elif file.stat().st_size != record["bytes"]:
            problems.append(f"{file}: {file.stat().st_size} bytes, expected {record['bytes']} (truncated?)")
        elif file_sha256(file) != record["sha256"]:
            problems.append(f"{file}: content differs from meta.json (edited or corrupted)")
    return problems
