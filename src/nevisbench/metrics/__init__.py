"""Metrics: pure functions over predictions (per event) and over event records (per stream)."""

from __future__ import annotations

from nevisbench.metrics.classification import single_label_metrics
from nevisbench.metrics.multilabel import multi_label_metrics
from nevisbench.metrics.stream import aggregate, cumulative_flops, summarize

__all__ = [
    "aggregate",
    "cumulative_flops",
    "multi_label_metrics",
    "single_label_metrics",
    "summarize",
]
