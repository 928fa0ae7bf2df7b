"""`nevisbench datasets ...`: list, describe, prepare, verify and catalogue the registered datasets."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from nevisbench.cli import arguments
from nevisbench.cli.console import (
    USER_ERRORS,
    console,
    err_console,
    message,
    print_traceback,
    progress_bar,
)
from nevisbench.cli.sources import add_sources_command


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
    from nevisbench.files import write_atomic
    from nevisbench.reporting.catalog import render_markdown

    text = render_markdown()
    if args.output:
        # Atomic: a failed write never leaves half a catalogue where the old one was.
        write_atomic(Path(args.output), text.encode())
        console.print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def cmd_datasets_info(args: argparse.Namespace) -> int:
    from nevisbench.data.meta import non_reference
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
        for filename, where in meta.get("served_from", {}).items():
            table.add_row(f"served {filename}", f"{where.get('via', 'unknown')}: {where.get('source', '')}")
        kept = non_reference(meta)
        table.add_row("non_reference", ", ".join(kept) + " (not paper-comparable)" if kept else "none")
    else:
        table.add_row("store", f"not prepared: `nevisbench datasets prepare {spec.id}`")
    console.print(table)
    return 0


def stream_datasets(name: str, stop_year: int | None) -> list[str]:
    """The datasets of stream ``name``'s rows before ``stop_year``, first occurrences in stream order."""
    from nevisbench.streams.table import get_stream

    spec = get_stream(name)
    return list(dict.fromkeys(row.dataset for row in spec.rows_before(stop_year)))


def prepare_many(
    names: Sequence[str],
    *,
    from_dir: Path | None,
    resolution: int,
    force: bool,
    mirror: str | None = None,
    verbose: bool = False,
    accept_checksum: Sequence[str] = (),
) -> int:
    """Prepares each dataset, going on past failures; returns the number that failed.

    With ``verbose``, each failure's traceback is printed above its line.
    """
    from nevisbench.data.prepare import prepare_dataset
    from nevisbench.data.spec import get_dataset, list_datasets

    known = set(list_datasets())
    failed = 0
    with progress_bar() as progress:
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
                    accept_checksum=accept_checksum,
                )
            except USER_ERRORS as error:
                failed += 1
                progress.remove_task(task)
                if verbose:
                    print_traceback(error)
                err_console.print(f"[red]✗ {name}[/red]: {message(error)}")
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
    names = args.names or stream_datasets(args.stream, args.stop_year)
    known = set(list_datasets())
    missing = [n for n in names if n not in known] if args.stream else []
    failed = prepare_many(
        [n for n in names if n not in missing],
        from_dir=args.from_dir,
        mirror=args.mirror,
        resolution=args.resolution,
        force=args.force,
        verbose=args.verbose,
        accept_checksum=args.accept_checksum,
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


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``datasets list|doc|info|prepare|verify``."""
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
        type=arguments.year,
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
        type=arguments.resolution,
        default=96,
        help="side of stored images when they do not share one size ≤ it (default 96)",
    )
    p.add_argument("--force", action="store_true", help="convert again even if prepared")
    p.add_argument(
        "--accept-checksum",
        action="append",
        default=[],
        metavar="NAME:FILE",
        help="keep raw file FILE of dataset NAME although its checksum differs from the reference "
        "(re-packed by its owners; repeatable); runs on it are marked not paper-comparable",
    )
    p.set_defaults(func=cmd_datasets_prepare)
    add_sources_command(datasets)
    p = datasets.add_parser("verify", help="recheck store files against meta.json")
    p.add_argument("names", nargs="+")
    p.set_defaults(func=cmd_datasets_verify)
