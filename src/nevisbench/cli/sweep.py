"""`nevisbench sweep`: a grid of runs (learners × seeds × settings), resumable, ending with their `compare`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from nevisbench.cli import reports
from nevisbench.cli.console import console, err_console


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _seeds(text: str) -> list[int]:
    try:
        return [int(part) for part in _names(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds takes integers such as 0,1,2; got {text!r}") from None


def cmd_sweep(args: argparse.Namespace) -> int:
    from nevisbench.configs import load_config
    from nevisbench.protocol.sweep import parse_grid, plan_sweep, run_sweep

    base = load_config(args.config or "demo")
    points = plan_sweep(base, learners=_names(args.learners or ""), seeds=args.seeds or [],
                        grid=parse_grid(args.grid or []), sets=args.set or [])
    root = Path(args.root)
    console.print(f"sweep of {len(points)} runs → {root}", soft_wrap=True)
    outcomes = run_sweep(points, root, launcher=args.on, jobs=args.jobs)
    for outcome in outcomes:
        colour = {"failed": "red", "done": "green"}.get(outcome.status, "dim")
        detail = f": {escape(outcome.error)}" if outcome.error else ""
        console.print(f"  [{colour}]{outcome.status}[/{colour}] {escape(outcome.name)}{detail}", soft_wrap=True)
    shown = [str(o.workdir) for o in outcomes if (o.workdir / "events.jsonl").exists()]
    if shown:
        reports.cmd_compare(argparse.Namespace(run_dirs=shown))
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        err_console.print(f"{failed} of {len(outcomes)} runs failed; run the same command again to retry them")
        return 1
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``sweep``."""
    p = commands.add_parser(
        "sweep", help="run a grid of runs (learners × seeds × settings), each in its own resumable workdir",
        description="Runs every combination of --learners, --seeds and --grid values, each in its own workdir "
        "under --root named by its settings; running the same sweep again resumes unfinished runs and skips "
        "complete ones. Ends with the compare table of all runs.")
    p.add_argument("--root", required=True, help="the folder of the runs' workdirs")
    p.add_argument("--config", help="the base config: a built-in name, .py or .json (default demo)")
    p.add_argument("--learners", help="learner ids, comma-separated (default: the config's)")
    p.add_argument("--seeds", type=_seeds, help="run seeds, comma-separated (default: the config's)")
    p.add_argument("--grid", action="append", metavar="KEY=V1,V2",
                   help="a setting and its values, e.g. options.lr=0.1,0.01 (repeat for more keys)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="a setting every run shares (repeatable)")
    p.add_argument("--on", choices=["local", "ray", "slurm"], default="local",
                   help="where runs go: this machine (default), Ray tasks, or SLURM jobs (executor.* resources)")
    p.add_argument("--jobs", type=int, default=1,
                   help="local runs at once: 1 runs them one after another in this process, N in N subprocesses")
    p.set_defaults(func=cmd_sweep)
