"""Where and with what a run runs: the device it asked for, and the provenance recorded beside its results."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nevisbench import __version__
from nevisbench.compute.throughput import PRECISIONS, resolve_peak


def resolve_device(name: str) -> torch.device:
    """``auto`` → CUDA when available, else CPU; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"device must be auto, cpu or cuda[:N], got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "--device cuda was asked for, but no CUDA device is visible to PyTorch "
            "(torch.cuda.is_available() is False); use --device cpu"
        )
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda[:N], got {name!r}")
    return device


def provenance(device: torch.device, peak_tflops: float | None = None) -> dict[str, Any]:
    """Where and with what a run ran: git commit, package versions, hardware (with the device's peaks
    per precision that MFU is measured against, when known: ``peak_tflops`` or the table's)."""
    source = Path(__file__).resolve().parents[3]
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    hardware = {
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        # The CPU kernel set PyTorch dispatches to (e.g. AVX512, AVX2): with the thread count and the torch
        # version, what decides whether two CPU runs give the same numbers.
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "device": str(device),
    }
    if device.type == "cuda":
        hardware["gpu"] = torch.cuda.get_device_name(device)
    peaks = {precision: peak for precision in PRECISIONS
             if (peak := resolve_peak(hardware.get("gpu"), precision, peak_tflops)) is not None}
    if peaks:
        hardware["peak_tflops"] = {precision: peak.tflops for precision, peak in peaks.items()}
        hardware["peak_source"] = next(iter(peaks.values())).source
    return {
        "git_commit": commit,
        "versions": {
            "nevisbench": __version__,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "platform": platform.platform(),
        "hardware": hardware,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
