"""How reports and the CLI write numbers: FLOPs with SI prefixes, durations, rates, hardware."""

from __future__ import annotations

from typing import Any


def format_flops(flops: float | None) -> str:
    """``93.5 GFLOPs``: three significant digits and an SI prefix (the CLI's convention)."""
    if flops is None:
        return "—"
    for unit, scale in (("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if flops >= scale:
            return f"{flops / scale:.3g} {unit}FLOPs"
    return f"{flops:.3g} FLOPs"


def format_seconds(seconds: float | None) -> str:
    """``48 s``, ``12.5 min``, ``3.2 h``."""
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def format_rate(value: float | None) -> str:
    """An error or mAP with four decimals (the precision of the CLI's tables); ``—`` when absent."""
    return "—" if value is None else f"{value:.4f}"


def format_images_rate(images_per_second: float | None) -> str:
    """``1,234`` images/s (no decimals: a rate of a timed loop is not that precise); ``—`` when absent."""
    return "—" if images_per_second is None else f"{images_per_second:,.0f}"


def format_gflops_rate(flops_per_second: float | None) -> str:
    """Achieved FLOP/s in GFLOP/s with one decimal (``1,234.5``); ``—`` when absent."""
    return "—" if flops_per_second is None else f"{flops_per_second / 1e9:,.1f}"


def format_mfu(mfu: float | None) -> str:
    """MFU as a percentage with one decimal (``41.3%``); ``—`` when absent (no known peak)."""
    return "—" if mfu is None else f"{mfu:.1%}"


def hardware_text(provenance: dict[str, Any]) -> str:
    """``cpu, 2 CPUs`` or ``cuda:0, NVIDIA H100 …``, from ``provenance.json`` (which has the rest)."""
    hardware = provenance.get("hardware") or {}
    if not hardware:
        return "unknown"
    device = hardware.get("device", "?")
    if hardware.get("gpu"):
        return f"{device}, {hardware['gpu']}"
    return f"{device}, {hardware.get('cpus', '?')} CPUs"
