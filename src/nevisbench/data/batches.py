"""Seeded batches from a converted store, augmented like the reference on the device."""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
import torch

from nevisbench.data.augment import Workspace, augment_eval, augment_train
from nevisbench.values import TaskKind


class SplitLike(Protocol):
    """What batching reads: ``images`` (``N×H×W×C`` uint8, indexable by a sorted int64 array and
    by slices: a memmap, a ``ConcatImages`` or an array) and ``labels`` (int64 ``N`` or uint8
    ``N×K``)."""

    images: Any
    labels: np.ndarray


# ----------------------------------------------------------------------------------------- batches


def adaptive_batch_size(
    num_train_examples: int,
    max_batch_size: int = 512,
    min_batch_size: int = 16,
    size_proportion: float = 0.0025,
) -> int:
    """The reference's adaptive training batch size (reference §4.8).

    ``min(max, max(min, 2 ** int(log2(size_proportion × N))))``: 35,000 → 64, 1.15 M → 512,
    1,000 → 16.
    """
    scaled = size_proportion * num_train_examples
    # log2 of a value below 1 is negative (or -inf at 0); every such value gives the minimum.
    if scaled < 1:
        return min(max_batch_size, min_batch_size)
    return min(max_batch_size, max(min_batch_size, 2 ** int(math.log2(scaled))))


def _seed(*words: int) -> int:
    """A 63-bit torch/numpy seed mixed from ``words`` (SeedSequence keeps nearby inputs apart)."""
    return int(np.random.SeedSequence(list(words)).generate_state(1, np.uint64)[0] >> np.uint64(1))


# Stream tags, so the permutation and the augmentation of one (seed, n) never share randomness.
_PERMUTATION, _AUGMENTATION = 0, 1


class Batches:
    """Seeded, shuffled training batches, each computed from its step number alone.

    The example stream is the concatenation of one permutation per epoch (epoch ``e`` drawn from
    ``(seed, e)``); batch ``step`` is positions ``[step × B, (step + 1) × B)`` of that stream, and
    its augmentation is drawn from ``(seed, step)``. So ``batch(k)`` is the same whether or not
    steps ``0..k-1`` ran, and a run resumed at step k reproduces an uninterrupted one exactly.

    Batches wrap around epoch boundaries instead of dropping a partial last batch, as the
    reference's ``shuffle → repeat → batch`` pipeline: every batch is full, every example appears
    exactly once per epoch (an epoch is N consecutive stream positions, so one batch may hold the
    end of one epoch and the start of the next), and a split smaller than a batch still works (the
    batch then spans several epochs and repeats examples).

    Each batch is read from the memory map with sorted indices (sequential reads), put back in
    shuffled order, moved to the device as uint8 (4× less than float) and augmented there. With
    ``prefetch``, a background thread reads batch ``step + 1`` while batch ``step`` is augmented
    and trained on: it hides disk reads of a store that is not in the page cache, and host work
    behind a GPU's; on a CPU-only machine with the store cached it gains little (0-17% on 2 cores,
    benchmarks/batch_pipeline.py). What is read depends only on the step, so it changes no
    result.

    Args:
        split: the data (e.g. a ``StoredSplit``).
        batch_size: examples per batch.
        seed: non-negative; selects the permutations and augmentations.
        train: training augmentation; False gives evaluation preprocessing (still shuffled).
        size: side of the images produced.
        device: where images are augmented and batches returned.
        kind: single-label (int64 ``B`` targets) or multi-label (float32 multi-hot ``B×K``).
        num_classes: checked against multi-hot labels when given.
        prefetch: read the next step's images in a background thread.
        shard: ``(k, n)``: batches hold only the k-th of n equal shares of each batch (a data-parallel
            process's), read and augmented exactly as those rows of the whole batch; ``batch_size``
            is the whole batch's and must divide by n.
    """

    def __init__(
        self,
        split: SplitLike,
        batch_size: int,
        *,
        seed: int,
        train: bool = True,
        size: int = 64,
        device: torch.device | str = "cpu",
        kind: TaskKind = TaskKind.SINGLE_LABEL,
        num_classes: int | None = None,
        prefetch: bool = True,
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        share, shares = shard
        if shares < 1 or not 0 <= share < shares or batch_size % shares:
            raise ValueError(f"shard must be (k, n) with 0 ≤ k < n and n dividing batch_size {batch_size}, got {shard}")
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        if len(split.labels) == 0:
            raise ValueError("cannot make training batches from an empty split")
        _check_labels(split.labels, kind, num_classes)
        self.split = split
        self.batch_size = batch_size
        self.seed = seed
        self.train = train
        self.size = size
        self.device = torch.device(device)
        self.kind = kind
        self.num_examples = len(split.labels)
        width = batch_size // shares
        # This share's rows of each whole batch (None: all of them).
        self._rows = slice(share * width, (share + 1) * width) if shares > 1 else None
        self._permutations: dict[int, np.ndarray] = {}
        self._executor = ThreadPoolExecutor(max_workers=1) if prefetch else None
        self._pending: tuple[int, Future[torch.Tensor]] | None = None
        # Host buffers (used by one read at a time: the prefetch thread, or the caller after any
        # read-ahead has finished) and device-side scratch (the caller's thread only).
        self._host = Workspace()
        self._workspace = Workspace()

    @property
    def steps_per_epoch(self) -> float:
        """N / batch size: steps per pass over the data (batches wrap around, so not an integer)."""
        return self.num_examples / self.batch_size

    def indices(self, step: int) -> np.ndarray:
        """The example indices of batch ``step``, in batch order."""
        if step < 0:
            raise ValueError(f"step must be non-negative, got {step}")
        n = self.num_examples
        start = step * self.batch_size
        parts, position = [], start
        while position < start + self.batch_size:
            epoch, offset = divmod(position, n)
            take = min(n - offset, start + self.batch_size - position)
            parts.append(self._permutation(epoch)[offset : offset + take])
            position += take
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch ``step`` (this shard's rows of it): float32 images ``B×3×size×size`` in [-1, 1] and
        targets, on the device.

        Returns:
            ``(images, targets)``; targets int64 ``B`` or float32 multi-hot ``B×K``.
        """
        index = self._shard(self.indices(step))
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == step:
            host = pending[1].result()
        else:
            if pending is not None:
                pending[1].result()  # a read-ahead of another step: let it finish with the buffers
            host = self._load(step, index)
        if self._executor is not None:
            upcoming = self._shard(self.indices(step + 1))
            self._pending = (step + 1, self._executor.submit(self._load, step + 1, upcoming))
        images = host.to(self.device)
        if self.train:
            generator = torch.Generator().manual_seed(_seed(self.seed, _AUGMENTATION, step))
            images = augment_train(images, self.size, generator, workspace=self._workspace, rows=self._rows,
                                   whole_batch=self.batch_size)
        else:
            images = augment_eval(images, self.size, workspace=self._workspace)
        return images, _targets(self.split.labels[index], self.kind, self.device)

    def _shard(self, index: np.ndarray) -> np.ndarray:
        return index if self._rows is None else index[self._rows]

    def _load(self, step: int, index: np.ndarray) -> torch.Tensor:
        """The uint8 images of ``index``, in that order, on the host.

        Read with the indices sorted (one forward pass over the memmap: sequential reads that the
        OS reads ahead, where a shuffled order costs a seek per image on a cold disk), then put
        back in batch order. Into two alternating buffers: the prefetch thread fills one while
        the caller's step uses the other, and neither is needed once ``batch`` returns.
        """
        images = self.split.images
        order = np.argsort(index, kind="stable")
        shape = (len(index), *images.shape[1:])
        if isinstance(images, np.ndarray):
            raw = self._host.array("sorted", shape)
            # mode="clip": under the default "raise" numpy stages ``out`` through a temporary.
            np.take(images, index[order], axis=0, out=raw, mode="clip")
        else:
            raw = images[index[order]]  # e.g. ConcatImages, which makes its own array
        restore = np.empty_like(order)
        restore[order] = np.arange(len(order))
        out = self._host.array(f"batch{step % 2}", shape)
        np.take(raw, restore, axis=0, out=out, mode="clip")
        return torch.from_numpy(out)

    def iterate(self, start: int = 0) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches ``start``, ``start + 1``, … without end (resume by passing the next step)."""
        step = start
        while True:
            yield self.batch(step)
            step += 1

    def close(self) -> None:
        """Stops the prefetch thread (also happens when the object is garbage-collected)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            self._pending = None

    def __del__(self) -> None:
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _permutation(self, epoch: int) -> np.ndarray:
        permutation = self._permutations.get(epoch)
        if permutation is None:
            rng = np.random.default_rng(_seed(self.seed, _PERMUTATION, epoch))
            permutation = rng.permutation(self.num_examples)
            # A batch touches at most two epochs unless N < B; keep a few, not one per epoch run.
            if len(self._permutations) >= 4:
                self._permutations.pop(min(self._permutations))
            self._permutations[epoch] = permutation
        return permutation


def eval_batches(
    split: SplitLike,
    batch_size: int,
    *,
    size: int = 64,
    device: torch.device | str = "cpu",
    kind: TaskKind = TaskKind.SINGLE_LABEL,
    num_classes: int | None = None,
    antialias: bool = False,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Every example once, in stored order, with eval preprocessing; the last batch is partial.

    Args:
        split: the data (e.g. a ``StoredSplit``).
        batch_size: examples per batch (the reference evaluates in batches of 256).
        size: side of the images produced.
        device: where images are processed and batches returned.
        kind: single-label (int64 targets) or multi-label (float32 multi-hot targets).
        num_classes: checked against multi-hot labels when given.
        antialias: see ``augment_eval``.

    Yields:
        ``(images, targets)``: float32 ``B×3×size×size`` in [-1, 1] and the targets.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    _check_labels(split.labels, kind, num_classes)
    device = torch.device(device)
    workspace = Workspace()
    for start in range(0, len(split.labels), batch_size):
        stop = min(start + batch_size, len(split.labels))
        # A contiguous slice reads sequentially. A read-only memmap slice is copied (torch warns
        # about wrapping unwritable memory); in-memory arrays and ConcatImages' copies are not.
        raw = np.asarray(split.images[start:stop])
        if not raw.flags.writeable:
            host = workspace.array("host", raw.shape)
            np.copyto(host, raw)
            raw = host
        images = torch.from_numpy(raw).to(device)
        images = augment_eval(images, size, antialias=antialias, workspace=workspace)
        yield images, _targets(split.labels[start:stop], kind, device)


def _targets(labels: np.ndarray, kind: TaskKind, device: torch.device) -> torch.Tensor:
    if kind is TaskKind.MULTI_LABEL:
        return torch.from_numpy(np.asarray(labels, dtype=np.float32)).to(device)
    return torch.from_numpy(np.asarray(labels, dtype=np.int64)).to(device)


def _check_labels(labels: np.ndarray, kind: TaskKind, num_classes: int | None) -> None:
    if kind is TaskKind.MULTI_LABEL:
        if labels.ndim != 2 or (num_classes is not None and labels.shape[1] != num_classes):
            raise ValueError(
                f"multi-label targets need N×{num_classes or 'K'} multi-hot labels, got shape "
                f"{labels.shape}; was the store written for a single-label task?"
            )
    elif labels.ndim != 1:
        raise ValueError(
            f"single-label targets need N labels, got shape {labels.shape}; "
            f"was the store written for a multi-label task?"
        )
