"""`nevisbench report` and `compare`: runs side by side, as an HTML report or in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.table import Table

from nevisbench.cli.console import console, failed_tasks_text, print_notes
from nevisbench.reporting.format import format_rate


def cmd_report(args: argparse.Namespace) -> int:
    from nevisbench.reporting.html import write_report

    output = Path(args.output)
    if output.is_dir():
        # Refused before anything is written: the figures go beside the HTML file, so a directory
        # given as the file would have them land next to it, named after it.
        raise IsADirectoryError(f"-o {output} is a directory; give the HTML file's name, "
                                f"e.g. -o {output / 'report.html'}")
    report = write_report([Path(p) for p in args.run_dirs], output,
                          baseline=Path(args.baseline) if args.baseline else None)
    print_notes(report.notes)
    # soft_wrap: a path is never broken inside a word (the terminal still wraps long lines).
    console.print(f"report: {report.html}", soft_wrap=True)
    console.print("figures: " + ", ".join(str(p) for p in report.figures if p.suffix == ".png")
                  + " (and .svg)", soft_wrap=True)
    return 0


def _records(path: Path) -> list:
    from nevisbench.reporting.runs import load_run

    return load_run(path).records


def print_continual(path: Path, baseline: str | None) -> None:
    """Prints a run's continual-learning metrics (forward transfer against ``baseline``, when given)."""
    from nevisbench.reporting.continual import continual_lines

    for line in continual_lines(_records(path), _records(Path(baseline)) if baseline else None):
        console.print(escape(line), soft_wrap=True)


def _interval(stats: dict) -> str:
    if stats["low"] is None:
        return "—"
    over = "" if stats["interval_over"] == "seeds" else " (over tasks, 1 seed)"
    return f"{format_rate(stats['low'])}–{format_rate(stats['high'])}{over}"


def print_groups(paths: list[Path]) -> int:
    """Prints runs grouped by config (seeds averaged): mean error, 95% interval, seeds, and whether each
    learner's difference from the best is beyond the noise."""
    from nevisbench.reporting.aggregate import load_groups, noise_verdict

    groups = load_groups(paths)
    stats = [group.statistics() for group in groups]
    order = sorted(range(len(groups)), key=lambda i: (stats[i]["mean_error"] is None, stats[i]["mean_error"] or 0.0))
    table = Table(title=f"{len(groups)} configs, lowest mean error first",
                  caption="95% percentile-bootstrap interval over seeds (10,000 resamples)",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column in ("run, learner", "mean error", "95% interval", "seeds", "missing", "partial"):
        table.add_column(column, overflow="fold", justify="left" if column == "run, learner" else "right")
    for i in order:
        group, row = groups[i], stats[i]
        table.add_row(f"{escape(group.label)}\n[dim]{escape(group.learner)}[/dim]", format_rate(row["mean_error"]),
                      _interval(row), str(row["seeds"]),
                      ", ".join(map(str, row["missing"])) or "—",
                      ", ".join("?" if s is None else str(s) for s in row["partial"]) or "—")
    console.print(table)
    best = groups[order[0]]
    for i in order[1:]:
        verdict = noise_verdict(groups[i], best)
        if verdict is None:
            continue
        what = ("within the noise" if verdict["within_noise"] else "beyond the noise")
        console.print(f"  {escape(groups[i].label)} − {escape(best.label)}: {verdict['difference']:+.4f} "
                      f"(95% interval {verdict['low']:+.4f} to {verdict['high']:+.4f} over "
                      f"{verdict['interval_over']}): {what}")
    for group, row in zip(groups, stats, strict=True):
        if row["missing"] or row["partial"]:
            console.print(f"  [yellow]{escape(group.label)}[/yellow]: not averaged in: "
                          + "; ".join(x for x in (
                              f"missing seeds {', '.join(map(str, row['missing']))}" if row["missing"] else "",
                              f"partial seeds {', '.join(map(str, row['partial']))}" if row["partial"] else "")
                              if x))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from nevisbench.reporting.aggregate import is_seeds_dir, load_groups

    paths = [Path(p) for p in args.run_dirs]
    if any(is_seeds_dir(p) for p in paths) or any(len(g.runs) > 1 for g in load_groups(paths)):
        return print_groups(paths)
    from nevisbench.reporting.tables import (
        compare_rows,
        format_flops,
        format_seconds,
        load_runs,
        notes,
    )

    runs = load_runs(paths)
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


def cmd_export(args: argparse.Namespace) -> int:
    from nevisbench.reporting.export import export_runs

    count = export_runs([Path(p) for p in args.run_dirs], Path(args.output))
    console.print(f"wrote {count} task rows to {args.output}", soft_wrap=True)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``report``, ``compare`` and ``export``."""
    p = commands.add_parser("report", help="write an HTML report (and PNG/SVG figures) of one or more runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("-o", "--output", default="report.html",
                   help="the HTML file (default report.html); figures are written beside it")
    p.add_argument("--baseline", metavar="RUN", help="an independent run of the same stream: forward transfer")
    p.set_defaults(func=cmd_report)
    p = commands.add_parser("compare", help="print runs side by side, sorted by mean error")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.set_defaults(func=cmd_compare)
    p = commands.add_parser("export", help="write one row per task of runs to a .csv (or .parquet) file")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("-o", "--output", required=True, help="the .csv or .parquet file to write")
    p.set_defaults(func=cmd_export)
