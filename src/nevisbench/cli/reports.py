"""`nevisbench report` and `compare`: runs side by side, as an HTML report or in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.table import Table

from nevisbench.cli.console import console, failed_tasks_text, print_notes


def cmd_report(args: argparse.Namespace) -> int:
    from nevisbench.reporting.html import write_report

    output = Path(args.output)
    if output.is_dir():
        # Refused before anything is written: the figures go beside the HTML file, so a directory
        # given as the file would have them land next to it, named after it.
        raise IsADirectoryError(f"-o {output} is a directory; give the HTML file's name, "
                                f"e.g. -o {output / 'report.html'}")
    report = write_report([Path(p) for p in args.run_dirs], output)
    print_notes(report.notes)
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

    def mean_error(row: dict) -> str:
        # Short under the number (the column stays narrow); the per-run line below says it in full.
        failed = row.get("failed_tasks") or 0
        short = f"\n[red]{failed}/{row['tasks_done']} failed[/red]" if failed else ""
        return format_rate(row["mean_error"]) + short

    for row in rows:
        partial = "" if row["complete"] else " [yellow]partial[/yellow]"
        table.add_row(f"{escape(row['run'])}{partial}\n[dim]{escape(row['learner'])}[/dim]",
                      mean_error(row), format_rate(row["weighted_error"]),
                      *((format_rate(row["mean_map"]),) if has_map else ()),
                      flops(row["train_flops"]), ratio(row["train_flops_ratio"]),
                      flops(row["total_flops"]), ratio(row["total_flops_ratio"]),
                      format_seconds(row["wall_seconds"]))
    console.print(table)
    for row in rows:
        failed = failed_tasks_text(row.get("failed_tasks") or 0, row["tasks_done"])
        console.print(f"  {escape(row['run'])}: {escape(row['status'])} · "
                      + (f"[red]{failed} in the mean[/red] · " if failed else "")
                      + f"{escape(row['stream'])} · split {row['split'] or '—'} · {escape(row['hardware'])} · "
                      f"seeds {escape(row['seeds'])} · {escape(row['path'])}")
    print_notes(notes(runs))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``report`` and ``compare``."""
    p = commands.add_parser("report", help="write an HTML report (and PNG/SVG figures) of one or more runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("-o", "--output", default="report.html",
                   help="the HTML file (default report.html); figures are written beside it")
    p.set_defaults(func=cmd_report)
    p = commands.add_parser("compare", help="print runs side by side, sorted by mean error")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.set_defaults(func=cmd_compare)
