"""The continual-learning metrics of a run as short lines of text, for `results` and the HTML report."""

from __future__ import annotations

from collections.abc import Sequence

from nevisbench.metrics.continual import continual_summary
from nevisbench.records import Record
from nevisbench.reporting.format import format_flops


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.4f}"


def continual_lines(records: Sequence[Record], baseline: Sequence[Record] | None = None) -> list[str]:
    """Forgetting and backward transfer, forward transfer (with a ``baseline`` run's records), error at
    train-FLOPs budgets and the normalised error-vs-log-FLOPs area, one line each."""
    summary = continual_summary(records, baseline)
    lines = [
        f"forgetting (final − learned error, mean over {len(summary['forgetting'])} re-evaluated tasks) "
        f"{_signed(summary['mean_forgetting'])} · backward transfer {_signed(summary['backward_transfer'])}",
    ]
    if baseline is not None:
        forward = summary["forward_transfer"]
        lines.append(f"forward transfer (baseline − this error, mean over {len(forward)} tasks) "
                     f"{_signed(summary['mean_forward_transfer'])}")
    budgets = summary["error_at_budgets"]
    if budgets:
        lines.append("error at train budget: " + " · ".join(
            f"≤{format_flops(budget)} {'—' if error is None else f'{error:.4f}'}" for budget, error in budgets.items()))
    area = summary["error_flops_area"]
    lines.append("error-vs-log-FLOPs area (normalised; lower is better) "
                 + ("—" if area is None else f"{area:.4f}"))
    return lines
