"""Multi-label metrics of one predict event: macro mean average precision and per-label error at 0.5."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

# A label is predicted when its probability exceeds this (the Bernoulli mode; p = 0.5 predicts 0).
THRESHOLD = 0.5


def _check(probabilities: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.asarray(probabilities)
    targets = np.asarray(targets)
    if probabilities.ndim != 2 or probabilities.shape != targets.shape:
        raise ValueError(
            f"expected N×K probabilities and N×K multi-hot targets, got shapes "
            f"{probabilities.shape} and {targets.shape}"
        )
    if targets.size and not np.isin(targets, (0, 1)).all():
        raise ValueError("multi-label targets must be multi-hot (0 or 1)")
    targets = targets.astype(np.int64)
    # A NaN or infinite probability (a diverged model) is wrong: it becomes the opposite of its target,
    # so it never counts as a hit, and sklearn (which refuses non-finite scores) still scores the rest.
    bad = ~np.isfinite(probabilities)
    if bad.any():
        probabilities = np.where(bad, 1.0 - targets, probabilities)
    return probabilities, targets


def mean_average_precision(
    probabilities: np.ndarray, targets: np.ndarray
) -> tuple[float | None, int]:
    """Macro mean average precision over the labels that have a positive example.

    A label without positives has no defined average precision (sklearn warns and scores it 0), so
    it is left out of the mean; the reference's ``average_precision_score`` call kept it. On small
    splits of tasks with rare labels this is the difference between measuring the model and
    measuring the split.

    Returns:
        the mAP (None when no label has a positive) and the number of labels it averages.
    """
    probabilities, targets = _check(probabilities, targets)
    scored = targets.sum(axis=0) > 0
    num_scored = int(scored.sum())
    if num_scored == 0:
        return None, 0
    value = average_precision_score(targets[:, scored], probabilities[:, scored], average="macro")
    return float(value), num_scored


def per_label_error(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per label, the fraction of examples whose prediction at threshold 0.5 mismatches the target (``K``)."""
    probabilities, targets = _check(probabilities, targets)
    predicted = probabilities > THRESHOLD
    return (predicted != targets.astype(bool)).mean(axis=0)


def multi_label_metrics(probabilities: np.ndarray, targets: np.ndarray) -> dict[str, Any]:
    """The metrics of one multi-label predict event.

    Args:
        probabilities: ``N×K`` per-label probabilities.
        targets: ``N×K`` multi-hot labels.

    Returns:
        ``num_examples``; ``map``, the macro mean average precision over ``num_labels_scored`` labels
        (those with a positive); ``error``, the mean over labels of the per-label error at threshold
        0.5 (the reference's validation metric). Rates are None when undefined (no example, or no
        positive label for ``map``).
    """
    probabilities, targets = _check(probabilities, targets)
    if len(targets) == 0:
        return {"num_examples": 0, "map": None, "num_labels_scored": 0, "error": None}
    value, num_scored = mean_average_precision(probabilities, targets)
    return {
        "num_examples": len(targets),
        "map": value,
        "num_labels_scored": num_scored,
        "error": float(per_label_error(probabilities, targets).mean()),
    }
