"""The reproducibility table in results/: every learner of the table on the demo and offline streams, 3 seeds each.

    python benchmarks/reproduce.py run [--root runs/reproduce] [--streams demo,offline] [--learners ...]
    python benchmarks/reproduce.py table      # results/README.md from the runs kept in results/
    python benchmarks/reproduce.py pareto     # the new learner against the best baseline: the two ratios
    python benchmarks/reproduce.py ablation [--root runs/reproduce]   # `efficient` with each idea turned off

``run`` is a resumable sweep per stream (``nevisbench sweep``: each run its own workdir under --root; run it
again to continue), then keeps each finished run's small files in results/<stream>/<run>/ and rewrites the
table. Budget: the demo config (small CNN at 32 px, 2 grid trials of 800 steps per task at batch 64; the
``efficient`` learner its own settings, see configs/efficient.py). Cost on 2 CPU cores: results/README.md
states it, from the runs' own wall clocks.

Not in the table: ``cheap`` and ``cheap_dynamic`` (an ImageNet-stem ResNet-18, 4 trials): at the table's steps
they cost about 15 times a demo-config run each (7.5× the FLOPs per image, twice the trials), about 6 hours of
this machine for 6 runs of 3 seeds; they are meant for a GPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nevisbench.configs import load_config
from nevisbench.protocol.sweep import plan_sweep, run_sweep
from nevisbench.reporting.reproducibility import (
    ABLATIONS,
    ablation_cells,
    ablation_lines,
    best_baseline,
    keep_run,
    pareto_verdict,
    results_markdown,
    stream_cells,
)

RESULTS = Path(__file__).resolve().parent.parent / "results"
SEEDS = (0, 1, 2)
# learner → the config it runs with (the baselines share the demo config's budget).
LEARNERS = {"independent": "demo", "previous": "demo", "dynamic": "demo", "efficient": "efficient"}
STREAMS = ("demo", "offline")


def run(root: Path, streams: list[str], learners: list[str], jobs: int) -> int:
    failed = 0
    for stream in streams:
        for learner in learners:
            base = load_config(LEARNERS[learner])
            points = plan_sweep(base, learners=[learner], seeds=list(SEEDS), grid=[],
                                sets=[f"stream.name={stream}"])
            print(f"{stream} / {learner}: {len(points)} runs under {root / stream}", flush=True)
            for outcome in run_sweep(points, root / stream, jobs=jobs):
                print(f"  {outcome.status} {outcome.name}{': ' + outcome.error if outcome.error else ''}",
                      flush=True)
                if outcome.status == "failed":
                    failed += 1
                else:
                    keep_run(outcome.workdir, RESULTS / stream / outcome.name)
    write_table()
    return 1 if failed else 0


def write_table() -> None:
    (RESULTS / "README.md").write_text(results_markdown(RESULTS), encoding="utf-8")
    print(f"wrote {RESULTS / 'README.md'}")


def pareto(streams: list[str], candidate: str) -> int:
    """Prints, per stream, the candidate's error and FLOPs ratios against the best baseline."""
    met = True
    for stream in streams:
        cells = stream_cells(RESULTS / stream)
        baseline = best_baseline(cells)
        mine = next((c for c in cells if c.learner == candidate), None)
        if baseline is None or mine is None or mine.statistics["mean_error"] is None:
            print(f"{stream}: no runs of {candidate} or of the baselines in {RESULTS / stream}")
            met = False
            continue
        v = pareto_verdict(mine, baseline)
        print(f"{stream}: {candidate} {mine.statistics['mean_error']:.4f} vs {baseline.learner} "
              f"{baseline.statistics['mean_error']:.4f}: error ratio {v['error_ratio']:.3f}, total FLOPs ratio "
              f"{v['flops_ratio']:.3f} ({'target met' if v['met'] else 'target not met'})")
        met = met and v["met"]
    return 0 if met else 1


def ablation(root: Path, stream: str, names: list[str]) -> int:
    """Runs (or resumes) each ablation of `efficient` over the seeds; keeps the runs in
    results/ablation/<stream>/<name>/, rewrites results/README.md (which shows the ablation) and prints it."""
    base = load_config(LEARNERS["efficient"])
    failed = 0
    for name in names:
        points = plan_sweep(base, learners=["efficient"], seeds=list(SEEDS), grid=[],
                            sets=[f"stream.name={stream}", *ABLATIONS[name][1]])
        print(f"{name}: {len(points)} runs under {root / 'ablation' / stream / name}", flush=True)
        for outcome in run_sweep(points, root / "ablation" / stream / name):
            if outcome.status == "failed":
                print(f"  failed {outcome.name}: {outcome.error}", flush=True)
                failed += 1
            else:
                keep_run(outcome.workdir, RESULTS / "ablation" / stream / name / outcome.name)
    write_table()
    print("\n".join(ablation_lines(ablation_cells(RESULTS / "ablation" / stream),
                                    best_baseline(stream_cells(RESULTS / stream)))))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run (or resume) the table's runs, keep them in results/, write the table")
    p.add_argument("--root", default="runs/reproduce", help="where the runs' workdirs go")
    p.add_argument("--streams", default=",".join(STREAMS))
    p.add_argument("--learners", default=",".join(LEARNERS))
    p.add_argument("--jobs", type=int, default=1, help="runs at once (each in its own process when > 1)")
    sub.add_parser("table", help="write results/README.md from the kept runs")
    p = sub.add_parser("pareto", help="the candidate learner's two ratios against the best baseline")
    p.add_argument("--streams", default=",".join(STREAMS))
    p.add_argument("--learner", default="efficient")
    p = sub.add_parser("ablation", help="`efficient` with each idea turned off, 3 seeds each; prints the table")
    p.add_argument("--root", default="runs/reproduce", help="where the runs' workdirs go")
    p.add_argument("--stream", default="offline")
    p.add_argument("--only", help=f"comma-separated ablations (default all: {', '.join(ABLATIONS)})")
    args = parser.parse_args(argv)
    if args.command == "run":
        unknown = sorted(set(args.learners.split(",")) - set(LEARNERS))
        if unknown:
            parser.error(f"--learners: unknown {', '.join(unknown)}; the table's are {', '.join(LEARNERS)}")
        return run(Path(args.root), args.streams.split(","), args.learners.split(","), args.jobs)
    if args.command == "ablation":
        names = args.only.split(",") if args.only else list(ABLATIONS)
        unknown = sorted(set(names) - set(ABLATIONS))
        if unknown:
            parser.error(f"--only: unknown {', '.join(unknown)}; the ablations are {', '.join(ABLATIONS)}")
        return ablation(Path(args.root), args.stream, names)
    if args.command == "table":
        write_table()
        return 0
    return pareto(args.streams.split(","), args.learner)


if __name__ == "__main__":
    sys.exit(main())
