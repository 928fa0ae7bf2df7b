"""`nevisbench streams ...`: the registered streams and their (year, dataset) rows."""

from __future__ import annotations

import argparse

from rich.table import Table

from nevisbench.cli import arguments
from nevisbench.cli.console import console


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


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``streams list|show``."""
    streams = commands.add_parser("streams", help="list and show streams").add_subparsers(
        dest="action", required=True
    )
    p = streams.add_parser("list", help="list streams")
    p.add_argument("pattern", nargs="?", default="*")
    p.set_defaults(func=cmd_streams_list)
    p = streams.add_parser("show", help="show a stream's rows")
    p.add_argument("name")
    p.add_argument(
        "--stop-year", type=arguments.year, default=None, help="exclusive stop year (default: the stream's)"
    )
    p.add_argument("--all-years", action="store_true", help="include the held-out years")
    p.set_defaults(func=cmd_streams_show)
