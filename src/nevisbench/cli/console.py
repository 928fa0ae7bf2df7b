"""What the command line prints with: the consoles, the progress bar, error lines and shared phrases."""

from __future__ import annotations

import traceback
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from nevisbench.data.prepare import NoSpaceError
from nevisbench.data.sources import ChecksumError, SourceError
from nevisbench.data.store import StoreError
from nevisbench.files import is_disk_full

# Results go to stdout; progress, notes and errors to stderr, so `> file` keeps only results.
console = Console()
err_console = Console(stderr=True)

# Errors whose message already says what to do: one line, and the traceback only with -v.
# RuntimeError is here because the library's lock and device errors are RuntimeErrors.
USER_ERRORS = (
    KeyError,
    ValueError,
    FileNotFoundError,
    SourceError,
    ChecksumError,
    StoreError,
    RuntimeError,
    NoSpaceError,
    # A path the user gave that cannot be written as asked (e.g. `report -o DIR`).
    IsADirectoryError,
    NotADirectoryError,
    FileExistsError,
    PermissionError,
)

# What to do about an error the operating system raised on a path (its text alone is "[Errno 21] ...").
_PATH_ADVICE = (
    (IsADirectoryError, "is a directory; give a file name"),
    (NotADirectoryError, "a part of this path is a file, not a directory; choose another path"),
    (FileExistsError, "already exists (a file where a directory is needed?); remove it or choose another path"),
    (PermissionError, "permission denied; choose a path you may write, or change its permissions"),
)

# How failed tasks enter a mean error (metrics.stream): the reader must know it beside the number.
FAILED_TASK_ERROR = "counted at error 1.0"


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is the user's to fix (bad input, missing files, a full disk), not a bug to report."""
    return isinstance(error, USER_ERRORS) or is_disk_full(error)


def message(error: BaseException) -> str:
    """The error's text as one rich-safe line: what went wrong and, where the library says it, what to do."""
    if isinstance(error, KeyError) and error.args:
        # KeyError quotes its argument; show the text itself.
        text = str(error.args[0])
    elif isinstance(error, OSError) and error.strerror and error.filename is not None:
        advice = next((a for kind, a in _PATH_ADVICE if isinstance(error, kind)), None)
        if advice is None and is_disk_full(error):
            advice = "no space left on the device; free some space or write elsewhere"
        text = f"{error.filename}: {advice or error.strerror}"
    else:
        text = str(error) or type(error).__name__
    # Escaped: messages are text, not rich markup (e.g. "pip install 'nevisbench[tensorboard]'").
    return escape(text)


def print_error(error: BaseException, *, verbose: bool = False) -> None:
    """Prints ``error: <message>`` on one line; with ``verbose``, its traceback above it."""
    if verbose:
        print_traceback(error)
    # soft_wrap: one line, never a path broken inside a word (the terminal still wraps it).
    err_console.print(f"[red]error:[/red] {message(error)}", soft_wrap=True)


def print_traceback(error: BaseException) -> None:
    """Prints ``error``'s traceback as Python does, so it can be pasted into a bug report."""
    err_console.print("".join(traceback.format_exception(error)), end="", markup=False, highlight=False,
                      soft_wrap=True)


def print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        err_console.print(f"[yellow]note[/yellow]: {escape(note)}")


def progress_bar() -> Progress:
    """A transient progress bar on stderr, so stdout keeps only results."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


def failed_tasks_text(failed: int, tasks: int | None) -> str:
    """``2 of 5 tasks failed, counted at error 1.0``, the note beside a mean error; empty when none failed."""
    if not failed:
        return ""
    of = f" of {tasks}" if tasks else ""
    noun = "task" if (tasks or failed) == 1 else "tasks"
    return f"{failed}{of} {noun} failed, {FAILED_TASK_ERROR}"
