"""Where trials run, measured side by side in one run on the demo stream: `process` workers against
`local`, Ray's overhead per trial, and the share of `dynamic`'s selection in its compute.

    python benchmarks/executors.py [--steps 40] [--trials 4] [--workers 2] [--no-ray]

Prints: the wall-time ratio local / process (> 1: the workers help), Ray's overhead per trial (a
no-op trial's round trip through Ray, and the stream's wall time against `process` with as many
parallel trials), and for `dynamic` the selection FLOPs (kNN embeddings and distances) as a fraction
of the train FLOPs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from nevisbench.config import apply_overrides
from nevisbench.configs import load_config
from nevisbench.protocol.runner import run
from nevisbench.protocol.workdir import Workdir


def timed(settings: list[str], workdir: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    summary = run(apply_overrides(load_config("demo"), settings), workdir)
    return time.perf_counter() - started, summary


def _noop(shared: object, job: int) -> int:
    return job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per trial")
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray measurement")
    args = parser.parse_args()
    threads = max(1, (os.cpu_count() or 1) // args.workers)
    base = [
        "options.backbone=small_cnn", "options.image_size=32", f"options.max_steps={args.steps}",
        f"options.validate_every={max(1, args.steps // 2)}", f"options.trials={args.trials}",
        "options.batch_size=64", "stream.stop_year=2008",
        # The same threads per trial everywhere, so every executor computes the same thing.
        f"executor.cpus_per_trial={threads}",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        local_s, local = timed(base, root / "local")
        trials = sum(1 for r in [r.to_json() for r in Workdir(root / "local").read_events()] if r["type"] == "train") * args.trials
        process_s, process = timed([*base, "executor.kind=process", f"executor.workers={args.workers}"],
                                   root / "process")
        assert process["usage"] == local["usage"], "process workers must spend the same FLOPs"
        print(f"demo stream before 2008: {trials} trials of {args.steps} steps, {threads} threads per trial")
        print(f"local:   {local_s:7.1f} s")
        print(f"process: {process_s:7.1f} s with {args.workers} workers; ratio local/process = "
              f"{local_s / process_s:.2f}")
        if not args.no_ray:
            import ray

            from nevisbench.executors import RayExecutor

            ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
            try:
                executor = RayExecutor("auto", cpus=1)
                executor.map(_noop, None, list(range(args.workers)), ())  # start the workers
                started = time.perf_counter()
                executor.map(_noop, None, list(range(40)), ())
                noop_s = (time.perf_counter() - started) / 40
                ray_s, ray_summary = timed([*base, "executor.kind=ray"], root / "ray")
            finally:
                ray.shutdown()
            assert ray_summary["usage"] == local["usage"], "Ray trials must spend the same FLOPs"
            print(f"ray:     {ray_s:7.1f} s with {args.workers} CPUs; a no-op trial's round trip {noop_s * 1e3:.1f} ms; "
                  f"per trial against process: {(ray_s - process_s) / trials:+.2f} s")
        _, dynamic = timed([*base, "learner=dynamic"], root / "dynamic")
        usage = dynamic["usage"]
        independent_selection = local["usage"]["selection"]["flops"]
        knn = usage["selection"]["flops"] - independent_selection
        print(f"dynamic: selection (kNN) FLOPs {knn:.3g} = {knn / usage['train']['flops']:.2%} of train FLOPs "
              f"({usage['train']['flops']:.3g}); all selection incl. dev evaluations "
              f"{usage['selection']['flops'] / usage['train']['flops']:.2%}")


if __name__ == "__main__":
    main()
