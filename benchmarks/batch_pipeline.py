"""Throughput of the batch pipeline: store write, memmap gather, train-augmented and eval batches.

Run: ``python benchmarks/batch_pipeline.py [--images 20000] [--dataset ID] [--device cpu]``.
Writes a synthetic 96×96×3 store into a temporary directory (or, with ``--dataset``, reads a
prepared store from ``$NEVISBENCH_HOME``), then times side by side in one process:

(a) reading the same shuffled batches from the memmap (gather only, no augmentation),
(b) ``Batches.batch(step)``: gather + train augmentation to 64×64, with and without prefetch,
(c) ``eval_batches``: every example once, centre crop + resize.

Variants run in interleaved rounds; each prints its best round (the code's speed when nothing else
competes), its median round and images per CPU-second, then how much CPU other processes took
meanwhile. The target on a 2-core CPU is ≥ 20,000 train-augmented 64×64 images/s. Measured on a
2-vCPU Sapphire Rapids VM (torch 2.13 CPU), quiet: (b') 21,600 best / 18,500 median images/s,
(c) 24,800 / 22,200, store write 9,800 images/s; wall time ~20 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from nevisbench.data.batches import Batches, eval_batches
from nevisbench.data.spec import Artefact, DatasetSpec, Example
from nevisbench.data.store import StoredDataset, StoredSplit, open_dataset, write_dataset
from nevisbench.values import Split, TaskKind


def _spec(num_classes: int) -> DatasetSpec:
    return DatasetSpec(
        id="bench",
        title="Benchmark",
        num_classes=num_classes,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=(),
        homepage="-",
        paper_title="-",
        paper_url="-",
        artefacts=(Artefact("none", "manual", "-"),),
        convert=lambda raw: {},
        make_fixture=lambda raw: None,
    )


def write_store(target: Path, count: int, side: int) -> tuple[StoredDataset, float]:
    """Writes a random store with ``count`` train images; returns it and the write's images/s."""
    rng = np.random.default_rng(0)
    counts = {"train": count, "dev": count // 20, "dev_test": count // 20, "test": count // 20}
    arrays = {
        name: rng.integers(0, 256, size=(n, side, side, 3), dtype=np.uint8)
        for name, n in counts.items()
    }
    splits = {
        name: [Example(array[i], int(i % 10)) for i in range(len(array))]
        for name, array in arrays.items()
    }
    started = time.perf_counter()
    stored = write_dataset(_spec(10), splits, target)
    return stored, sum(counts.values()) / (time.perf_counter() - started)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


class Timer:
    """Wall-clock and process CPU seconds (all our threads) of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def run_gather(batches: Batches, steps: range) -> None:
    """Reads the batches of ``steps`` (sorted indices, as Batches reads them), no augmentation."""
    for step in steps:
        batches.split.images[np.sort(batches.indices(step))]


def run_batches(batches: Batches, steps: range) -> None:
    for step in steps:
        images, _ = batches.batch(step)
    if images.is_cuda:
        torch.cuda.synchronize()


def run_eval(split: StoredSplit, size: int, device: torch.device) -> None:
    for _images, _ in eval_batches(split, 256, size=size, device=device):
        pass
    if device.type == "cuda":
        torch.cuda.synchronize()


def busy_seconds() -> tuple[float, float]:
    """CPU seconds used so far by the whole machine (Linux /proc/stat; NaN elsewhere) and by us."""
    ours = os.times()
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        # user nice system idle iowait irq softirq steal …: all but idle and iowait is busy.
        machine = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        machine = float("nan")
    return machine, ours.user + ours.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--images", type=int, default=20_000, help="train images of the synthetic store"
    )
    parser.add_argument("--side", type=int, default=96, help="side of the synthetic store's images")
    parser.add_argument(
        "--dataset", help="read this prepared dataset from $NEVISBENCH_HOME instead"
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=240, help="steps per variant, all rounds")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    # Other processes on the same cores skew every figure: the load average says whether they ran.
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
        f"load average {os.getloadavg()[0]:.2f} before the run"
    )

    with tempfile.TemporaryDirectory() as tmp:
        if args.dataset:
            stored = open_dataset(args.dataset)
        else:
            stored, write_rate = write_store(Path(tmp) / "bench", args.images, args.side)
            print(f"store write (write_dataset from arrays):  {write_rate:>10,.0f} images/s")
        train = stored.split(Split.TRAIN)
        print(
            f"train split: {train.images.shape} {train.images.dtype}; batch {args.batch_size}, "
            f"output {args.size}×{args.size}, {args.steps} steps per measurement"
        )
        # One pass over the file first, so every measurement reads from the page cache alike.
        np.asarray(train.images).sum(dtype=np.uint64)

        common = dict(
            seed=0,
            size=args.size,
            device=device,
            kind=stored.task.kind,
            num_classes=stored.task.num_classes,
        )
        machine_before, ours_before = busy_seconds()
        started = time.perf_counter()
        with_prefetch = Batches(train, args.batch_size, train=True, prefetch=True, **common)
        without = Batches(train, args.batch_size, train=True, prefetch=False, **common)
        per_round = max(1, args.steps // args.rounds)
        variants = {
            "(a) memmap gather only": lambda steps: run_gather(without, steps),
            "(b) gather + train augmentation": lambda steps: run_batches(without, steps),
            "(b') same, with prefetch thread": lambda steps: run_batches(with_prefetch, steps),
            "(c) eval batches (centre crop + resize)": lambda steps: run_eval(
                train, args.size, device
            ),
        }
        counts = [per_round * args.batch_size] * 3 + [len(train)]
        # Interleaved rounds on fresh steps, median per variant: a burst of load from another
        # process then hits one round of every variant rather than all rounds of one.
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for round_ in range(args.rounds):
            steps = range(1 + round_ * per_round, 1 + (round_ + 1) * per_round)
            with_prefetch.batch(steps[0] - 1)  # starts the read-ahead of steps[0]
            for name, run in variants.items():
                with Timer() as timer:
                    run(steps)
                wall[name].append(timer.wall)
                cpu[name].append(timer.cpu)
        with_prefetch.close()
        machine_after, ours_after = busy_seconds()
        others = (machine_after - machine_before) - (ours_after - ours_before)
        elapsed = time.perf_counter() - started

        # Best round = what the code does when nothing else competes (timeit's rule); median =
        # typical under whatever else ran. images/CPU-s: per second of our own CPU time.
        best = {}
        print(f"{'':<42}{'best round':>17}{'median':>18}{'median':>22}")
        for (name, seconds), count in zip(wall.items(), counts, strict=True):
            best[name] = count / min(seconds)
            typical = count / statistics.median(seconds)
            per_cpu = count / statistics.median(cpu[name])
            print(
                f"{name:<42}{best[name]:>10,.0f} images/s{typical:>11,.0f} images/s"
                f"{per_cpu:>11,.0f} images/CPU-s"
            )
        gather, full, prefetched = (best[name] for name in list(variants)[:3])
        print(
            f"ratio of best rounds (b)/(a): {full / gather:.3f}   "
            f"(b')/(a): {prefetched / gather:.3f}   (b')/(b): {prefetched / full:.3f}   "
            f"({args.rounds} interleaved rounds of {per_round} steps)"
        )
        # Wall-clock figures hold only when nothing else ran (images/CPU-s is steadier under load):
        # say how much CPU other processes took meanwhile.
        print(
            f"other processes used {max(others, 0.0):.1f} CPU-s of the {elapsed:.1f} s measured "
            f"({os.cpu_count()} CPUs); ours {ours_after - ours_before:.1f} CPU-s"
        )


if __name__ == "__main__":
    main()
