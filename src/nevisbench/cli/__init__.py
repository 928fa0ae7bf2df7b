"""The `nevisbench` command line: thin subcommands over the library; the only package that prints."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from nevisbench.cli import catalog, datasets, pretrain, reports, run, streams, sweep
from nevisbench.cli.console import err_console, is_user_error, message, print_error, print_traceback


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each noun's module adds its own subcommands."""
    parser = argparse.ArgumentParser(prog="nevisbench", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log progress details, and show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True)
    datasets.add_commands(commands)
    streams.add_commands(commands)
    catalog.add_commands(commands)
    run.add_commands(commands)
    pretrain.add_commands(commands)
    reports.add_commands(commands)
    sweep.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command ``argv`` (default: the process's arguments) and returns its exit code.

    Exit codes: 0 done; 1 some work failed (e.g. a dataset that did not prepare), or a bug (its
    traceback is printed); 2 a user error (one line saying what to do; its traceback with -v);
    130 interrupted by Ctrl-C; 143 terminated by SIGTERM (`run`).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except KeyboardInterrupt as error:
        if args.verbose:
            print_traceback(error)
        err_console.print("interrupted; run the same command again to continue")
        return 130
    except Exception as error:
        if is_user_error(error):
            print_error(error, verbose=args.verbose)
            return 2
        # Not the user's to fix: the traceback always, and where to send it.
        print_traceback(error)
        err_console.print(f"[red]error:[/red] unexpected {type(error).__name__}: {message(error)}. This is a bug "
                          "in nevisbench; please report it with the command and the traceback above.",
                          soft_wrap=True)
        return 1
