"""Reading a converted store: splits memory-mapped, checked against meta.json when opened and read.

Opening checks what is cheap (meta.json's keys and types, num_classes and kind against the registered
spec, every array's size and header against the counts); reading a split checks its labels lie within
the classes. Anything wrong raises StoreError naming the file and the fix, never a raw numpy error
later in training.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.data.home import DataHome
from nevisbench.data.meta import (
    NPY_ERRORS,
    STORE_FORMAT,
    StoreError,
    header_problem,
    label_problem,
    read_meta,
    registered_spec,
    size_problem,
    spec_problems,
    store_files,
)
from nevisbench.values import STORED_SPLITS, Split, TaskKey

__all__ = [
    "STORE_FORMAT",
    "ConcatImages",
    "StoreError",
    "StoredDataset",
    "StoredSplit",
    "is_prepared",
    "open_dataset",
]


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
    # The sender opened this store against its spec already; a worker need not import every handler.
    return StoredDataset.open(Path(path), against_spec=False).split(split)


class StoredDataset:
    """A converted dataset opened for reading."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.task = TaskKey.from_dict(meta["task"])

    @classmethod
    def open(cls, path: Path, *, against_spec: bool = True) -> StoredDataset:
        """Opens the store in ``path`` after the cheap checks.

        Args:
            path: the store directory (``<home>/datasets/<id>``).
            against_spec: compare num_classes and kind with the registered spec of the dataset
                (skipped for a store its converter has changed since: ``prepare`` converts it again).

        Raises:
            StoreError: incomplete, or meta.json, an array's size or its header is wrong; the
                message names the file and the fix.
        """
        if not (path / "READY").exists():
            raise StoreError(
                f"{path} is not a complete converted dataset (no READY file); "
                f"run `nevisbench datasets prepare {path.name}`"
            )
        meta = read_meta(path)
        spec = registered_spec(meta["spec"]["id"]) if against_spec else None
        if spec is not None and spec.version == meta["converter_version"]:
            problems = spec_problems(path, meta, spec, full=False)
            if problems:
                raise StoreError(problems[0])
        for split in STORED_SPLITS:
            for filename in store_files(split.value):
                problem = size_problem(path, filename, meta) or header_problem(
                    path, split.value, filename, meta
                )
                if problem:
                    raise StoreError(problem)
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
        """Opens ``split``; images are memory-mapped, labels loaded and checked against the classes."""
        split = Split.parse(split)
        if split is Split.TRAIN_AND_DEV:
            train, dev = self.split(Split.TRAIN), self.split(Split.DEV)
            return StoredSplit(ConcatImages(train.images, dev.images),
                               np.concatenate([train.labels, dev.labels]),
                               (str(self.path), split.value))
        images_file, labels_file = store_files(split.value)
        images = self._load(images_file, mmap=True)
        labels = self._load(labels_file, mmap=False)
        if len(images) != len(labels) or len(labels) != self.meta["counts"][split.value]:
            raise StoreError(f"{self.path / labels_file}: {len(labels)} labels for "
                             f"{len(images)} images; run `nevisbench datasets verify {self.name}`")
        # Once per opened split, O(N) over labels already in memory: an out-of-range label would
        # otherwise surface as an IndexError deep inside a loss, naming no file.
        problem = label_problem(self.path / labels_file, labels, self.task.kind, self.task.num_classes)
        if problem:
            raise StoreError(problem)
        return StoredSplit(images, labels, (str(self.path), split.value))

    def _load(self, filename: str, *, mmap: bool) -> np.ndarray:
        path = self.path / filename
        problem = size_problem(self.path, filename, self.meta)
        if problem:
            raise StoreError(problem)
        try:
            return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        except NPY_ERRORS as error:
            raise StoreError(f"{path} is unreadable ({error}); prepare again with "
                             f"`nevisbench datasets prepare {self.name} --force`") from None


def open_dataset(name: str, home: DataHome | Path | None = None) -> StoredDataset:
    """Opens the converted dataset ``name`` from the data home."""
    path = DataHome.of(home).dataset_dir(name)
    if not (path / "READY").exists():
        raise FileNotFoundError(
            f"dataset {name!r} is not prepared in {path.parent}; run `nevisbench datasets prepare {name}`"
        )
    return StoredDataset.open(path)


def is_prepared(name: str, home: DataHome | Path | None = None) -> bool:
    """Whether dataset ``name`` has a complete store (READY) in the data home."""
    return (DataHome.of(home).dataset_dir(name) / "READY").exists()
