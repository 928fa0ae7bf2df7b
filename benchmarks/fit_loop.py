"""Fit-loop throughput against a bare PyTorch loop (same model, batches, optimizer), and the FLOP
accounting's cost, measured side by side in one run.

    python benchmarks/fit_loop.py [--backbone small_cnn] [--steps 60] [--batch 64] [--resolution 32]
    python benchmarks/fit_loop.py --compile   # also the fit loop under compute.compile=true, beside eager
    python benchmarks/fit_loop.py --data-parallel 2   # also the fit on 2 DDP processes, beside one
    python benchmarks/fit_loop.py --device cuda --backbone resnet34_cifar --resolution 64 --batch 256 \
        --steps 100     # the reference config on a GPU (bf16 autocast, channels-last); MFU against the
                        # GPU's bf16 peak from compute/throughput.py, or --peak-tflops

Targets (issue: learners and protocol): fit loop ≥ 95% of the bare loop's images/s; FLOP accounting
< 2% of training time.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import torch

from nevisbench.compute.flops import clear_flop_cache, train_step_flops
from nevisbench.compute.throughput import (
    device_name,
    precision_of,
    resolve_peak,
    throughput,
    utilization,
)
from nevisbench.data.batches import Batches
from nevisbench.data.synthetic import make_dominant_colour
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.nn.heads import loss
from nevisbench.learners.nn.optim import make_optimizer
from nevisbench.learners.training import FitConfig, TaskModel, fit
from nevisbench.values import Split, TaskKind


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_loop(model: TaskModel, batches: Batches, steps: int, device: torch.device) -> float:
    # What the fit loop does on this device, and nothing else: bf16 autocast and channels-last on CUDA.
    cuda = device.type == "cuda"
    model.to(device, memory_format=torch.channels_last if cuda else torch.contiguous_format)
    optimizer = make_optimizer(model, 0.01)
    model.train()
    _sync(device)
    started = time.perf_counter()
    for step in range(steps):
        images, targets = batches.batch(step)
        if cuda:
            images = images.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, torch.bfloat16, enabled=cuda):
            logits = model(images)
        value = loss(logits.float(), targets, TaskKind.SINGLE_LABEL)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
    _sync(device)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backbone", default="small_cnn")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--peak-tflops", type=float, default=None,
                        help="the device's dense peak in TFLOP/s (default: the table of GPU peaks for the "
                        "fit loop's precision; none on CPU): prints MFU")
    parser.add_argument("--compile", action="store_true",
                        help="also time the fit loop under torch.compile and print compiled/eager")
    parser.add_argument("--data-parallel", type=int, default=1, metavar="N",
                        help="also time the fit on N processes (compute.data_parallel) and print N/1")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads of the run (default: torch's); N data-parallel processes get 1/N each")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = make_dominant_colour(num_classes=10, examples_per_split=2048, size=48, seed=0)
    train, dev = data.split(Split.TRAIN), data.split(Split.DEV)
    device = torch.device(args.device)
    # Dev evaluation only at the start and the end (validate_every beyond max_steps).
    config = FitConfig(max_steps=args.steps, lr=0.01, batch_size=args.batch, image_size=args.resolution,
                       validate_every=10**9)

    def model() -> TaskModel:
        torch.manual_seed(0)
        return TaskModel(create_backbone(args.backbone), 10)

    batches = Batches(train, args.batch, seed=0, train=True, size=args.resolution, device=device,
                      kind=TaskKind.SINGLE_LABEL, num_classes=10)
    bare_loop(model(), batches, 5, device)  # warm up allocators and kernels
    recorded: list[dict[str, float]] = []  # the rates fit itself records (as a trial's info holds them)
    train_seconds: dict[int, list[float]] = {1: [], args.data_parallel: []}

    def fit_seconds(fit_config: FitConfig) -> float:
        _sync(device)
        started = time.perf_counter()
        result = fit(model(), train, dev, TaskKind.SINGLE_LABEL, fit_config, seed=0, device=device)
        _sync(device)
        if not fit_config.compile and fit_config.data_parallel == 1:
            recorded.append(throughput(result.train_images, result.train_flops, result.wall_seconds["train"]))
        train_seconds[fit_config.data_parallel].append(result.wall_seconds["train"])
        # The whole call, synchronised, less its two dev evaluations (timed inside fit).
        return time.perf_counter() - started - result.wall_seconds["selection"]

    compiled_config = dataclasses.replace(config, compile=True)
    first_compiled = fit_seconds(compiled_config) if args.compile else 0.0  # includes compiling
    parallel_config = dataclasses.replace(config, data_parallel=args.data_parallel)
    bare, ours, compiled, parallel = [], [], [], []
    for _ in range(args.repeats):  # interleaved, so drift in machine load hits all alike
        bare.append(bare_loop(model(), batches, args.steps, device))
        ours.append(fit_seconds(config))
        if args.compile:
            compiled.append(fit_seconds(compiled_config))
        if args.data_parallel > 1:
            parallel.append(fit_seconds(parallel_config))
    images = args.steps * args.batch
    print(f"{args.backbone} at {args.resolution}px, batch {args.batch}, {args.steps} steps, best of {args.repeats}")
    print(f"bare loop : {images / min(bare):9.0f} images/s")
    print(f"fit loop  : {images / min(ours):9.0f} images/s (the whole fit call, less its two dev evaluations)")
    print(f"ratio     : {min(bare) / min(ours):.3f}  (target ≥ 0.95)")
    if args.compile:
        # Each fit call compiles its new model again (dynamo's cache makes the later ones cheaper).
        print(f"compiled  : {images / min(compiled):9.0f} images/s; first call (with compiling) "
              f"{first_compiled:.1f} s vs eager {min(ours):.1f} s")
        print(f"compiled/eager throughput: {min(ours) / min(compiled):.3f}  (> 1: compile pays)")
    if args.data_parallel > 1:
        # The whole call includes starting the processes (Python, torch, the process group); the
        # steps alone are what rank 0 timed inside fit.
        one_steps, n_steps = min(train_seconds[1]), min(train_seconds[args.data_parallel])
        print(f"{args.data_parallel} processes: whole fit {min(parallel):.2f} s vs one process {min(ours):.2f} s "
              f"(ratio {min(parallel) / min(ours):.3f}); steps alone {n_steps:.2f} s vs {one_steps:.2f} s "
              f"(ratio {n_steps / one_steps:.3f}); < 1: faster")
    clear_flop_cache()
    started = time.perf_counter()
    flops = train_step_flops(model(), TaskKind.SINGLE_LABEL, (args.batch, 3, args.resolution, args.resolution))
    counting = time.perf_counter() - started
    # The trial records' formula (compute/throughput.py) over the whole call, and as fit records it.
    achieved = throughput(images, flops * args.steps, min(ours))["flops_per_second"]
    as_recorded = max(r["flops_per_second"] for r in recorded)
    print(f"achieved {achieved / 1e12:.3g} TFLOP/s over the whole call; fit records {as_recorded / 1e12:.3g} "
          f"TFLOP/s (its train wall-clock only: the figure in each trial's record)")
    peak = resolve_peak(device_name(device), precision_of(config.amp, device), args.peak_tflops)
    if peak is not None:
        print(f"MFU {utilization(achieved, peak.tflops):.1%} (recorded: {utilization(as_recorded, peak.tflops):.1%}) "
              f"of {peak.tflops:g} TFLOP/s {peak.precision} ({peak.source})")
    per_step = min(ours) / args.steps
    print(f"FLOPs per step: {flops:,}; counting took {counting * 1e3:.1f} ms, once per model and shape = "
          f"{100 * counting / (per_step * 800):.2f}% of an 800-step trial (the demo's; target < 2%), "
          f"{100 * counting / (per_step * 50_000):.4f}% of a 50,000-step reference trial")


if __name__ == "__main__":
    main()
