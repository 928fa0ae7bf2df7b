"""The reproducibility table: every learner's runs of a stream over seeds, as mean error, 95% interval and FLOPs.

``results/`` in the repository keeps, per stream, the small files of each run (config, events, provenance,
summary; no weights or predictions) in ``results/<stream>/<learner>_seed<k>/``. Its ``README.md`` is made
from them by :func:`results_markdown` (``python benchmarks/reproduce.py table``), and a test makes it again
and fails if it differs, so the table always says what the kept runs say.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.records import PredictRecord
from nevisbench.reporting.aggregate import SeedGroup, bootstrap_interval, load_groups, task_errors
from nevisbench.reporting.format import format_flops, format_seconds
from nevisbench.reporting.tables import summary_row
from nevisbench.values import TaskKind

# What is kept of a run: enough for results, compare, report and export; weights and predictions are not.
KEPT_FILES = ("config.json", "events.jsonl", "provenance.json", "summary.json")
# The paper's baselines: the best of them is what a new learner is measured against.
BASELINES = ("independent", "previous", "dynamic")
# The options shown as a stream's budget.
BUDGET_OPTIONS = ("backbone", "image_size", "max_steps", "trials", "search", "batch_size")
# `efficient` with one idea turned off at a time (docs/efficient.md); their runs are kept in
# results/ablation/<stream>/<name>/: name → (what it means, settings).
ABLATIONS = {
    "full": ("all ideas (the efficient config)", []),
    "no_input_sizing": ("every task at 32 px", ["options.min_image_size=none"]),
    "no_step_sizing": ("every trial max_steps (2,000) steps", ["options.epochs=none"]),
    "no_hparam_transfer": ("the 2-trial grid on every task", ["options.transfer_hparams=false"]),
    "start_previous": ("start from the previous task's model", ["options.start=previous"]),
    "start_fresh": ("start every task fresh", ["options.start=fresh"]),
    "full_knn": ("the kNN on 10,000 + 5,000 examples",
                 ["options.knn_train_examples=10000", "options.knn_dev_examples=5000"]),
}
ABLATION_FOLDER = "ablation"


def keep_run(workdir: Path, destination: Path) -> None:
    """Copies the kept files of a finished run into ``destination`` (replacing what was there).

    Raises:
        ValueError: the run did not finish (no summary.json).
    """
    workdir = Path(workdir)
    if not (workdir / "summary.json").is_file():
        raise ValueError(f"{workdir} has not finished (no summary.json): run it to the end first")
    destination.mkdir(parents=True, exist_ok=True)
    for name in KEPT_FILES:
        if (workdir / name).is_file():
            shutil.copy2(workdir / name, destination / name)


@dataclasses.dataclass(frozen=True)
class Cell:
    """One learner on one stream over its seeds."""

    group: SeedGroup
    statistics: dict[str, Any]
    total_flops: list[int]
    train_flops: list[int]
    wall_seconds: list[float]

    @property
    def learner(self) -> str:
        return self.group.learner

    @property
    def mean_total_flops(self) -> float:
        return float(np.mean(self.total_flops)) if self.total_flops else float("nan")

    def flops_interval(self) -> tuple[float, float]:
        return bootstrap_interval(self.total_flops) if self.total_flops else (float("nan"), float("nan"))


def stream_cells(folder: Path) -> list[Cell]:
    """The cells of one stream's folder of kept runs, one per learner config, in learner order."""
    runs = sorted(p for p in Path(folder).iterdir() if p.is_dir())
    cells = []
    for group in load_groups(runs):
        rows = [summary_row(run) for run in group.complete]
        cells.append(Cell(group, group.statistics(), [r["total_flops"] for r in rows],
                          [r["train_flops"] for r in rows], [r["wall_seconds"] for r in rows]))
    return cells


def best_baseline(cells: Sequence[Cell]) -> Cell | None:
    """The baseline with the lowest mean error over its seeds (None when no baseline has numbers)."""
    scored = [c for c in cells if c.learner in BASELINES and c.statistics["mean_error"] is not None]
    return min(scored, key=lambda c: c.statistics["mean_error"]) if scored else None


def pareto_verdict(candidate: Cell, baseline: Cell) -> dict[str, Any]:
    """How ``candidate`` stands against ``baseline`` by the project's target for a new learner:
    ≥ 20% lower mean error at ≤ equal total FLOPs, or no higher mean error at ≤ 1/4 of the total
    FLOPs, with the 95% intervals (of the error, or of the FLOPs) not overlapping."""
    a, b = candidate.statistics, baseline.statistics
    error_ratio = a["mean_error"] / b["mean_error"] if b["mean_error"] else float("inf")
    flops_ratio = candidate.mean_total_flops / baseline.mean_total_flops
    errors_apart = a["high"] < b["low"]
    flops_apart = candidate.flops_interval()[1] < baseline.flops_interval()[0]
    lower_error = error_ratio <= 0.8 and flops_ratio <= 1.0 and errors_apart
    cheaper = error_ratio <= 1.0 and flops_ratio <= 0.25 and flops_apart
    return {"candidate": candidate.learner, "baseline": baseline.learner, "error_ratio": error_ratio,
            "flops_ratio": flops_ratio, "error_intervals_apart": errors_apart,
            "flops_intervals_apart": flops_apart, "lower_error_target": lower_error,
            "cheaper_target": cheaper, "met": lower_error or cheaper}


def _budget(cell: Cell) -> str:
    options = cell.group.runs[0].config.get("options", {})
    return ", ".join(f"{k}={options[k]}" for k in BUDGET_OPTIONS if k in options)


def _interval(stats: dict[str, Any]) -> str:
    if stats["mean_error"] is None:
        return "—"
    over = "" if stats["interval_over"] == "seeds" else f" (over {stats['interval_over']})"
    return f"{stats['mean_error']:.4f} [{stats['low']:.4f}, {stats['high']:.4f}]{over}"


def _seeds(cell: Cell) -> str:
    stats = cell.statistics
    text = str(stats["seeds"])
    if stats["missing"]:
        text += f" (missing {', '.join(map(str, stats['missing']))})"
    if stats["partial"]:
        text += f" (unfinished {', '.join(map(str, stats['partial']))})"
    return text


def _headline_datasets(run: Any) -> list[str]:
    """The datasets of ``task_errors(run)``'s values, in the same order."""
    split = run.summary.get("headline_split")
    return [r.dataset for r in run.records if isinstance(r, PredictRecord) and not r.final
            and r.split == split and r.kind is TaskKind.SINGLE_LABEL]


def _task_table(cells: Sequence[Cell]) -> list[str]:
    """Per task: each learner's error averaged over its seeds (headline split, during the stream)."""
    runs = [c.group.complete for c in cells]
    names = next((_headline_datasets(r[0]) for r in runs if r), [])
    lines = ["| # | dataset | " + " | ".join(c.learner for c in cells) + " |",
             "|---|---|" + "---|" * len(cells)]
    per_cell = [np.mean([task_errors(run) for run in complete], axis=0) if complete else None for complete in runs]
    for i, name in enumerate(names):
        values = [f"{errors[i]:.4f}" if errors is not None and i < len(errors) else "—" for errors in per_cell]
        lines.append(f"| {i + 1} | {name} | " + " | ".join(values) + " |")
    return lines


def ablation_cells(folder: Path) -> dict[str, Cell]:
    """The cells of `efficient`'s ablations kept in ``folder`` (one subfolder of seeds per ablation), by name."""
    found = {name: stream_cells(folder / name) for name in ABLATIONS if (folder / name).is_dir()}
    return {name: cells[0] for name, cells in found.items() if cells}


def ablation_lines(cells: dict[str, Cell], baseline: Cell | None) -> list[str]:
    """The table of the ablations' ``cells``, with each one's ratios against ``baseline``."""
    lines = ["| ablation | what | seeds | mean error [95% interval] | total FLOPs | error ratio | FLOPs ratio |",
             "|---|---|---|---|---|---|---|"]
    for name, cell in cells.items():
        if baseline is not None and cell.statistics["mean_error"] is not None:
            v = pareto_verdict(cell, baseline)
            ratios = f"{v['error_ratio']:.3f} | {v['flops_ratio']:.3f}"
        else:
            ratios = "— | —"
        lines.append(f"| {name} | {ABLATIONS[name][0]} | {_seeds(cell)} | {_interval(cell.statistics)} | "
                     f"{format_flops(cell.mean_total_flops if cell.total_flops else None)} | {ratios} |")
    return lines


def results_markdown(root: Path) -> str:
    """The reproducibility table of every stream folder under ``root`` (Markdown, deterministic)."""
    root = Path(root)
    lines = ["# Reproducibility table", "",
             "Generated by `python benchmarks/reproduce.py table` from the runs kept in this folder; do not edit "
             "by hand (`tests/reporting/test_reproducibility.py` regenerates it and fails if it differs). "
             "Made with `python benchmarks/reproduce.py run`. Mean error: the mean over the stream's tasks of the "
             "dev_test error when each task was learned (a failed task counts 1.0), averaged over seeds; "
             "interval: 95% percentile bootstrap over the seeds' means. FLOPs: train + selection + predict, "
             "mean over seeds. Wall: mean per run, on the machine its provenance.json names.", ""]
    total_wall = 0.0
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != ABLATION_FOLDER):
        cells = stream_cells(folder)
        if not cells:
            continue
        first = cells[0].group.runs[0]
        lines += [f"## {folder.name}", "", f"Hardware: {summary_row(first)['hardware']} "
                  f"({first.provenance.get('hardware', {}).get('cpu_capability', '?')}, "
                  f"torch {first.provenance.get('versions', {}).get('torch', '?')}).", "",
                  "| learner | seeds | mean error [95% interval] | total FLOPs | train FLOPs | wall per run | budget |",
                  "|---|---|---|---|---|---|---|"]
        for cell in cells:
            wall = float(np.mean(cell.wall_seconds)) if cell.wall_seconds else None
            total_wall += sum(cell.wall_seconds)
            lines.append(f"| {cell.learner} | {_seeds(cell)} | {_interval(cell.statistics)} | "
                         f"{format_flops(cell.mean_total_flops if cell.total_flops else None)} | "
                         f"{format_flops(float(np.mean(cell.train_flops)) if cell.train_flops else None)} | "
                         f"{format_seconds(wall)} | {_budget(cell)} |")
        lines += ["", *_task_table(cells), ""]
        baseline = best_baseline(cells)
        for cell in cells:
            if baseline is None or cell.learner in BASELINES or cell.statistics["mean_error"] is None:
                continue
            v = pareto_verdict(cell, baseline)
            lines += [f"{cell.learner} against the best baseline ({baseline.learner}): mean error × "
                      f"{v['error_ratio']:.3f}, total FLOPs × {v['flops_ratio']:.3f}; error intervals "
                      f"{'apart' if v['error_intervals_apart'] else 'overlap'}, FLOPs intervals "
                      f"{'apart' if v['flops_intervals_apart'] else 'overlap'}: target "
                      f"{'met' if v['met'] else 'not met'} (≥ 20% lower error at ≤ equal FLOPs, or no higher "
                      f"error at ≤ 1/4 of the FLOPs).", ""]
        ablations = ablation_cells(root / ABLATION_FOLDER / folder.name)
        if ablations:
            lines += [f"### `efficient` with one idea off, on {folder.name}", "",
                      f"Made with `python benchmarks/reproduce.py ablation --stream {folder.name}`; ratios against "
                      f"the best baseline ({baseline.learner if baseline else 'none'}); docs/efficient.md.", "",
                      *ablation_lines(ablations, baseline), ""]
            total_wall += sum(sum(c.wall_seconds) for c in ablations.values())
    lines += [f"Cost of the whole table: {format_seconds(total_wall)} of wall time, run after run.", ""]
    return "\n".join(lines)
