"""Single-label metrics of one predict event: error, top-5 error, NLL and counts, from class probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

# Probabilities are clipped to at least this before the log: a float32 softmax underflows to exactly
# 0 for a confident mistake, whose NLL would be inf and swamp any mean. With 1e-12 one example adds
# at most -ln(1e-12) ≈ 27.6 nats. (The reference fed probabilities as logits to a cross-entropy, Q4.)
NLL_PROBABILITY_FLOOR = 1e-12


def _check(probabilities: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.asarray(probabilities)
    targets = np.asarray(targets)
    if probabilities.ndim != 2 or targets.ndim != 1 or len(probabilities) != len(targets):
        raise ValueError(
            f"expected N×K probabilities and N targets, got shapes {probabilities.shape} "
            f"and {targets.shape}"
        )
    if len(targets) and (targets.min() < 0 or targets.max() >= probabilities.shape[1]):
        raise ValueError(
            f"targets must be class indices in [0, {probabilities.shape[1]}), "
            f"got range [{targets.min()}, {targets.max()}]"
        )
    targets = targets.astype(np.int64)
    # A row with a NaN or an infinity (a diverged model) is wrong, whatever its finite entries say: its
    # target gets probability 0 and every other class 1, so it is never top-1, its NLL is clipped at the
    # floor, and it can never be scored "correct" by a tie (an all-zero row would pick class 0).
    bad = ~np.isfinite(probabilities).all(axis=1) if probabilities.size else np.zeros(len(targets), bool)
    if bad.any():
        probabilities = probabilities.astype(np.float64, copy=True)
        probabilities[bad] = 1.0
        probabilities[bad, targets[bad]] = 0.0
    return probabilities, targets


def non_finite_rows(probabilities: np.ndarray) -> int:
    """How many examples have a NaN or infinite probability (each is scored as wrong)."""
    probabilities = np.asarray(probabilities)
    return int((~np.isfinite(probabilities)).any(axis=tuple(range(1, probabilities.ndim))).sum()) if probabilities.size else 0


def target_ranks(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per example, the target's 0-based rank among the classes, most probable first.

    Ties go to the lower class index, as ``argmax`` does, so rank 0 is exactly "argmax = target". Counting
    instead of sorting keeps memory at O(N·K) booleans (ImageNet's 50k × 1000 test split included).
    """
    probabilities, targets = _check(probabilities, targets)
    chosen = probabilities[np.arange(len(targets)), targets][:, None]
    higher = (probabilities > chosen).sum(axis=1)
    lower_index = np.arange(probabilities.shape[1])[None, :] < targets[:, None]
    tied_before = ((probabilities == chosen) & lower_index).sum(axis=1)
    return higher + tied_before


def top_k_correct(probabilities: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """Per example, whether the target is among the ``k`` most probable classes (boolean ``N``)."""
    return target_ranks(probabilities, targets) < k


def negative_log_likelihood(probabilities: np.ndarray, targets: np.ndarray) -> float:
    """Mean of ``-log p[target]`` over examples, with ``p`` clipped at ``NLL_PROBABILITY_FLOOR``.

    ``probabilities`` must be real probabilities (rows summing to 1), not scores.
    """
    probabilities, targets = _check(probabilities, targets)
    chosen = probabilities[np.arange(len(targets)), targets].astype(np.float64)
    return float(-np.log(np.maximum(chosen, NLL_PROBABILITY_FLOOR)).mean())


def single_label_metrics(probabilities: np.ndarray, targets: np.ndarray) -> dict[str, Any]:
    """The metrics of one single-label predict event.

    Args:
        probabilities: ``N×K`` class probabilities (rows sum to 1).
        targets: ``N`` class indices.

    Returns:
        ``num_examples``; ``num_correct`` (top-1); ``error`` = 1 − top-1 accuracy; ``top5_error`` with
        ``k = min(5, K)``; ``nll``, the mean negative log-likelihood in nats. The rates are None when
        there is no example.
    """
    probabilities, targets = _check(probabilities, targets)
    count = len(targets)
    if count == 0:
        return {"num_examples": 0, "num_correct": 0, "error": None, "top5_error": None, "nll": None}
    ranks = target_ranks(probabilities, targets)
    num_correct = int((ranks == 0).sum())
    num_top5_correct = int((ranks < min(5, probabilities.shape[1])).sum())
    return {
        "num_examples": count,
        "num_correct": num_correct,
        "error": 1.0 - num_correct / count,
        "top5_error": 1.0 - num_top5_correct / count,
        "nll": negative_log_likelihood(probabilities, targets),
    }
