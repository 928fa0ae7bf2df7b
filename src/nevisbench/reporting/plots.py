"""Report figures: error against train FLOPs with the Pareto front, error along the stream, and the end-of-stream re-evaluation.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot: no display and no global
backend switch in the caller's process, and ``savefig`` renders with Agg (PNG) or the SVG backend.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from nevisbench.reporting.tables import (
    RunData,
    TaskPosition,
    common_positions,
    format_flops,
    same_stream,
    task_rows,
    task_score,
)

# Colour-blind-safe (Okabe–Ito) colours, with a marker per run so that print in grey still separates runs.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# PNGs at 110 dpi: sharp on screen, and an 8-inch-wide figure stays well under 200 kB.
PNG_DPI = 110


def style(number: int) -> dict[str, Any]:
    """The colour and marker of the ``number``-th run, the same in every figure."""
    return {"color": COLOURS[number % len(COLOURS)], "marker": MARKERS[number % len(MARKERS)]}


def _run_name(run: RunData) -> str:
    partial = "" if run.complete else " (partial)"
    # "runs/demo_independent: independent" says the learner twice; name it once.
    learner = "" if run.learner in run.label else f": {run.learner}"
    return f"{run.label}{learner}{partial}"


def _rows_at(run: RunData, positions: Sequence[TaskPosition]) -> list[dict[str, Any] | None]:
    by_position = {row["position"]: row for row in task_rows(run)}
    return [by_position.get(p) for p in positions]


# ---------------------------------------------------------------------------- error vs FLOPs


def flops_trajectory(run: RunData, positions: Sequence[TaskPosition]) -> list[tuple[float, float]]:
    """(train FLOPs so far, mean error so far) after each learned single-label task among ``positions``.

    The last point is the run's place on the error-vs-compute chart; over all of a stream's positions it
    equals ``summary_row``'s train FLOPs and mean error.
    """
    rows = task_rows(run)
    keep = set(positions)
    # Over the whole stream the runner's own running total is used, so that a task whose train record
    # is unreadable still counts; over a subset, only the subset's own train FLOPs are added up.
    whole = keep >= {row["position"] for row in rows}
    flops, errors, points = 0, [], []
    for row in rows:
        if row["position"] not in keep:
            continue
        if row["kind"] == "single_label" and row["error"] is not None:
            errors.append(row["error"])
        if row["train_flops"] is None:  # no train record (not run yet, or unreadable): no new point
            continue
        flops = (row["cumulative_train_flops"] or 0) if whole else flops + row["train_flops"]
        if errors and flops > 0:  # a log axis has no place for 0 FLOPs
            points.append((float(flops), sum(errors) / len(errors)))
    return points


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both FLOPs and error (ties kept), by FLOPs."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1]))
    front, best = [], math.inf
    for i in order:
        if points[i][1] < best or (front and points[i] == points[front[-1]]):
            front.append(i)
            best = min(best, points[i][1])
    return front


def _log_limits(values: Sequence[float]) -> tuple[float, float]:
    """Whole decades around the values, so that at least two labelled ticks are always in view."""
    low = 10 ** math.floor(math.log10(min(values) / 1.5))
    high = 10 ** math.ceil(math.log10(max(values) * 1.5))
    return low, high


def _flops_tick(value: float, _position: Any) -> str:
    # "10 G", "1 T": the unit is in the axis label.
    return format_flops(value).removesuffix("FLOPs").strip()


def plot_error_vs_flops(runs: Sequence[RunData], intervals: Sequence[dict[str, Any]] = ()) -> Figure:
    """Mean error against cumulative train FLOPs: each run's path along the stream, its end point, and
    the Pareto front of the end points (lower error for fewer FLOPs).

    Args:
        runs: the runs drawn.
        intervals: for runs grouped over seeds, ``{"label", "train_flops", "mean_error", "low", "high",
            "seeds"}`` each: drawn as the group's mean with its 95% interval as an error bar.
    """
    shared = same_stream(runs)
    positions = common_positions(runs)
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.subplots()
    ends, finished = [], []
    for number, run in enumerate(runs):
        points = flops_trajectory(run, positions)
        if not points:
            continue
        look = style(number)
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, color=look["color"], linewidth=1.2, alpha=0.45, marker=".", markersize=5)
        axes.plot(xs[-1], ys[-1], linestyle="none", marker=look["marker"], markersize=11,
                  color=look["color"], markerfacecolor=look["color"] if run.complete else "white",
                  markeredgewidth=2, label=_run_name(run), zorder=3)
        ends.append(points[-1])
        finished.append(run.complete)
    if not ends:
        axes.text(0.5, 0.5, "no run has a learned task with FLOPs yet", ha="center", va="center",
                  transform=axes.transAxes, fontsize=12)
        axes.set_axis_off()
        return figure
    # A partial run has done fewer tasks for fewer FLOPs: it joins the front only when no run is complete.
    candidates = [e for e, done in zip(ends, finished, strict=True) if done] or ends
    front = [candidates[i] for i in pareto_front(candidates)]
    if len(ends) > 1:
        fx, fy = zip(*front, strict=True)
        which = "complete runs" if any(finished) else "partial runs"
        # The front as a staircase: from each optimal point the error holds until the next one's FLOPs.
        axes.step(fx, fy, where="post", color="0.35", linestyle="--", linewidth=1.2, zorder=2)
        axes.plot(fx, fy, linestyle="none", marker="o", markersize=20, markerfacecolor="none",
                  markeredgecolor="0.35", markeredgewidth=1.2, zorder=2)
        # One legend entry for staircase and rings: a front of one run is a ring without a line.
        axes.plot([], [], color="0.35", linestyle="--", marker="o", markersize=12, markerfacecolor="none",
                  label=f"Pareto front of {which}")
    for number, point in enumerate(intervals):
        mean = point["mean_error"]
        axes.errorbar([point["train_flops"]], [mean], yerr=[[mean - point["low"]], [point["high"] - mean]],
                      fmt="D", color="black", ecolor=style(number)["color"], elinewidth=2.5, capsize=7,
                      markersize=6, zorder=4, label=f"{point['label']}: mean of {point['seeds']} seeds, 95% interval")
    axes.set_xscale("log")
    every_x = [x for run in runs for x, _ in flops_trajectory(run, positions)]
    axes.set_xlim(*_log_limits(every_x))
    axes.xaxis.set_major_locator(LogLocator(base=10))
    axes.xaxis.set_major_formatter(FuncFormatter(_flops_tick))
    axes.xaxis.set_minor_formatter(NullFormatter())
    every_y = [y for run in runs for _, y in flops_trajectory(run, positions)]
    top = min(1.03, max(every_y) * 1.15 + 0.02)
    axes.set_ylim(-0.03 * top, top)  # below 0: a run with error 0 is drawn whole
    split = runs[0].summary.get("headline_split") or "predict split"
    scope = "all tasks so far" if shared else f"the {len(positions)} tasks common to all runs"
    axes.set_xlabel("cumulative train FLOPs (log scale; G = 10⁹, T = 10¹²)")
    axes.set_ylabel(f"mean error on {split}\n({scope})")
    axes.set_title("Error vs train compute (faint lines: the path along the stream)")
    axes.grid(True, which="major", alpha=0.3)
    axes.grid(True, which="minor", axis="x", alpha=0.1)
    _legend_below(figure, axes.get_legend_handles_labels()[0], 3)
    return figure


# ---------------------------------------------------------------------------------- along the stream


def _stream_axis(axes: Any, positions: Sequence[TaskPosition]) -> None:
    """x ticks labelled ``year dataset``, thinned so that labels never overlap on long streams."""
    step = max(1, math.ceil(len(positions) / 40))
    ticks = list(range(0, len(positions), step))
    axes.set_xticks(ticks)
    axes.set_xticklabels([f"{positions[i][0]} {positions[i][1]}" for i in ticks], rotation=35,
                         ha="right", rotation_mode="anchor", fontsize=9)
    axes.set_xlim(-0.5, len(positions) - 0.5)
    axes.set_xlabel("stream position (year, dataset)")


def _width(positions: Sequence[TaskPosition]) -> float:
    # Room for each label; capped, because labels are thinned to 40 anyway.
    return min(20.0, max(8.0, 0.32 * min(len(positions), 40) + 4))


def _legend_below(figure: Figure, handles: list[Any], count: int) -> None:
    # Outside the axes, under the x labels: on a stream chart the lines fill the whole 0–1 range,
    # so no corner of the axes is reliably free.
    figure.legend(handles=handles, loc="outside lower center", ncols=min(count, 3), fontsize=9,
                  frameon=False, markerscale=0.8)


def _has_multi_label(runs: Sequence[RunData], positions: Sequence[TaskPosition]) -> bool:
    return any(row is not None and row["kind"] == "multi_label"
               for run in runs for row in _rows_at(run, positions))


def plot_error_along_stream(runs: Sequence[RunData]) -> Figure:
    """The error of each task when it was learned, along the stream, one line per run."""
    positions = common_positions(runs)
    figure = Figure(figsize=(_width(positions), 5), layout="constrained")
    axes = figure.subplots()
    for number, run in enumerate(runs):
        values = [task_score(row) if row else None for row in _rows_at(run, positions)]
        ys = [math.nan if v is None else v for v in values]  # NaN: a gap for tasks not run or failed
        look = style(number)
        axes.plot(range(len(ys)), ys, label=_run_name(run), linewidth=1.6, markersize=7, **look)
    _stream_axis(axes, positions)
    split = runs[0].summary.get("headline_split") or "predict split"
    axes.set_ylim(-0.03, 1.03)
    multi = " (multi-label tasks: 1 − mAP)" if _has_multi_label(runs, positions) else ""
    axes.set_ylabel(f"error on {split} when learned{multi}")
    scope = "" if same_stream(runs) else f" — the {len(positions)} tasks common to all runs"
    axes.set_title(f"Error along the stream{scope}")
    axes.grid(True, alpha=0.3)
    _legend_below(figure, axes.get_legend_handles_labels()[0], len(runs))
    return figure


def plot_reevaluation(runs: Sequence[RunData]) -> Figure | None:
    """Each task's error when learned (hollow) and at the end of the stream (filled), joined by a line;
    None when no run has reached its end-of-stream re-evaluation."""
    positions = common_positions(runs)
    rows = [_rows_at(run, positions) for run in runs]
    if not any(row and row["has_final"] for run_rows in rows for row in run_rows):
        return None
    figure = Figure(figsize=(_width(positions), 5), layout="constrained")
    axes = figure.subplots()
    # Runs side by side within a position, so that equal errors of two runs do not hide each other.
    spread = 0.5 / max(1, len(runs))
    for number, run_rows in enumerate(rows):
        look = style(number)
        offset = (number - (len(runs) - 1) / 2) * spread
        for x, row in enumerate(run_rows):
            if row is None or not row["has_final"]:
                continue
            learned, end = task_score(row), task_score(row, final=True)
            if learned is None or end is None:
                continue
            axes.plot([x + offset] * 2, [learned, end], color=look["color"], linewidth=1.5)
            # A large hollow marker around a small filled one: an unchanged error still shows both.
            axes.plot(x + offset, learned, linestyle="none", marker=look["marker"], markersize=11,
                      color=look["color"], markerfacecolor="none", markeredgewidth=1.5)
            axes.plot(x + offset, end, linestyle="none", marker=look["marker"], markersize=5,
                      color=look["color"])
    # A task trained again later has its re-evaluation at the later position; say so at the earlier one.
    for x, (_, dataset, _) in enumerate(positions):
        later = any(d == dataset for _, d, _ in positions[x + 1:])
        if later and not any(run_rows[x] and run_rows[x]["has_final"] for run_rows in rows):
            axes.text(x, 0.5, "trained again later:\nre-evaluated there", ha="center", va="center",
                      fontsize=8, color="0.45", rotation=90)
    handles = [Line2D([], [], linestyle="none", markersize=8, label=_run_name(run), **style(n))
               for n, run in enumerate(runs)]
    handles += [Line2D([], [], linestyle="none", marker="o", markersize=11, color="0.3",
                       markerfacecolor="none", markeredgewidth=1.5, label="when learned"),
                Line2D([], [], linestyle="none", marker="o", markersize=5, color="0.3",
                       label="at the end of the stream")]
    _stream_axis(axes, positions)
    split = runs[0].summary.get("headline_split") or "predict split"
    axes.set_ylim(-0.03, 1.03)
    axes.set_ylabel(f"error on {split}")
    axes.set_title("End-of-stream re-evaluation: error when learned → at the end")
    axes.grid(True, alpha=0.3)
    _legend_below(figure, handles, len(handles))
    return figure


# ------------------------------------------------------------------------------------------ output


def figures(runs: Sequence[RunData], intervals: Sequence[dict[str, Any]] = ()) -> dict[str, Figure]:
    """Every report figure by file stem (a figure without data is left out); ``intervals`` as
    ``plot_error_vs_flops`` takes them."""
    out = {
        "error_vs_flops": plot_error_vs_flops(runs, intervals),
        "error_along_stream": plot_error_along_stream(runs),
    }
    reevaluation = plot_reevaluation(runs)
    if reevaluation is not None:
        out["reevaluation"] = reevaluation
    return out


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG (no timestamp or software tag, so the same runs give the same bytes)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def save_figure(figure: Figure, stem: Path) -> list[Path]:
    """Writes ``stem.png`` and ``stem.svg``; returns their paths."""
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    png.write_bytes(png_bytes(figure))
    # Date=None: no creation date in the SVG, so regenerating it gives the same file.
    figure.savefig(svg, format="svg", metadata={"Date": None})
    return [png, svg]
