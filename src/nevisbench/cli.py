"""The `nevisbench` command line: thin subcommands over the library; the only module that prints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nevisbench.data.prepare import NoSpaceError
from nevisbench.data.sources import ChecksumError, SourceError
from nevisbench.data.store import StoreError

console = Console()
err_console = Console(stderr=True)

# Errors whose message already says what to do: print it, no traceback.
_USER_ERRORS = (
    KeyError,
    ValueError,
    FileNotFoundError,
    SourceError,
    ChecksumError,
    StoreError,
    RuntimeError,
    NoSpaceError,
)


def _resolution(text: str) -> int:
    from nevisbench.data.store import check_resolution

    try:
        return check_resolution(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _progress_bar() -> Progress:
    """A transient progress bar on stderr, so stdout keeps only results."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--stop-year must be a year such as 2020, got {text!r}"
        ) from None


def _message(error: BaseException) -> str:
    # KeyError quotes its argument; show the text itself. Escaped: messages are text, not rich markup
    # (e.g. "pip install 'nevisbench[tensorboard]'").
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return escape(text)


# ---------------------------------------------------------------------------------------- datasets


def cmd_datasets_list(args: argparse.Namespace) -> int:
    from nevisbench.data.spec import get_dataset, list_datasets
    from nevisbench.data.store import is_prepared

    names = list_datasets(args.pattern)
    if not names:
        raise KeyError(
            f"no dataset matches {args.pattern!r}; `nevisbench datasets list` shows them all"
        )
    table = Table(title=f"{len(names)} datasets")
    for column in ("id", "title", "classes", "kind", "channels", "prepared"):
        table.add_column(column)
    for name in names:
        spec = get_dataset(name)
        table.add_row(
            name,
            spec.title,
            str(spec.num_classes),
            spec.kind.value,
            str(spec.channels),
            "yes" if is_prepared(name) else "",
        )
    console.print(table)
    return 0


def cmd_datasets_doc(args: argparse.Namespace) -> int:
    from nevisbench.reporting.catalog import render_markdown

    text = render_markdown()
    if args.output:
        Path(args.output).write_text(text)
        console.print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def cmd_datasets_info(args: argparse.Namespace) -> int:
    from nevisbench.data.spec import get_dataset
    from nevisbench.data.store import dataset_dir, is_prepared, open_dataset

    spec = get_dataset(args.name)
    table = Table(show_header=False, title=spec.title)
    table.add_column("field", style="bold")
    table.add_column("value")
    for field in (
        "id",
        "num_classes",
        "kind",
        "channels",
        "homepage",
        "paper_title",
        "paper_url",
        "license",
        "split_rule",
        "notes",
    ):
        value = getattr(spec, field)
        if value != "":
            table.add_row(field, str(getattr(value, "value", value)))
    shown = ", ".join(spec.class_names[:12]) + (" …" if len(spec.class_names) > 12 else "")
    table.add_row("classes", shown)
    for artefact in spec.artefacts:
        checksum = f" (md5 {artefact.md5})" if artefact.md5 else ""
        table.add_row(
            f"artefact {artefact.filename}", f"{artefact.kind}: {artefact.source}{checksum}"
        )
    if is_prepared(spec.id):
        meta = open_dataset(spec.id).meta
        table.add_row("store", str(dataset_dir(spec.id)))
        table.add_row("examples", json.dumps(meta["counts"]))
        table.add_row(
            "stored shape",
            "×".join(map(str, meta["image_shape"])) + f" ({meta['resolution_policy']['mode']})",
        )
        corrupt = {k: v["count"] for k, v in meta["corrupt_images"].items() if v["count"]}
        table.add_row("corrupt images skipped", json.dumps(corrupt) if corrupt else "none")
    else:
        table.add_row("store", f"not prepared: `nevisbench datasets prepare {spec.id}`")
    console.print(table)
    return 0


def _stream_datasets(name: str, stop_year: int | None) -> list[str]:
    from nevisbench.streams.table import get_stream

    spec = get_stream(name)
    return list(dict.fromkeys(row.dataset for row in spec.rows_before(stop_year)))


def prepare_many(
    names: Sequence[str], *, from_dir: Path | None, resolution: int, force: bool, mirror: str | None = None
) -> int:
    """Prepares each dataset, going on past failures; returns the number that failed."""
    from nevisbench.data.prepare import prepare_dataset
    from nevisbench.data.spec import get_dataset, list_datasets

    known = set(list_datasets())
    failed = 0
    with _progress_bar() as progress:
        for name in names:
            if name not in known:
                get_dataset(name)  # raises with close matches for a typo
            task = progress.add_task(f"{name}", total=None)
            try:
                def downloading(filename: str, done: int, total: int | None, task=task, name=name) -> None:
                    size = f"{done / 2**20:.1f}" + (f" / {total / 2**20:.1f}" if total else "") + " MiB"
                    progress.update(task, description=f"{name}: downloading {filename} {size}")

                def converting(_split: str, task=task, name=name) -> None:
                    progress.update(task, description=f"{name}: converting")
                    progress.advance(task)

                stored, converted = prepare_dataset(
                    name,
                    from_dir=from_dir,
                    mirror=mirror,
                    resolution=resolution,
                    force=force,
                    on_example=converting,
                    on_download=downloading,
                )
            except _USER_ERRORS as error:
                failed += 1
                progress.remove_task(task)
                err_console.print(f"[red]✗ {name}[/red]: {_message(error)}")
                continue
            progress.remove_task(task)
            counts = stored.meta["counts"]
            shape = "×".join(map(str, stored.meta["image_shape"]))
            state = "converted" if converted else "already prepared"
            console.print(
                f"[green]✓ {name}[/green] {state}: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
                + f" ({shape})"
            )
    return failed


def cmd_datasets_prepare(args: argparse.Namespace) -> int:
    from nevisbench.data.spec import list_datasets

    if bool(args.names) == bool(args.stream):
        raise ValueError("name the datasets to prepare, or a stream with --stream NAME (not both)")
    names = args.names or _stream_datasets(args.stream, args.stop_year)
    known = set(list_datasets())
    missing = [n for n in names if n not in known] if args.stream else []
    failed = prepare_many(
        [n for n in names if n not in missing],
        from_dir=args.from_dir,
        mirror=args.mirror,
        resolution=args.resolution,
        force=args.force,
    )
    if missing:
        err_console.print(
            f"[yellow]{len(missing)} dataset(s) of stream {args.stream} have no handler yet:"
            f"[/yellow] {', '.join(missing)}"
        )
    return 1 if failed or missing else 0


def cmd_datasets_verify(args: argparse.Namespace) -> int:
    from nevisbench.data.spec import get_dataset
    from nevisbench.data.store import verify_dataset

    bad = 0
    for name in args.names:
        get_dataset(name)
        problems = verify_dataset(name)
        if problems:
            bad += 1
            console.print(f"[red]✗ {name}[/red]")
            for problem in problems:
                console.print(f"    {escape(problem)}")
        else:
            console.print(f"[green]✓ {name}[/green]: every file matches meta.json")
    return 1 if bad else 0


# ----------------------------------------------------------------------------------------- streams


def cmd_streams_list(args: argparse.Namespace) -> int:
    from nevisbench.streams.table import get_stream, list_streams

    table = Table(title="streams")
    for column in ("name", "rows", "default stop year", "rows run by default", "title"):
        table.add_column(column)
    for name in list_streams(args.pattern):
        spec = get_stream(name)
        table.add_row(
            name,
            str(len(spec.rows)),
            str(spec.stop_year or "none"),
            str(len(spec.rows_before(spec.stop_year))),
            spec.title,
        )
    console.print(table)
    return 0


def cmd_streams_show(args: argparse.Namespace) -> int:
    from nevisbench.data.spec import get_dataset, list_datasets
    from nevisbench.data.store import is_prepared
    from nevisbench.streams.table import get_stream

    spec = get_stream(args.name)
    stop_year = spec.stop_year if args.stop_year is None and not args.all_years else args.stop_year
    rows = spec.rows_before(stop_year)
    known = set(list_datasets())
    table = Table(
        title=f"{spec.name}: {len(rows)} rows" + (f" before {stop_year}" if stop_year else "")
    )
    for column in ("#", "year", "dataset", "title", "classes", "kind", "handler", "prepared"):
        table.add_column(column, no_wrap=column == "dataset")
    for index, row in enumerate(rows):
        if row.dataset in known:
            dataset = get_dataset(row.dataset)
            cells = (
                dataset.title,
                str(dataset.num_classes),
                dataset.kind.value,
                "yes",
                "yes" if is_prepared(row.dataset) else "",
            )
        else:
            cells = ("", "", "", "[red]missing[/red]", "")
        table.add_row(str(index), str(row.year), row.dataset, *cells)
    console.print(table)
    held = len(spec.rows) - len(rows)
    if held:
        console.print(
            f"{held} held-out rows from {stop_year} on are not shown; add --all-years to list them."
        )
    return 0


# --------------------------------------------------------------------------------------------- run


def _human(flops: float) -> str:
    for unit, scale in (("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6)):
        if flops >= scale:
            return f"{flops / scale:.3g} {unit}FLOPs"
    return f"{flops:.3g} FLOPs"


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
    from nevisbench.protocol.runner import run
    from nevisbench.records import Phase, TrainRecord
    from nevisbench.records import Progress as RunProgress
    from nevisbench.streams.table import get_stream

    config = resolve_run_config(args)
    get_stream(config.stream.name)
    workdir = Path(args.workdir or f"runs/{config.stream.name}_{config.learner}")
    console.print(
        f"run [bold]{config.learner}[/bold] on stream [bold]{config.stream.name}[/bold] → {workdir}"
    )
    state = {"task": "", "trial": ""}
    with _progress_bar() as bar:
        events = bar.add_task("starting", total=None)

        def on_progress(update: RunProgress) -> None:
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
                    flops = _human(record.total_flops)
                    dev_error = record.info.get("dev_error")
                    status = (
                        "[red]failed[/red] " + escape(record.error or "")
                        if not record.ok
                        else f"dev error {dev_error:.3f}" if dev_error is not None else "done"
                    )
                    console.print(f"  {record.year} {record.dataset}: {status} · {flops} so far")

        listeners = [on_progress]
        if args.tensorboard:
            from nevisbench.reporting.tensorboard import TensorBoardLogger, make_summary_writer

            logger = TensorBoardLogger(make_summary_writer(workdir / "tensorboard"))
            listeners.append(logger)
        try:
            summary = run(config, workdir, progress=lambda info: [listen(info) for listen in listeners])
        finally:
            if args.tensorboard:
                logger.close()
    print_summary(summary, workdir)
    return 0


def print_summary(summary: dict, workdir: Path) -> None:
    partial = "" if summary["complete"] else " (partial)"
    # One row per task and predicted split: the error when the task was learned and, from the
    # end-of-stream re-evaluation, at the end (for the task's latest training).
    table = Table(title=f"{summary['learner']} on {summary['stream']}{partial}", box=box.SIMPLE_HEAD)
    has_map = any(row.get("map") is not None for row in summary["tasks"])
    for column in ("#", "year", "dataset", "split", "error", "at end", *(("mAP",) if has_map else ()),
                   "FLOPs so far"):
        table.add_column(column, no_wrap=column != "dataset", min_width=10 if column == "dataset" else None,
                         overflow="fold", justify="left" if column in ("dataset", "split") else "right")
    at_end = {(row["task_index"], row["split"]): row for row in summary["tasks"] if row.get("final")}

    def rate(row: dict | None, key: str) -> str:
        if row is None:
            return "-"
        return f"{row[key]:.4f}" if row.get(key) is not None else ("-" if row["status"] == "ok" else row["status"])

    for row in summary["tasks"]:
        if row.get("final"):
            continue
        end = at_end.get((row["task_index"], row["split"]))
        table.add_row(str(row["task_index"]), str(row["year"]), row["dataset"], row["split"], rate(row, "error"),
                      rate(end, "error"), *((rate(row, "map"),) if has_map else ()),
                      _human(row["cumulative_flops"]["train"]))
    console.print(table)
    usage = summary["usage"]
    console.print(
        f"mean error {summary.get('mean_error', float('nan')):.4f} · example-weighted error "
        f"{summary.get('weighted_error', float('nan')):.4f} · train {_human(usage['train']['flops'])} · "
        f"selection {_human(usage['selection']['flops'])} · predict {_human(usage['predict']['flops'])} · "
        + (f"pretraining {_human(usage['pretraining']['flops'])} · " if "pretraining" in usage else "")
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


def cmd_pretrain(args: argparse.Namespace) -> int:
    from nevisbench.data.prepare import prepare_dataset
    from nevisbench.learners.pretrained import PretrainConfig, pretrain
    from nevisbench.protocol.runner import resolve_device

    if args.stream:
        from nevisbench.streams.stream import build_stream

        names = list(dict.fromkeys(build_stream(args.stream).datasets))
    else:
        names = args.dataset
    config = PretrainConfig(backbone=args.backbone, max_steps=args.steps, lr=args.lr,
                            label_smoothing=args.label_smoothing, resolution=args.image_size,
                            batch_size=args.batch_size, validate_every=args.validate_every)
    device = resolve_device(args.device)
    datasets = []
    for name in names:
        console.print(f"preparing {name}")
        datasets.append(prepare_dataset(name, resolution=args.resolution)[0])
    with _progress_bar() as bar:
        job = bar.add_task("pretraining", total=None)

        def on_progress(info: dict) -> None:
            dev = f" dev error {info['dev_error']:.3f}" if "dev_error" in info else ""
            bar.update(job, total=info["max_steps"], completed=info["step"],
                       description=f"{info['dataset']} step {info['step']}/{info['max_steps']}{dev}")

        record = pretrain(datasets, config, Path(args.out), seed=args.seed, device=device, progress=on_progress)
    for fit in record["fits"]:
        console.print(f"  {fit['dataset']}: best dev error {fit['best_dev_error']:.4f} at step {fit['best_step']}")
    console.print(f"wrote {args.out} ({config.backbone}; {_human(record['flops']['total'])}); use it with "
                  f"`--set options.init_from={args.out} --set options.backbone={config.backbone}`")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    path = Path(args.workdir)
    summary_file = path / "summary.json"
    if not summary_file.exists():
        raise FileNotFoundError(
            f"{path} holds no summary.json: is it a run directory? "
            f"(`nevisbench run --workdir {path}` writes one)"
        )
    print_summary(json.loads(summary_file.read_text()), path)
    return 0


# ----------------------------------------------------------------------------------------- reports


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        err_console.print(f"[yellow]note[/yellow]: {escape(note)}")


def cmd_report(args: argparse.Namespace) -> int:
    from nevisbench.reporting.html import write_report

    report = write_report([Path(p) for p in args.run_dirs], Path(args.output))
    _print_notes(report.notes)
    # soft_wrap: a path is never broken inside a word (the terminal still wraps long lines).
    console.print(f"report: {report.html}", soft_wrap=True)
    console.print("figures: " + ", ".join(str(p) for p in report.figures if p.suffix == ".png")
                  + " (and .svg)", soft_wrap=True)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from nevisbench.reporting.tables import (
        compare_rows,
        format_flops,
        format_rate,
        format_seconds,
        load_runs,
        notes,
    )

    runs = load_runs([Path(p) for p in args.run_dirs])
    rows = compare_rows(runs)
    # The numbers in the table, the descriptive columns in one line per run below it, FLOPs without
    # their unit: the table then stays readable in an 80-column terminal.
    table = Table(title=f"{len(runs)} runs, lowest mean error first",
                  caption=f"train, total: FLOPs; ×: ratio to the first run given ({runs[0].label})",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    has_map = any(row["mean_map"] is not None for row in rows)
    table.add_column("run, learner", overflow="fold", min_width=12)
    for column in ("mean error", "weighted", *(("mAP",) if has_map else ()), "train", "×", "total", "× ", "wall"):
        table.add_column(column, justify="right", no_wrap=True)

    def flops(value: int) -> str:
        return format_flops(value).removesuffix("FLOPs").strip()

    def ratio(value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.2g}" if value < 100 else f"{value:,.0f}"

    for row in rows:
        partial = "" if row["complete"] else " [yellow]partial[/yellow]"
        table.add_row(f"{escape(row['run'])}{partial}\n[dim]{escape(row['learner'])}[/dim]",
                      format_rate(row["mean_error"]), format_rate(row["weighted_error"]),
                      *((format_rate(row["mean_map"]),) if has_map else ()),
                      flops(row["train_flops"]), ratio(row["train_flops_ratio"]),
                      flops(row["total_flops"]), ratio(row["total_flops_ratio"]),
                      format_seconds(row["wall_seconds"]))
    console.print(table)
    for row in rows:
        console.print(f"  {escape(row['run'])}: {escape(row['status'])} · {escape(row['stream'])} · "
                      f"split {row['split'] or '—'} · {escape(row['hardware'])} · seeds {escape(row['seeds'])} · "
                      f"{escape(row['path'])}")
    _print_notes(notes(runs))
    return 0


# ------------------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nevisbench", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)

    datasets = commands.add_parser(
        "datasets", help="list, prepare and verify datasets"
    ).add_subparsers(dest="action", required=True)
    p = datasets.add_parser("list", help="list registered datasets")
    p.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'mnist*'")
    p.set_defaults(func=cmd_datasets_list)
    p = datasets.add_parser("doc", help="the catalogue as Markdown (docs/datasets.md)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_datasets_doc)
    p = datasets.add_parser("info", help="show a dataset's provenance, splits and store")
    p.add_argument("name")
    p.set_defaults(func=cmd_datasets_info)
    p = datasets.add_parser("prepare", help="download and convert datasets into the store")
    p.add_argument("names", nargs="*", help="dataset ids")
    p.add_argument("--stream", help="prepare every dataset of this stream")
    p.add_argument(
        "--stop-year",
        type=_year,
        default=None,
        help="with --stream: only rows before this year (default: every row)",
    )
    p.add_argument(
        "--from", dest="from_dir", type=Path, help="a directory that already holds the raw files"
    )
    p.add_argument(
        "--mirror",
        help="a copy of a downloads folder (DIR or http(s) URL) laid out as <mirror>/<dataset>/<file>, "
        "tried before the official sources (clusters without internet)"
    )
    p.add_argument(
        "--resolution",
        type=_resolution,
        default=96,
        help="side of stored images when they do not share one size ≤ it (default 96)",
    )
    p.add_argument("--force", action="store_true", help="convert again even if prepared")
    p.set_defaults(func=cmd_datasets_prepare)
    p = datasets.add_parser("verify", help="recheck store files against meta.json")
    p.add_argument("names", nargs="+")
    p.set_defaults(func=cmd_datasets_verify)

    streams = commands.add_parser("streams", help="list and show streams").add_subparsers(
        dest="action", required=True
    )
    p = streams.add_parser("list", help="list streams")
    p.add_argument("pattern", nargs="?", default="*")
    p.set_defaults(func=cmd_streams_list)
    p = streams.add_parser("show", help="show a stream's rows")
    p.add_argument("name")
    p.add_argument(
        "--stop-year", type=_year, default=None, help="exclusive stop year (default: the stream's)"
    )
    p.add_argument("--all-years", action="store_true", help="include the held-out years")
    p.set_defaults(func=cmd_streams_show)

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
    p.add_argument("--tensorboard", action="store_true", help="write TensorBoard scalars to WORKDIR/tensorboard")
    p.add_argument("--executor", choices=["local", "process", "ray"],
                   help="where trials run: in this process (default), worker processes, or a Ray cluster")
    p.add_argument("--workers", type=int, help="process workers (default: one per GPU, else 2)")
    p.add_argument("--ray-address", help="the Ray cluster: auto (default), HOST:PORT, or local (a private one)")
    p.set_defaults(func=cmd_run)
    p = commands.add_parser("pretrain", help="train a backbone on datasets and write a checkpoint for init_from")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--dataset", action="append", help="a dataset id (repeat for several, in order)")
    what.add_argument("--stream", help="every dataset of this stream, in stream order (first occurrences)")
    p.add_argument("--out", required=True, help="the checkpoint file to write (a .json record goes beside it)")
    p.add_argument("--backbone", default="resnet18", help="a registered backbone (default resnet18)")
    p.add_argument("--steps", type=int, default=50_000, help="steps per dataset (default 50000)")
    p.add_argument("--lr", type=float, default=0.1, help="peak learning rate (default 0.1)")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--image-size", type=int, default=64, help="input side (default 64)")
    p.add_argument("--batch-size", type=int, help="default: the adaptive rule")
    p.add_argument("--validate-every", type=int, default=1000)
    p.add_argument("--resolution", type=int, default=96, help="store resolution when a dataset is prepared")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    p.set_defaults(func=cmd_pretrain)
    p = commands.add_parser("results", help="print a run's summary")
    p.add_argument("workdir")
    p.set_defaults(func=cmd_results)
    p = commands.add_parser("report", help="write an HTML report (and PNG/SVG figures) of one or more runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("-o", "--output", default="report.html",
                   help="the HTML file (default report.html); figures are written beside it")
    p.set_defaults(func=cmd_report)
    p = commands.add_parser("compare", help="print runs side by side, sorted by mean error")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.set_defaults(func=cmd_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except _USER_ERRORS as error:
        err_console.print(f"[red]error:[/red] {_message(error)}")
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted; run the same command again to continue")
        return 130


if __name__ == "__main__":
    sys.exit(main())
