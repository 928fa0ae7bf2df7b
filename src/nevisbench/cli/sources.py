"""`nevisbench datasets sources`: where each raw file comes from and, with --check, whether it can be had."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.markup import escape
from rich.table import Table

from nevisbench.cli.console import console, err_console

_FINE = ("reachable", "moved", "manual")
_STYLE = {"reachable": "green", "moved": "yellow", "manual": "cyan"}


def available(result: dict[str, Any]) -> bool:
    """Whether a checked row can be had: its origin serves it, a fallback does, or it is fetched by hand."""
    return result["status"] in _FINE or result.get("fallback") is not None


def cmd_datasets_sources(args: argparse.Namespace) -> int:
    # Looked up on the package at call time, so tests can point the rows at a local server.
    from nevisbench.cli.datasets import stream_datasets
    from nevisbench.data import sources
    from nevisbench.data.home import DataHome
    from nevisbench.data.spec import list_datasets

    if bool(args.names) == bool(args.stream):
        raise ValueError("name the datasets, or a stream with --stream NAME (not both)")
    names = args.names or stream_datasets(args.stream, None)
    known = set(list_datasets())
    missing = [n for n in names if n not in known] if args.stream else []
    rows = sources.artefact_rows(
        [n for n in names if n not in missing], downloads=DataHome.of(None).downloads
    )
    if not args.check:
        results = [row.as_dict() for row in rows]
    else:
        results = sources.check_sources(rows, timeout=args.timeout, workers=args.workers)
    failing = [r for r in results if args.check and not available(r)]
    if args.json:
        print(json.dumps({"rows": results, "no_handler": missing}, indent=2))
    else:
        _print_table(results, args.check)
        if args.check:
            console.print(f"{len(results) - len(failing)} of {len(results)} raw files can be had "
                          f"(reachable, moved, from a fallback, or fetched by hand)")
    if missing:
        err_console.print(f"[yellow]{len(missing)} dataset(s) of stream {args.stream} have no handler "
                          f"yet:[/yellow] {', '.join(missing)}")
    return 1 if failing else 0


def _print_table(results: list[dict[str, Any]], checked: bool) -> None:
    table = Table(title=f"{len(results)} raw files")
    for column in ("dataset", "file", "kind", "size", *(("status", "fallback") if checked else ()), "source"):
        table.add_column(column)
    for result in results:
        size = "" if result["size"] is None else f"{result['size'] / 2**20:.1f} MiB"
        cells = [result["dataset"], result["file"], result["kind"], size]
        if checked:
            style = _STYLE.get(result["status"], "red")
            fallback = result.get("fallback")
            cells += [f"[{style}]{result['status']}[/{style}]",
                      escape(f"{fallback['via']}: {fallback['url']}") if fallback else ""]
        table.add_row(*(escape(c) if i < 4 else c for i, c in enumerate(cells)), escape(result["url"]))
    console.print(table)


def add_sources_command(datasets: argparse._SubParsersAction) -> None:
    """Adds ``datasets sources`` to the ``datasets`` subcommands."""
    p = datasets.add_parser(
        "sources",
        help="list every raw file's source; --check probes origin and fallbacks",
        description="List every raw file (dataset, file, kind url/drive/kaggle/manual/package, size if "
        "known). With --check, probe each origin and, where it fails, its fallbacks (mirrors, the "
        "Wayback Machine): reachable, moved, gone, needs_login, manual or unreachable. Exit code 0 when "
        "every file is reachable (from its origin or a fallback) or fetched by hand, 1 otherwise.",
    )
    p.add_argument("names", nargs="*", help="dataset ids")
    p.add_argument("--stream", help="every dataset of this stream (all its years)")
    p.add_argument("--check", action="store_true", help="probe origins and fallbacks (network)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per probe (default 15)")
    p.add_argument("--workers", type=int, default=16, help="probes at once (default 16)")
    p.set_defaults(func=cmd_datasets_sources)
