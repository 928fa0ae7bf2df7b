"""Training throughput: images/s, achieved FLOP/s, and MFU against a table of GPU peaks.

MFU (model FLOPs utilisation) = achieved FLOP/s ÷ the device's dense peak for the precision the trial
computed in. Achieved FLOP/s uses the FLOPs of ``compute/flops.py`` (convolutions and matrix products,
forward and backward, 1 multiply-add = 2 FLOPs), so the element-wise work a step also does (BN, ReLU, the
optimizer) is not in the numerator: MFU is a lower bound of how busy the tensor units were.

Peaks are the vendors' datasheet numbers in TFLOP/s, *dense* (the "with sparsity" numbers halved). The
precision is the trial's: ``bf16`` under autocast (``amp``); without it ``tf32`` on CUDA (PyTorch lets
cuDNN run float32 convolutions, the bulk of our models' FLOPs, on TF32 tensor cores by default,
``torch.backends.cudnn.allow_tf32``) or ``fp32`` (CPU, or ``allow_tf32`` turned off). A GPU without TF32
units (before Ampere) reads the ``tf32`` peak as its ``fp32`` one; a GPU without bf16 tensor cores (V100, T4)
has no ``bf16`` peak, so no MFU is computed for autocast trials on it rather than a misleading one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import torch

# What each trial's info carries that is derived from wall-clock time (resumption may change it).
THROUGHPUT_FIELDS: tuple[str, ...] = ("images_per_second", "flops_per_second", "mfu")
PRECISIONS: tuple[str, ...] = ("bf16", "tf32", "fp32")


@dataclasses.dataclass(frozen=True)
class DevicePeak:
    """One GPU's dense peaks in TFLOP/s (None: the GPU has no such tensor units).

    Attributes:
        name: the GPU as its datasheet names it.
        match: substrings of ``torch.cuda.get_device_name()`` that identify it (case-insensitive).
        fp32: plain float32 (no tensor cores).
        tf32: TF32 tensor cores.
        bf16: bf16 tensor cores with fp32 accumulation (what autocast's matrix products use).
        fp16: fp16 tensor cores with fp32 accumulation.
        source: where the numbers come from.
    """

    name: str
    match: tuple[str, ...]
    fp32: float
    tf32: float | None
    bf16: float | None
    fp16: float | None
    source: str

    def tflops(self, precision: str) -> float | None:
        """The peak for ``precision`` (``bf16``, ``tf32`` or ``fp32``)."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
        if precision == "tf32":
            return self.tf32 if self.tf32 is not None else self.fp32  # no TF32 units: convs run in fp32
        return getattr(self, precision)


# Looked up in order, first match wins: a more specific name (H100 PCIe, A100 SXM) comes before a
# shorter one it contains (L40S, L40, then L4). Datasheets mark sparse tensor numbers with an asterisk;
# these are the dense ones.
PEAKS: tuple[DevicePeak, ...] = (
    DevicePeak("H200 NVL", ("h200 nvl",), 60.0, 417.5, 835.5, 835.5, "NVIDIA H200 datasheet (NVL)"),
    DevicePeak("H200 SXM", ("h200",), 67.0, 494.5, 989.5, 989.5, "NVIDIA H200 datasheet (SXM)"),
    DevicePeak("H100 NVL", ("h100 nvl",), 60.0, 417.5, 835.5, 835.5, "NVIDIA H100 datasheet (NVL)"),
    DevicePeak("H100 PCIe", ("h100 pcie",), 51.0, 378.0, 756.5, 756.5, "NVIDIA H100 datasheet (PCIe)"),
    DevicePeak("H100 SXM", ("h100",), 67.0, 494.5, 989.5, 989.5, "NVIDIA H100 datasheet (SXM)"),
    DevicePeak("A100 SXM", ("a100-sxm", "a100 sxm"), 19.5, 156.0, 312.0, 312.0, "NVIDIA A100 datasheet"),
    DevicePeak("A100 PCIe", ("a100",), 19.5, 156.0, 312.0, 312.0, "NVIDIA A100 datasheet"),
    DevicePeak("L40S", ("l40s",), 91.6, 183.0, 362.05, 362.05, "NVIDIA L40S datasheet"),
    DevicePeak("L40", ("l40",), 90.5, 90.5, 181.05, 181.05, "NVIDIA L40 datasheet"),
    DevicePeak("L4", ("nvidia l4",), 30.3, 60.0, 121.0, 121.0, "NVIDIA L4 datasheet"),
    # AWS's variant of the A10 has its own datasheet (fewer tensor FLOPs than the A10's 125).
    DevicePeak("A10G", ("a10g",), 35.0, 35.0, 70.0, 70.0, "NVIDIA A10G datasheet for AWS"),
    DevicePeak("V100 SXM2", ("v100-sxm", "v100 sxm"), 15.7, None, None, 125.0, "NVIDIA V100 datasheet"),
    DevicePeak("V100S PCIe", ("v100s",), 16.4, None, None, 130.0, "NVIDIA V100 datasheet"),
    DevicePeak("V100 PCIe", ("v100",), 14.0, None, None, 112.0, "NVIDIA V100 datasheet"),
    DevicePeak("T4", ("tesla t4", "nvidia t4"), 8.1, None, None, 65.0, "NVIDIA T4 datasheet"),
    # GeForce cards run fp16/bf16 with fp32 accumulation at half their fp16-accumulate rate.
    DevicePeak("RTX 4090", ("rtx 4090",), 82.6, 82.6, 165.2, 165.2, "NVIDIA Ada architecture whitepaper"),
    DevicePeak("RTX 3090 Ti", ("rtx 3090 ti",), 40.0, 40.0, 80.0, 80.0, "NVIDIA GA102 (Ampere) whitepaper"),
    DevicePeak("RTX 3090", ("rtx 3090",), 35.6, 35.6, 71.0, 71.0, "NVIDIA GA102 (Ampere) whitepaper"),
)


def find_peak(device_name: str) -> DevicePeak | None:
    """The table's entry for a GPU named ``device_name`` (as ``torch.cuda.get_device_name`` gives it),
    or None when the table does not know it."""
    name = device_name.lower()
    return next((peak for peak in PEAKS if any(part in name for part in peak.match)), None)


def precision_of(amp: bool | None, device: torch.device) -> str:
    """The precision a trial's matrix products run in: ``bf16`` under autocast (``amp``; None: on for
    CUDA, as the fit loop reads it), else ``tf32`` on CUDA when cuDNN may use TF32, else ``fp32``."""
    autocast = device.type == "cuda" if amp is None else amp
    if autocast:
        return "bf16"
    if device.type == "cuda" and torch.backends.cudnn.allow_tf32:
        return "tf32"
    return "fp32"


@dataclasses.dataclass(frozen=True)
class Peak:
    """The peak an MFU is measured against: its value, precision, the device, and where it came from."""

    tflops: float
    precision: str
    device: str | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def resolve_peak(device_name: str | None, precision: str, override: float | None = None) -> Peak | None:
    """The peak of a GPU named ``device_name`` (None: not a GPU) for ``precision``.

    ``override`` (``compute.peak_tflops``) wins, on any device; otherwise the table's value, or None
    for a CPU, a GPU the table does not know, or a precision it has no tensor units for: an MFU is
    then left out, never guessed.
    """
    if override is not None:
        if override <= 0:
            raise ValueError(f"compute.peak_tflops must be > 0, got {override}")
        return Peak(float(override), precision, device_name, "compute.peak_tflops")
    entry = find_peak(device_name) if device_name else None
    value = entry.tflops(precision) if entry else None
    if entry is None or value is None:
        return None
    return Peak(value, precision, device_name, f"{entry.name}, {entry.source}")


def device_name(device: torch.device) -> str | None:
    """``torch.cuda.get_device_name`` for a CUDA device; None for any other."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else None


def throughput(images: int, flops: int, seconds: float) -> dict[str, float]:
    """``images_per_second`` and ``flops_per_second`` of ``images`` trained on with ``flops`` FLOPs in
    ``seconds`` of training wall-clock; empty when no time was measured (no step taken)."""
    if seconds <= 0 or images <= 0:
        return {}
    return {"images_per_second": images / seconds, "flops_per_second": flops / seconds}


def utilization(flops_per_second: float, peak_tflops: float) -> float:
    """MFU: achieved FLOP/s as a fraction of the peak (in TFLOP/s)."""
    return flops_per_second / (peak_tflops * 1e12)


def with_mfu(info: dict[str, Any], peak_for: Callable[[str], Peak | None]) -> dict[str, Any]:
    """A train event's ``info`` with each trial's ``mfu`` and the ``peak`` it is measured against.

    ``info`` is a learner's: its ``precision`` picks the peak (``peak_for(precision)``), and each trial
    that has ``flops_per_second`` gets an MFU. Unchanged when the learner reports no precision or trials,
    or when no peak is known (a CPU without ``compute.peak_tflops``, an unknown GPU).
    """
    trials, precision = info.get("trials"), info.get("precision")
    if not isinstance(trials, list) or precision not in PRECISIONS:
        return info
    peak = peak_for(precision)
    if peak is None:
        return info
    measured = [
        {**trial, "mfu": utilization(trial["flops_per_second"], peak.tflops)}
        if isinstance(trial, dict) and isinstance(trial.get("flops_per_second"), (int, float)) else trial
        for trial in trials
    ]
    return {**info, "peak": peak.to_dict(), "trials": measured}
