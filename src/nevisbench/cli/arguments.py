"""Argument types shared by several commands: each turns bad text into argparse's usage error."""

from __future__ import annotations

import argparse


def year(text: str) -> int:
    """A year such as 2020 (``--stop-year``)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--stop-year must be a year such as 2020, got {text!r}"
        ) from None


def resolution(text: str) -> int:
    """A store resolution, checked against the store's bounds."""
    from nevisbench.data.store import check_resolution

    try:
        return check_resolution(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    """An integer of at least 1 (a batch size, a step count)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def logger_names(text: str) -> list[str]:
    """A comma-separated list of experiment loggers (``run --log``)."""
    from nevisbench.reporting.loggers import parse_names

    try:
        return parse_names(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
