"""`nevisbench run` and `results`: run a learner over a stream, print a summary."""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.table import Table

from nevisbench.cli import arguments
from nevisbench.cli.console import console, err_console, failed_tasks_text, progress_bar
from nevisbench.executors import EXECUTORS

# `run` flags that are shorthands for settings: (argparse attribute, setting).
_RUN_FLAGS = (
    ("learner", "learner"),
    ("stream", "stream.name"),
    ("predict_split", "stream.predict_splits"),
    ("device", "device"),
    ("executor", "executor.kind"),
    ("workers", "executor.workers"),
    ("ray_address", "executor.ray_address"),
)

# Exit codes of a run stopped by a signal: 128 + the signal's number, as a shell reports it.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived. A KeyboardInterrupt, so that every cleanup Ctrl-C runs (executors, locks,
    partial files) runs for it too."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turns SIGTERM into :class:`Terminated` in the main thread for the ``with`` block.

    Cluster schedulers send SIGTERM before they kill a job (Slurm waits KillWait, 30 s by default):
    the run then stops at once, as after Ctrl-C, and says how to continue it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def terminate(_signum: int, _frame: object) -> None:
        # One-shot: a second SIGTERM during the cleanup ends the process at once, as the default does.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def resolve_run_config(args: argparse.Namespace):
    """The config a `run` command asks for: --config, else the workdir's saved one, else the demo."""
    from nevisbench.config import RunConfig, apply_overrides
    from nevisbench.configs import load_config

    saved = Path(args.workdir) / "config.json" if args.workdir else None
    flags = [(getattr(args, attribute), key) for attribute, key in _RUN_FLAGS]
    tweaks = args.config or args.set or any(value for value, _ in flags)
    if args.config:
        config = load_config(args.config)
    elif saved is not None and saved.exists():
        config = RunConfig.load(saved)
    else:
        config = load_config("demo")
    if saved is not None and saved.exists() and not tweaks:
        return config
    assignments = [f"{key}={value}" for value, key in flags if value]
    return apply_overrides(config, assignments + list(args.set or []))


def cmd_run(args: argparse.Namespace) -> int:
    from nevisbench.streams.table import get_stream

    config = resolve_run_config(args)
    get_stream(config.stream.name)
    workdir = Path(args.workdir or f"runs/{config.stream.name}_{config.learner}")
    if getattr(args, "seeds", None):
        return _run_seeds(args, workdir)
    console.print(
        f"run [bold]{config.learner}[/bold] on stream [bold]{config.stream.name}[/bold] → {workdir}"
    )
    try:
        with sigterm_as_interrupt():
            summary = _run(config, workdir, loggers=logger_names(args), skip_unavailable=args.skip_unavailable)
    except KeyboardInterrupt as error:
        terminated = isinstance(error, Terminated)
        what = "terminated (SIGTERM)" if terminated else "interrupted"
        if (workdir / "config.json").exists():
            how = f"`nevisbench run --workdir {shlex.quote(str(workdir))}` continues it"
        else:
            how = "nothing was run yet; run the same command again"  # stopped before the run saved its config
        err_console.print(f"{what}; {how}", soft_wrap=True)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    print_summary(summary, workdir)
    return 0


def _run_seeds(args: argparse.Namespace, parent: Path) -> int:
    """``run --seeds``: one resumable run per seed, ``<parent>/seed_<k>``, one after the other."""
    from nevisbench.files import write_json
    from nevisbench.reporting.aggregate import SEEDS_FILE, parse_seeds, planned_seeds, seed_dir

    seeds = parse_seeds(args.seeds)
    if (parent / "config.json").exists():
        raise ValueError(f"{parent} is a single run's directory; give --seeds a new --workdir "
                         f"(its runs go to <workdir>/seed_<k>)")
    parent.mkdir(parents=True, exist_ok=True)
    # Recorded first, so that a seed not yet run reads as missing, never as absent from the plan;
    # seeds of an earlier call stay planned.
    planned = planned_seeds(parent)
    write_json(parent / SEEDS_FILE, {"seeds": planned + [s for s in seeds if s not in planned]})
    for seed in seeds:
        one = argparse.Namespace(**{**vars(args), "seeds": None, "workdir": str(seed_dir(parent, seed)),
                                    "set": [*(args.set or []), f"seed={seed}"]})
        code = cmd_run(one)
        if code:
            return code
    console.print(f"{len(seeds)} seeds done; `nevisbench results {shlex.quote(str(parent))}` aggregates them")
    return 0


def logger_names(args: argparse.Namespace) -> list[str]:
    """The loggers ``run`` asked for: ``--log`` and its alias ``--tensorboard``."""
    return list(dict.fromkeys([*(args.log or []), *(["tensorboard"] if args.tensorboard else [])]))


def _run(config, workdir: Path, *, loggers: Sequence[str] = (), skip_unavailable: bool = False) -> dict:
    """Runs ``config`` in ``workdir`` under a progress bar, printing a line per trained task."""
    from nevisbench.protocol.runner import run
    from nevisbench.records import Phase, Progress, TrainRecord
    from nevisbench.reporting.format import format_flops

    state = {"task": "", "trial": ""}
    with progress_bar() as bar:
        events = bar.add_task("starting", total=None)

        def on_progress(update: Progress) -> None:
            if update.phase is Phase.PREPARE:
                bar.update(events, description=f"preparing {update.dataset}")
            elif update.phase is Phase.TRAIN:
                state["task"] = f"task {update.task_index + 1}/{update.tasks} {update.dataset}"
                bar.update(events, total=update.events, completed=update.event, description=state["task"])
            elif update.phase is Phase.TRIAL:
                info = update.trial
                dev = f" dev error {info['dev_error']:.3f}" if info.get("dev_error") is not None else ""
                bar.update(
                    events,
                    description=f"{state['task']} · trial {info['trial'] + 1}/{info['trials']} "
                    f"· step {info['step']}/{info['max_steps']}{dev}",
                )
            elif update.phase is Phase.PREDICT:
                final = " (final)" if update.final else ""
                bar.update(events, total=update.events, completed=update.event,
                           description=f"predict {update.dataset} {update.split}{final}")
            elif update.phase is Phase.DONE and update.record is not None:
                record = update.record
                bar.update(events, completed=record.event + 1)
                if isinstance(record, TrainRecord):
                    dev_error = record.info.get("dev_error")
                    status = (
                        "[red]failed[/red] " + escape(record.error or "")
                        if not record.ok
                        else f"dev error {dev_error:.3f}" if dev_error is not None else "done"
                    )
                    console.print(f"  {record.year} {record.dataset}: {status} · "
                                  f"{format_flops(record.total_flops)} so far")

        listeners: list = [on_progress]
        if loggers:
            from nevisbench.reporting.loggers import Loggers, flat_params

            # Checks the packages now, before any training; the logged runs open with the first event.
            logged = Loggers(loggers, workdir, flat_params(config.to_dict()))
            listeners.append(logged)
        ok = False
        try:
            summary = run(config, workdir, progress=lambda info: [listen(info) for listen in listeners],
                          skip_unavailable=skip_unavailable)
            ok = True
            return summary
        finally:
            if loggers:
                logged.close(ok)


def print_summary(summary: dict, workdir: Path) -> None:
    """Prints a run's summary: a row per task and predicted split, the means and the compute."""
    from nevisbench.reporting.format import (
        format_flops,
        format_gflops_rate,
        format_images_rate,
        format_mfu,
    )

    partial = "" if summary["complete"] else " (partial)"
    # One row per task and predicted split: the error when the task was learned and, from the
    # end-of-stream re-evaluation, at the end (for the task's latest training).
    table = Table(title=f"{summary['learner']} on {summary['stream']}{partial}", box=box.SIMPLE_HEAD)
    has_map = any(row.get("map") is not None for row in summary["tasks"])
    # Training throughput per task (mean over its trials), shown on the task's first row.
    throughput = _throughput(workdir)
    has_mfu = any(t["mfu"] is not None for t in throughput.values())
    for column in ("#", "year", "dataset", "split", "error", "at end", *(("mAP",) if has_map else ()),
                   "FLOPs so far", "images/s", "GFLOP/s", *(("MFU",) if has_mfu else ())):
        table.add_column(column, no_wrap=column != "dataset", min_width=10 if column == "dataset" else None,
                         overflow="fold", justify="left" if column in ("dataset", "split") else "right")
    at_end = {(row["task_index"], row["split"]): row for row in summary["tasks"] if row.get("final")}

    def rate(row: dict | None, key: str) -> str:
        if row is None:
            return "-"
        return f"{row[key]:.4f}" if row.get(key) is not None else ("-" if row["status"] == "ok" else row["status"])

    shown: set[int] = set()
    for row in summary["tasks"]:
        if row.get("final"):
            continue
        end = at_end.get((row["task_index"], row["split"]))
        speed = throughput.get(row["task_index"]) if row["task_index"] not in shown else None
        shown.add(row["task_index"])
        speed = speed or {"images_per_second": None, "flops_per_second": None, "mfu": None}
        table.add_row(str(row["task_index"]), str(row["year"]), row["dataset"], row["split"], rate(row, "error"),
                      rate(end, "error"), *((rate(row, "map"),) if has_map else ()),
                      format_flops(row["cumulative_flops"]["train"]), format_images_rate(speed["images_per_second"]),
                      format_gflops_rate(speed["flops_per_second"]), *((format_mfu(speed["mfu"]),) if has_mfu else ()))
    console.print(table)
    usage = summary["usage"]
    tasks = len({row["task_index"] for row in summary["tasks"] if not row.get("final")})
    failed = failed_tasks_text(len(summary.get("failed_tasks", [])), tasks)
    console.print(
        f"mean error {summary.get('mean_error', float('nan')):.4f}{f' ({failed})' if failed else ''} · "
        f"example-weighted error {summary.get('weighted_error', float('nan')):.4f} · "
        f"train {format_flops(usage['train']['flops'])} · "
        f"selection {format_flops(usage['selection']['flops'])} · predict {format_flops(usage['predict']['flops'])} · "
        + (f"pretraining {format_flops(usage['pretraining']['flops'])} · " if "pretraining" in usage else "")
        + f"wall {summary['wall_seconds']['total']:.0f} s"
    )
    chosen = [(row["dataset"], row["source"]) for row in _chosen_sources(workdir)]
    if chosen:
        console.print("started from: " + "; ".join(f"{d} ← {src}" for d, src in chosen))
    if summary.get("failed_tasks"):
        console.print(f"[red]failed to train[/red]: {', '.join(summary['failed_tasks'])} (see events.jsonl)")
    if not summary["complete"]:
        console.print(f"partial: {summary['events']['completed']} of {summary['events']['total']} events; "
                      f"`nevisbench run --workdir {workdir}` continues it")
    console.print(f"results: {workdir / 'summary.json'}")


def _throughput(workdir: Path) -> dict[int, dict[str, float | None]]:
    """Task index → its training throughput (``reporting.tables.task_throughput``), from events.jsonl."""
    from nevisbench.protocol.workdir import Workdir
    from nevisbench.records import TrainRecord
    from nevisbench.reporting.tables import task_throughput

    records, _ = Workdir(workdir).read_events_tolerant()
    return {r.task_index: task_throughput(r.info) for r in records if isinstance(r, TrainRecord)}


def _chosen_sources(workdir: Path) -> list[dict[str, str]]:
    """For learners that choose where each task starts (dynamic, oracle): dataset and chosen source."""
    from nevisbench.protocol.workdir import Workdir
    from nevisbench.records import TrainRecord

    out = []
    for record in Workdir(workdir).read_events():
        selection = record.info.get("selection") if isinstance(record, TrainRecord) else None
        if selection:
            out.append({"dataset": record.dataset, "source": selection["chosen"]})
    return out


def cmd_results(args: argparse.Namespace) -> int:
    from nevisbench.reporting.aggregate import is_seeds_dir

    path = Path(args.workdir)
    if is_seeds_dir(path):
        from nevisbench.cli.reports import print_groups

        return print_groups([path])
    summary_file = path / "summary.json"
    if not summary_file.exists():
        raise FileNotFoundError(
            f"{path} holds no summary.json: is it a run directory? "
            f"(`nevisbench run --workdir {path}` writes one)"
        )
    print_summary(json.loads(summary_file.read_text()), path)
    from nevisbench.cli.console import print_notes
    from nevisbench.cli.reports import print_continual
    from nevisbench.reporting.runs import load_run

    print_notes(load_run(path).comparability)  # skipped tasks, non-reference files
    print_continual(path, args.baseline)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``run``, ``pretrain`` and ``results``."""
    p = commands.add_parser("run", help="run a learner over a stream (default: the offline demo)")
    p.add_argument(
        "--config", help="a built-in config (demo, cheap, reference), a .py file or a config.json"
    )
    p.add_argument("--stream", help="stream id (default: the config's)")
    p.add_argument("--learner", help="learner id (default: the config's)")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a setting, e.g. options.max_steps=100 or stream.stop_year=2022",
    )
    p.add_argument(
        "--workdir", help="run directory (default: runs/<stream>_<learner>); the same one resumes"
    )
    p.add_argument("--device", help="auto, cpu or cuda[:N]")
    p.add_argument(
        "--predict-split", choices=["dev_test", "test"], help="the split predicted after each task"
    )
    p.add_argument("--log", type=arguments.logger_names, metavar="LOGGERS",
                   help="log the run's metrics to tensorboard (WORKDIR/tensorboard), wandb (WORKDIR/wandb; "
                   "WANDB_MODE, NEVISBENCH_WANDB_PROJECT) and/or mlflow (MLFLOW_TRACKING_URI, default "
                   "WORKDIR/mlruns), a comma-separated list; a resume continues the same logged runs")
    p.add_argument("--tensorboard", action="store_true", help="the same as --log tensorboard")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="leave out the datasets that cannot be prepared (recorded in config.json; the run "
                   "is then marked not comparable) instead of failing before training")
    p.add_argument("--executor", choices=list(EXECUTORS),
                   help="where trials run: in this process (default), worker processes, a Ray cluster, or "
                   "SLURM jobs (executor.* settings in docs/cluster.md)")
    p.add_argument("--workers", type=int, help="process workers (default: one per GPU, else 2)")
    p.add_argument("--ray-address", help="the Ray cluster: auto (default), HOST:PORT, or local (a private one)")
    p.add_argument("--seeds", help="run several seeds, one after the other, each in WORKDIR/seed_<k>: "
                   "a count (3 = seeds 0,1,2) or a list (0,1,2)")
    p.set_defaults(func=cmd_run)
    p = commands.add_parser("results", help="print a run's summary (or, for a --seeds directory, its seeds')")
    p.add_argument("workdir")
    p.add_argument("--baseline", metavar="RUN", help="an independent run of the same stream: forward transfer")
    p.set_defaults(func=cmd_results)
