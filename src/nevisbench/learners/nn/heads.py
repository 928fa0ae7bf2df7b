"""Per-task linear heads and what a head defines: the training loss, the probabilities and the error."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nevisbench.values import TaskKind


def create_head(embedding_dim: int, num_classes: int) -> nn.Linear:
    """A linear head initialised as Haiku's ``hk.Linear`` (the reference's heads).

    Weights are truncated-normal with standard deviation ``1/sqrt(embedding_dim)`` (cut at two
    standard deviations), biases zero.
    """
    head = nn.Linear(embedding_dim, num_classes)
    std = 1.0 / math.sqrt(embedding_dim)
    nn.init.trunc_normal_(head.weight, std=std, a=-2 * std, b=2 * std)
    nn.init.zeros_(head.bias)
    return head


def loss(
    logits: torch.Tensor, targets: torch.Tensor, kind: TaskKind, label_smoothing: float = 0.0
) -> torch.Tensor:
    """The reference's training loss, averaged over the batch.

    Args:
        logits: ``B×K`` head outputs.
        targets: class indices ``B`` (single-label) or multi-hot ``B×K`` (multi-label).
        kind: the task kind.
        label_smoothing: ``ls`` in ``[0, 1)``.

    Returns:
        Single-label: softmax cross-entropy against ``onehot·(1-ls) + ls/K`` (exactly what
        ``F.cross_entropy(label_smoothing=ls)`` computes). Multi-label: the mean over classes of
        per-class binary cross-entropy against ``y·(1-ls) + ls/2``.
    """
    if kind is TaskKind.SINGLE_LABEL:
        return F.cross_entropy(logits, targets, label_smoothing=label_smoothing)
    smoothed = targets.to(logits.dtype) * (1.0 - label_smoothing) + label_smoothing / 2.0
    return F.binary_cross_entropy_with_logits(logits, smoothed)



def probabilities(logits: torch.Tensor, kind: TaskKind) -> torch.Tensor:
    """Class probabilities (softmax, rows sum to 1) or per-label probabilities (sigmoid)."""
    if kind is TaskKind.SINGLE_LABEL:
        return torch.softmax(logits, dim=-1)
    return torch.sigmoid(logits)


def _example_errors(logits: torch.Tensor, targets: torch.Tensor, kind: TaskKind) -> torch.Tensor:
    if kind is TaskKind.SINGLE_LABEL:
        return (logits.argmax(dim=-1) != targets).float()
    # The Bernoulli mode: a label is predicted when p > 0.5, i.e. logit > 0 (p = 0.5 predicts 0).
    predicted = logits > 0
    return (predicted != targets.bool()).float().mean(dim=-1)


def error(logits: torch.Tensor, targets: torch.Tensor, kind: TaskKind) -> torch.Tensor:
    """The reference's validation metric ``error``, averaged over the batch.

    Single-label: the fraction misclassified (top-1). Multi-label: the mean over examples and labels
    of the per-label mismatch at threshold 0.5.
    """
    return _example_errors(logits, targets, kind).mean()


def error_count(logits: torch.Tensor, targets: torch.Tensor, kind: TaskKind) -> torch.Tensor:
    """The sum over the batch of per-example errors, so callers can weight batches by their size."""
    return _example_errors(logits, targets, kind).sum()
