"""An in-memory "dominant colour" dataset, read like a converted store, for fast learning tests."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from nevisbench.data.store import ConcatImages, StoredSplit
from nevisbench.values import STORED_SPLITS, Split, TaskKey, TaskKind

# Noise fills [0, _NOISE) of every channel and the class colour adds up to 1 - _NOISE on top, so a
# dominant channel averages ~0.7 against ~0.3 for the others: learnable in a few steps, yet each
# pixel alone is ambiguous (the ranges overlap), so a model has to pool over the image.
_NOISE = 0.6


def colour_prototypes(num_classes: int) -> np.ndarray:
    """``num_classes × 3`` distinct RGB colours in [0, 1]: pure red, green, blue first.

    Then yellow, cyan, magenta, then the rest of the ``{0, .5, 1}³`` grid; greys (equal channels) are
    left out because no channel of theirs dominates. At most 24 classes.
    """
    ordered = [
        (1.0, 0.0, 0.0),
        (0.0, 1.0, 0.0),
        (0.0, 0.0, 1.0),
        (1.0, 1.0, 0.0),
        (0.0, 1.0, 1.0),
        (1.0, 0.0, 1.0),
    ]
    for colour in itertools.product((0.0, 0.5, 1.0), repeat=3):
        if len(set(colour)) > 1 and colour not in ordered:
            ordered.append(colour)
    if not 2 <= num_classes <= len(ordered):
        raise ValueError(
            f"the dominant-colour dataset has 2 to {len(ordered)} classes, not {num_classes}"
        )
    return np.asarray(ordered[:num_classes])


class SyntheticDataset:
    """Images and labels in memory, read with StoredDataset's interface (``task``, ``meta``,
    ``split``, ``num_examples``), so training code takes either."""

    def __init__(
        self, task: TaskKey, splits: Mapping[Split, StoredSplit], meta: dict[str, Any]
    ) -> None:
        self.task = task
        self.meta = meta
        self._splits = dict(splits)

    @property
    def name(self) -> str:
        return self.task.name

    def num_examples(self, split: Split | str) -> int:
        split = Split.parse(split)
        if split is Split.TRAIN_AND_DEV:
            return self.num_examples(Split.TRAIN) + self.num_examples(Split.DEV)
        return len(self._splits[split])

    def split(self, split: Split | str) -> StoredSplit:
        split = Split.parse(split)
        if split is Split.TRAIN_AND_DEV:
            # As the store: train followed by dev, the images joined without a copy.
            train, dev = self._splits[Split.TRAIN], self._splits[Split.DEV]
            return StoredSplit(
                ConcatImages(train.images, dev.images), np.concatenate([train.labels, dev.labels])
            )
        stored = self._splits[split]
        # Fresh labels per call, as the store loads them: a caller may edit its copy freely.
        return StoredSplit(stored.images, stored.labels.copy())


def _split_counts(examples_per_split: Mapping[str | Split, int] | int) -> dict[Split, int]:
    if isinstance(examples_per_split, int):
        return {split: examples_per_split for split in STORED_SPLITS}
    counts = {Split.parse(name): int(count) for name, count in examples_per_split.items()}
    if set(counts) != set(STORED_SPLITS):
        raise ValueError(
            f"examples_per_split must give exactly {[s.value for s in STORED_SPLITS]} "
            f"(train_and_dev is their union), got {sorted(s.value for s in counts)}"
        )
    return counts


def make_dominant_colour(
    num_classes: int = 3,
    examples_per_split: Mapping[str | Split, int] | int = 64,
    size: int = 16,
    seed: int = 0,
) -> SyntheticDataset:
    """Builds a ``size×size`` RGB dataset where class ``c``'s colour dominates uniform noise.

    Classes 0–2 are dominated by the red, green and blue channel; further classes by the mixed
    colours of ``colour_prototypes``. Labels are balanced (``i mod num_classes``, shuffled).

    Args:
        num_classes: 2 to 24.
        examples_per_split: examples in each of train, dev, dev_test and test, or a mapping per split.
        size: image side in pixels.
        seed: the same seed gives the same images and labels; each split draws from its own stream,
            so changing one split's count leaves the others unchanged.
    """
    prototypes = colour_prototypes(num_classes)
    counts = _split_counts(examples_per_split)
    if size < 1 or any(count < 0 for count in counts.values()):
        raise ValueError(
            f"size must be positive and counts non-negative, got size={size}, counts={counts}"
        )
    splits: dict[Split, StoredSplit] = {}
    for position, split in enumerate(STORED_SPLITS):
        rng = np.random.default_rng([seed, position])
        labels = rng.permutation(np.arange(counts[split]) % num_classes).astype(np.int64)
        values = rng.uniform(0.0, _NOISE, size=(counts[split], size, size, 3))
        values += (1.0 - _NOISE) * prototypes[labels][:, None, None, :]
        images = np.rint(values * 255.0).astype(np.uint8)
        # Read-only, like the store's memory maps: a learner must not edit its data in place.
        images.flags.writeable = False
        splits[split] = StoredSplit(images, labels)
    name = f"dominant_colour_{num_classes}"
    task = TaskKey(name, TaskKind.SINGLE_LABEL, num_classes)
    # The fields of a store's meta.json that readers use, so code that reports on a dataset works too.
    meta = {
        "spec": {
            "id": name,
            "title": f"Synthetic dominant colour ({num_classes} classes)",
            "num_classes": num_classes,
            "kind": TaskKind.SINGLE_LABEL.value,
            "channels": 3,
            "class_names": [f"colour_{c}" for c in range(num_classes)],
            "split_rule": f"generated in memory, seed {seed}",
        },
        "task": task.to_dict(),
        "counts": {split.value: counts[split] for split in STORED_SPLITS},
        "image_shape": [size, size, 3],
        "resolution_policy": {"resolution": size, "mode": "native"},
        "synthetic": {"seed": seed, "size": size, "prototypes": prototypes.tolist()},
    }
    return SyntheticDataset(task, splits, meta)
