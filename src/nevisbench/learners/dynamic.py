"""The `dynamic` baseline (the paper's best): start each task from the past model whose features suit it best.

For a new task, every stored past-task model and a fresh initialisation are candidates. Each embeds up
to 10,000 train and 5,000 dev examples with its backbone; a 5-nearest-neighbour classifier (Euclidean,
scikit-learn's defaults, as the reference) fitted on the train embeddings scores the dev embeddings:
accuracy for single-label tasks, macro mean average precision for multi-label ones. The best candidate
starts the task's hyperparameter search.

Unlike the reference: the fresh initialisation can win (its Q9 made it unselectable once a past model
existed), and the embedding and kNN compute is counted as ``selection`` FLOPs.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from typing import Any

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

from nevisbench.compute.flops import forward_flops
from nevisbench.data.batches import eval_batches
from nevisbench.data.store import StoredSplit
from nevisbench.learners.base import TrainTask
from nevisbench.learners.finetuning import FinetuneConfig, FinetuningLearner, Start, _seed
from nevisbench.learners.registry import register_learner
from nevisbench.metrics.multilabel import mean_average_precision
from nevisbench.values import TaskKind


@dataclasses.dataclass(frozen=True)
class DynamicConfig(FinetuneConfig):
    """Options of `dynamic` (see FinetuneConfig), plus the selection's.

    Attributes:
        knn_train_examples: train examples embedded per candidate (10,000 in the reference).
        knn_dev_examples: dev examples embedded and scored per candidate (5,000 in the reference).
        knn_neighbours: k of the kNN classifier (5, scikit-learn's default the reference used).
        embed_batch_size: batch size of the embedding passes (128 in the reference).
    """

    knn_train_examples: int = 10_000
    knn_dev_examples: int = 5_000
    knn_neighbours: int = 5
    embed_batch_size: int = 128

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("knn_train_examples", "knn_dev_examples", "knn_neighbours", "embed_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"options.{name} must be at least 1, got {getattr(self, name)}")


class _Subset:
    """Rows ``indices`` (sorted) of an image array, read lazily slice by slice."""

    def __init__(self, images: Any, indices: np.ndarray) -> None:
        self.images, self.indices = images, indices
        self.shape = (len(indices), *images.shape[1:])
        self.dtype = images.dtype

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> np.ndarray:
        return np.asarray(self.images[self.indices[index]])


def subsample(split: StoredSplit, limit: int, rng: np.random.Generator) -> StoredSplit:
    """At most ``limit`` examples of ``split``, drawn without replacement, in stored order."""
    if len(split) <= limit:
        return split
    indices = np.sort(rng.choice(len(split), size=limit, replace=False))
    return StoredSplit(_Subset(split.images, indices), split.labels[indices])  # type: ignore[arg-type]


def embed(backbone: torch.nn.Module, data: StoredSplit, kind: TaskKind, *, image_size: int,
          batch_size: int, device: torch.device) -> tuple[np.ndarray, int]:
    """Backbone features of every example of ``data`` (eval preprocessing) and the FLOPs spent.

    BN layers use the statistics of each batch, as the reference's embedding did (a fresh
    initialisation has no running statistics worth using); the model given is not changed.
    """
    model = copy.deepcopy(backbone).to(device)
    model.train()
    features, flops = [], 0
    with torch.no_grad():
        for images, _ in eval_batches(data, batch_size, size=image_size, device=device, kind=kind):
            features.append(model(images).float().cpu().numpy())
            flops += forward_flops(model, tuple(images.shape))
    dim = getattr(backbone, "embedding_dim", 0)
    return (np.concatenate(features) if features else np.zeros((0, dim), np.float32)), flops


def knn_score(train_x: np.ndarray, train_y: np.ndarray, dev_x: np.ndarray, dev_y: np.ndarray,
              kind: TaskKind, k: int) -> tuple[float, int]:
    """Dev accuracy (single-label) or macro mAP (multi-label) of a k-NN fitted on the train embeddings,
    and the FLOPs of its distance computations (``2·N_train·N_dev·D``, as a matrix product)."""
    k = min(k, len(train_x))
    classifier = KNeighborsClassifier(n_neighbors=k).fit(train_x, train_y)
    flops = 2 * len(train_x) * len(dev_x) * train_x.shape[1]
    if kind is TaskKind.SINGLE_LABEL:
        return float((classifier.predict(dev_x) == dev_y).mean()), flops
    # Multi-output: predict_proba gives, per label, [P(0), P(1)] (a label never positive in train
    # has a single column: its probability of 1 is 0).
    probabilities = np.stack(
        [p[:, 1] if p.shape[1] == 2 else np.zeros(len(dev_x)) for p in classifier.predict_proba(dev_x)],
        axis=1,
    )
    value, _ = mean_average_precision(probabilities, dev_y)
    return (value if value is not None else 0.0), flops


class DynamicLearner(FinetuningLearner):
    """Finetunes, for each task, the past model (or fresh start) whose features a kNN rates best."""

    config: DynamicConfig

    def _candidate_state(self, task: TrainTask, name: str) -> dict[str, torch.Tensor]:
        return self._fresh_state(task) if name == self.fresh_source else self._state_from(task, name)

    def _start(self, task: TrainTask) -> Start:
        c = self.config
        started = time.perf_counter()
        # The fresh start, then every stored past-task model (the latest of each task) in task order.
        # States are built one at a time: a long stream holds many models.
        names = [self.fresh_source] + [e["file"] for e in sorted(self.tasks.values(), key=lambda e: e["index"])]
        if len(names) == 1:
            # The first task: nothing to choose between.
            return Start(self._fresh_state(task), names[0], {"selection": {"chosen": names[0], "scores": {}}})
        rng = np.random.default_rng(_seed(task.seed, task.index, 0xD7))
        train = subsample(task.train, c.knn_train_examples, rng)
        dev = subsample(task.dev, c.knn_dev_examples, rng)
        kind = task.key.kind
        scores: dict[str, float] = {}
        flops = 0
        for name in names:
            model = self._new_model(task.key, 0)
            model.load_state_dict(self._candidate_state(task, name))
            options = {"image_size": self._input_size(task), "batch_size": c.embed_batch_size,
                       "device": task.device}
            train_x, train_flops = embed(model.backbone, train, kind, **options)
            dev_x, dev_flops = embed(model.backbone, dev, kind, **options)
            score, knn_flops = knn_score(train_x, train.labels, dev_x, dev.labels, kind, c.knn_neighbours)
            scores[name] = score
            flops += train_flops + dev_flops + knn_flops
        # The best score wins; ties go to the earliest candidate (the fresh start, then past tasks in order).
        chosen = max(names, key=lambda name: (scores[name], -names.index(name)))
        info = {
            "selection": {
                "chosen": chosen,
                "scores": scores,
                "metric": "accuracy" if kind is TaskKind.SINGLE_LABEL else "map",
                "train_examples": len(train),
                "dev_examples": len(dev),
            }
        }
        return Start(self._candidate_state(task, chosen), chosen, info, flops, time.perf_counter() - started)


register_learner(
    "dynamic",
    DynamicConfig,
    DynamicLearner,
    "start each task from the past model a kNN on its features rates best (paper: dynamic kNN transfer)",
)
