"""Throughput: the images/s and FLOP/s formula, the table of GPU peaks, the override, and MFU."""

from __future__ import annotations

import pytest
import torch

from nevisbench.compute.throughput import (
    PEAKS,
    find_peak,
    precision_of,
    resolve_peak,
    throughput,
    utilization,
    with_mfu,
)
from nevisbench.config import ComputeConfig, RunConfig, apply_overrides


def test_throughput_is_images_and_flops_over_train_seconds() -> None:
    assert throughput(640, 3_000_000_000, 2.5) == {"images_per_second": 640 / 2.5,
                                                   "flops_per_second": 3_000_000_000 / 2.5}
    # No step taken, or no time measured: no rate rather than a division by zero.
    assert throughput(0, 0, 0.0) == {} and throughput(64, 10, 0.0) == {}


@pytest.mark.parametrize(("name", "precision", "tflops"), [
    ("NVIDIA H200", "bf16", 989.5),
    ("NVIDIA H200", "fp32", 67.0),
    ("NVIDIA H200 NVL", "bf16", 835.5),
    ("NVIDIA H100 80GB HBM3", "bf16", 989.5),
    ("NVIDIA H100 PCIe", "bf16", 756.5),
    ("NVIDIA A100-SXM4-80GB", "tf32", 156.0),
    ("NVIDIA A100 80GB PCIe", "bf16", 312.0),
    ("NVIDIA L40S", "bf16", 362.05),
    ("NVIDIA L4", "bf16", 121.0),
    ("NVIDIA A10G", "bf16", 70.0),
    ("Tesla V100-SXM2-16GB", "fp32", 15.7),
    ("Tesla V100-SXM2-16GB", "tf32", 15.7),  # no TF32 units: float32 convolutions run in fp32
    ("Tesla T4", "fp32", 8.1),
    ("NVIDIA GeForce RTX 4090", "bf16", 165.2),
    ("NVIDIA GeForce RTX 3090", "bf16", 71.0),
    ("NVIDIA GeForce RTX 3090 Ti", "bf16", 80.0),
])
def test_the_table_finds_each_gpu_by_its_torch_name(name: str, precision: str, tflops: float) -> None:
    peak = resolve_peak(name, precision)
    assert peak is not None and peak.tflops == tflops and peak.precision == precision and peak.device == name


def test_an_unknown_device_or_precision_has_no_peak_rather_than_a_guess() -> None:
    assert find_peak("NVIDIA Hypothetical X1") is None
    assert resolve_peak("NVIDIA Hypothetical X1", "bf16") is None
    assert resolve_peak(None, "fp32") is None  # a CPU
    assert resolve_peak("Tesla T4", "bf16") is None  # no bf16 tensor cores
    with pytest.raises(ValueError, match="precision must be one of"):
        find_peak("NVIDIA H200").tflops("fp8")


def test_the_override_wins_on_any_device() -> None:
    for name in ("NVIDIA H200", "NVIDIA Hypothetical X1", None):
        peak = resolve_peak(name, "bf16", override=123.0)
        assert peak is not None and peak.tflops == 123.0 and peak.source == "compute.peak_tflops"
    with pytest.raises(ValueError, match="peak_tflops must be > 0"):
        resolve_peak(None, "fp32", override=0.0)


def test_every_entry_is_dense_and_ordered_so_that_no_entry_shadows_a_later_one() -> None:
    for entry in PEAKS:
        # A later entry's own name must find itself, not an earlier, shorter match.
        assert find_peak(f"NVIDIA {entry.name}") is entry, entry.name
        assert entry.fp32 > 0 and all(v is None or v >= entry.fp32 for v in (entry.tf32, entry.bf16, entry.fp16))
        assert entry.source


def test_precision_follows_the_trials_autocast() -> None:
    cuda, cpu = torch.device("cuda", 0), torch.device("cpu")
    assert precision_of(None, cuda) == "bf16" and precision_of(True, cpu) == "bf16"
    assert precision_of(None, cpu) == "fp32" and precision_of(False, cpu) == "fp32"
    assert precision_of(False, cuda) == ("tf32" if torch.backends.cudnn.allow_tf32 else "fp32")


def test_mfu_is_achieved_over_peak() -> None:
    assert utilization(494.75e12, 989.5) == pytest.approx(0.5)
    info = {"precision": "bf16", "winner": 0, "trials": [
        {"index": 0, "flops_per_second": 2.0e14}, {"index": 1, "failed": "NaN loss"}]}
    measured = with_mfu(info, lambda precision: resolve_peak("NVIDIA H200", precision))
    assert measured["trials"][0]["mfu"] == 2.0e14 / (989.5 * 1e12)
    assert "mfu" not in measured["trials"][1]  # a failed trial has no rate
    assert measured["peak"] == {"tflops": 989.5, "precision": "bf16", "device": "NVIDIA H200",
                                "source": "H200 SXM, NVIDIA H200 datasheet (SXM)"}
    # No peak known (a CPU without compute.peak_tflops), or a learner that states no precision: unchanged.
    assert with_mfu(info, lambda precision: resolve_peak(None, precision)) is info
    assert with_mfu({"trials": info["trials"]}, lambda precision: resolve_peak("NVIDIA H200", precision)) == {
        "trials": info["trials"]}


def test_compute_peak_tflops_is_validated_and_not_part_of_the_identity() -> None:
    for bad in ("0", "-5", "nan", "inf"):
        with pytest.raises(ValueError, match="compute.peak_tflops must be > 0"):
            apply_overrides(RunConfig(), [f"compute.peak_tflops={bad}"])
    config = apply_overrides(RunConfig(), ["compute.peak_tflops=989.5"])
    assert config.compute == ComputeConfig(peak_tflops=989.5)
    assert RunConfig.from_dict(config.to_dict()) == config
    # It changes how MFU is stated, not any result: a run resumes with another value.
    assert config.identity() == RunConfig().identity()
