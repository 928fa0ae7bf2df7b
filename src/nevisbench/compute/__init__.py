"""Compute accounting: FLOPs per category (counted once per shape), parameter peaks, wall-clock."""

from __future__ import annotations

from nevisbench.compute.flops import (
    CATEGORIES,
    FlopMeter,
    Stopwatch,
    architecture_signature,
    clear_flop_cache,
    count_flops,
    flop_cache_info,
    forward_flops,
    peak_parameters,
    resource_usage,
    train_step_flops,
)

__all__ = [
    "CATEGORIES",
    "FlopMeter",
    "Stopwatch",
    "architecture_signature",
    "clear_flop_cache",
    "count_flops",
    "flop_cache_info",
    "forward_flops",
    "peak_parameters",
    "resource_usage",
    "train_step_flops",
]
