"""A self-contained HTML report of one or more runs: tables, embedded figures, config and provenance.

The page has no external resource (figures are base64 PNGs in ``img`` tags, the style is inline), so it
opens offline and can be mailed as one file. The figures are also written beside it as PNG and SVG.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from nevisbench import __version__
from nevisbench.files import write_atomic
from nevisbench.records import Record
from nevisbench.reporting.continual import continual_lines
from nevisbench.reporting.format import format_gflops_rate, format_images_rate, format_mfu
from nevisbench.reporting.plots import figures, save_figure
from nevisbench.reporting.tables import (
    RunData,
    format_flops,
    format_rate,
    format_seconds,
    load_run,
    load_runs,
    notes,
    summary_row,
    task_rows,
)

log = logging.getLogger(__name__)

CAPTIONS = {
    "error_vs_flops": "Mean error against cumulative train FLOPs (log scale). Each run's faint line is its "
    "path along the stream (one point per learned task); its large marker is where it ended (hollow: a "
    "partial run). The dashed staircase is the Pareto front: no run has a lower error for fewer FLOPs.",
    "error_along_stream": "Error of each task when it was learned, at its position in the stream "
    "(year and dataset), one line per run. Gaps: tasks not run yet, or failed.",
    "reevaluation": "The end-of-stream re-evaluation: each task's error when learned (hollow) and when "
    "evaluated again after the last task (filled). A line going up is forgetting. A task trained again later "
    "in the stream is re-evaluated at its last position only.",
}

_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px 32px;
       color: #1a1a1a; max-width: 1500px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px;
     border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 15px; margin-top: 20px; }
.meta { color: #555; margin-top: 0; }
.notes { background: #fff8e1; border: 1px solid #f0c36d; padding: 8px 12px 8px 28px; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #d6d6d6; padding: 4px 8px; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.config { min-width: 200px; max-width: 320px; } td.config code { font-size: 12px; }
td.text { max-width: 150px; }
tr.partial td { background: #fff8e1; } tr.muted td { color: #888; }
.worse { color: #b00020; } .better { color: #007a3d; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e6f4ea; }
.badge.partial, .badge.running { background: #fde7b0; }
figure { margin: 16px 0 28px; } figure img { max-width: 100%; border: 1px solid #e2e2e2; }
figcaption { color: #444; max-width: 1000px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
pre { background: #f7f7f7; border: 1px solid #e2e2e2; padding: 8px; font-size: 12px; overflow-x: auto; }
"""


@dataclasses.dataclass(frozen=True)
class Report:
    """What ``write_report`` wrote.

    Attributes:
        html: the report file.
        figures: the PNG and SVG files written beside it.
        notes: what a reader must know (partial runs, unreadable lines, mixed streams).
        runs: the runs as read.
    """

    html: Path
    figures: list[Path]
    notes: list[str]
    runs: list[RunData]


def _cell(value: Any, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{escape(str(value))}</td>"


def _table(table_id: str, headers: Sequence[str], rows: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (f'<div class="wide"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _cost(row: dict[str, Any]) -> str:
    return (f"train {format_flops(row['train_flops'])}, total {format_flops(row['total_flops'])}, "
            f"wall {format_seconds(row['wall_seconds'])} on {row['hardware']}, seeds {row['seeds']}")


def _summary_table(runs: Sequence[RunData]) -> str:
    # Learner and config share a cell, and text cells wrap, so that the table fits a laptop screen.
    headers = ("run", "status", "stream", "learner and config", "split", "mean error",
               "example-weighted error", "mean mAP", "train FLOPs", "total FLOPs", "wall time",
               "hardware", "seeds", "tasks")
    rows = []
    for number, run in enumerate(runs):
        row = summary_row(run)
        badge = "complete" if run.complete else ("running" if run.running else "partial")
        tasks = f"{row['tasks_done']}" + (f" / {row['tasks_planned']}" if row["tasks_planned"] else "")
        rows.append(
            f'<tr data-run="{number}" class="{"" if run.complete else "partial"}">'
            + f'<td><a href="#run-{number}">{escape(row["run"])}</a></td>'
            + f'<td><span class="badge {badge}">{escape(row["status"])}</span></td>'
            + _cell(row["stream"])
            + f'<td class="config"><b>{escape(row["learner"])}</b><br><code>{escape(row["config"])}</code></td>'
            + _cell(row["split"] or "—")
            + _cell(format_rate(row["mean_error"]), "num") + _cell(format_rate(row["weighted_error"]), "num")
            + _cell(format_rate(row["mean_map"]), "num") + _cell(format_flops(row["train_flops"]), "num")
            + _cell(format_flops(row["total_flops"]), "num") + _cell(format_seconds(row["wall_seconds"]), "num")
            + _cell(row["hardware"], "text") + _cell(row["seeds"]) + _cell(tasks, "num")
            + "</tr>"
        )
    return _table("summary-table", headers, rows)


def _tasks_table(number: int, run: RunData) -> str:
    headers = ("#", "year", "dataset", "classes", "train size", "status", "error", "mAP", "dev error",
               "train FLOPs", "all FLOPs", "wall time", "images/s", "GFLOP/s", "MFU", "init / chosen source")
    rows = []
    for row in task_rows(run):
        css = "muted" if row["status"] == "not run" else ""
        rows.append(
            f'<tr class="{css}">' + _cell(row["index"], "num") + _cell(row["year"], "num")
            + _cell(row["dataset"]) + _cell(row["classes"] if row["classes"] is not None else "—", "num")
            + _cell(row["train_examples"] if row["train_examples"] is not None else "—", "num")
            + _cell(row["status"]) + _cell(format_rate(row["error"]), "num")
            + _cell(format_rate(row["map"]), "num") + _cell(format_rate(row["dev_error"]), "num")
            + _cell(format_flops(row["train_flops"]), "num") + _cell(format_flops(row["flops"]), "num")
            + _cell(format_seconds(row["wall_seconds"]), "num")
            + _cell(format_images_rate(row["images_per_second"]), "num")
            + _cell(format_gflops_rate(row["flops_per_second"]), "num") + _cell(format_mfu(row["mfu"]), "num")
            + _cell(row["init"] or "—")
            + "</tr>"
        )
    return _table(f"tasks-{number}", headers, rows)


def _change(learned: float | None, end: float | None) -> str:
    if learned is None or end is None:
        return "<td>—</td>"
    delta = end - learned
    css = "worse" if delta > 5e-5 else "better" if delta < -5e-5 else ""
    return f'<td class="num {css}">{delta:+.4f}</td>'


def _reevaluation_table(number: int, run: RunData) -> str:
    rows = [row for row in task_rows(run) if row["has_final"]]
    if not rows:
        return ("<p>Not reached: the run has not re-evaluated its tasks at the end of the stream"
                + (" (it is partial)." if not run.complete else " (final_evaluation is off).") + "</p>")
    headers = ("#", "year", "dataset", "error when learned", "error at the end", "change",
               "mAP when learned", "mAP at the end")
    body = [
        "<tr>" + _cell(row["index"], "num") + _cell(row["year"], "num") + _cell(row["dataset"])
        + _cell(format_rate(row["error"]), "num") + _cell(format_rate(row["final_error"]), "num")
        + _change(row["error"], row["final_error"])
        + _cell(format_rate(row["map"]), "num") + _cell(format_rate(row["final_map"]), "num") + "</tr>"
        for row in rows
    ]
    return _table(f"reevaluation-{number}", headers, body)


def _run_section(number: int, run: RunData, baseline: Sequence[Record] | None = None) -> str:
    row = summary_row(run)
    parts = [
        f'<section class="run" id="run-{number}"><h2>{escape(run.label)}: {escape(run.learner)} on '
        f"{escape(row['stream'])} <small>({escape(run.status)})</small></h2>",
        f"<p>{escape(str(run.path))} · cost: {escape(_cost(row))}</p>",
    ]
    if run.bad_lines:
        items = "".join(f"<li>line {n}: {escape(why)}</li>" for n, why in run.bad_lines)
        parts.append(f'<h3>Unreadable lines of events.jsonl (skipped)</h3><ul class="notes">{items}</ul>')
    parts += [
        f"<h3>Tasks (error and mAP on {escape(str(row['split']))} when learned)</h3>",
        _tasks_table(number, run),
        "<p>Images/s, GFLOP/s and MFU: training throughput, the mean over the task's trials (train FLOPs "
        "and images over train wall-clock; MFU against the device's dense peak, when known, in "
        "provenance.json). — : not recorded.</p>",
        "<h3>End-of-stream re-evaluation</h3>",
        _reevaluation_table(number, run),
        "<h3>Continual-learning metrics</h3>",
        f'<ul class="continual" id="continual-{number}">'
        + "".join(f"<li>{escape(line)}</li>" for line in continual_lines(run.records, baseline)) + "</ul>",
        '<div class="pair"><div><h3>Configuration (config.json)</h3>'
        f"<pre>{escape(json.dumps(run.config, indent=2))}</pre></div>"
        "<div><h3>Provenance (provenance.json)</h3>"
        f"<pre>{escape(json.dumps(run.provenance, indent=2))}</pre></div></div>",
        "</section>",
    ]
    return "\n".join(parts)


def seeds_html(groups: Sequence[Any]) -> str:
    """The table of seed groups (``aggregate.SeedGroup``): mean error, 95% interval, seeds averaged,
    missing and partial; empty without groups."""
    if not groups:
        return ""
    rows = []
    for group in groups:
        stats = group.statistics()
        interval = ("—" if stats["low"] is None else f"{format_rate(stats['low'])} – {format_rate(stats['high'])}"
                    + ("" if stats["interval_over"] == "seeds" else " (over tasks, 1 seed)"))
        rows.append("<tr>" + _cell(group.label) + _cell(group.learner) + _cell(format_rate(stats["mean_error"]), "num")
                    + _cell(interval, "num") + _cell(str(stats["seeds"]), "num")
                    + _cell(", ".join(map(str, stats["missing"])) or "—")
                    + _cell(", ".join(map(str, stats["partial"])) or "—") + "</tr>")
    table = _table("seeds-table", ("runs", "learner", "mean error", "95% interval", "seeds averaged",
                                   "missing seeds", "partial seeds"), rows)
    return (f'<section id="seeds"><h2>Seeds</h2>{table}<p>Runs differing only in their seed, averaged; the '
            "interval is a percentile bootstrap over seeds (10,000 resamples). Missing and partial seeds are "
            "not averaged in.</p></section>")


def render_html(runs: Sequence[RunData], pngs: dict[str, bytes], report_notes: Sequence[str],
                seeds: str = "", baseline: Sequence[Record] | None = None) -> str:
    """The report page: notes, summary table, figures (``pngs`` by name, embedded), one section per run;
    ``seeds`` (``seeds_html``) after the summary; forward transfer against ``baseline``'s records."""
    labels = ", ".join(run.label for run in runs)
    costs = "; ".join(f"{run.label}: {_cost(summary_row(run))}" for run in runs)
    figures_html = "".join(
        f'<figure id="figure-{name}"><img data-figure="{name}" alt="{escape(CAPTIONS[name])}" '
        f'src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        f"<figcaption>{escape(CAPTIONS[name])}</figcaption></figure>"
        for name, data in pngs.items()
    )
    if "reevaluation" not in pngs:
        figures_html += "<p>No run has reached its end-of-stream re-evaluation yet.</p>"
    notes_html = (
        '<section id="notes"><h2>Notes</h2><ul class="notes">'
        + "".join(f"<li>{escape(note)}</li>" for note in report_notes) + "</ul></section>"
        if report_notes else ""
    )
    split = next((r.summary.get("headline_split") for r in runs if r.summary.get("headline_split")), None)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nevisbench report: {escape(labels)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>nevisbench report</h1>
<p class="meta">{len(runs)} run(s): {escape(labels)} · generated {escape(time.strftime("%Y-%m-%d %H:%M %Z"))}
by nevisbench {escape(__version__)}</p>
{notes_html}
<section id="summary"><h2>Summary</h2>
{_summary_table(runs)}
<p>Errors are means over the tasks' during-stream predictions of {escape(str(split))} (single-label tasks;
example-weighted: all their examples pooled); mAP is the mean over multi-label tasks. FLOPs count
1 multiply-add as 2; train = every step of every trial, total adds selection and prediction.</p>
</section>
{seeds}
<section id="figures"><h2>Figures</h2>
<p>Cost of the runs drawn: {escape(costs)}.</p>
{figures_html}
</section>
{"".join(_run_section(number, run, baseline) for number, run in enumerate(runs))}
</body></html>
"""


def write_report(run_dirs: Sequence[Path], output: Path, baseline: Path | None = None) -> Report:
    """Reads the runs, writes the HTML report to ``output`` and each figure beside it as
    ``<stem>_<figure>.png`` and ``.svg``; forward transfer is against the ``baseline`` run, when given.

    Raises:
        FileNotFoundError: a path is not a run directory.
        ValueError: no run directory is given.
    """
    from nevisbench.reporting.aggregate import expand, interval_points, load_groups

    groups = load_groups([Path(p) for p in run_dirs])
    grouped = [g for g in groups if len(g.runs) > 1 or g.missing]
    runs = load_runs(expand([Path(p) for p in run_dirs]))
    report_notes = notes(runs)
    # Info, not warning: the notes are returned and shown in the page; the CLI prints them.
    for note in report_notes:
        log.info("%s", note)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pngs: dict[str, bytes] = {}
    for name, figure in figures(runs, interval_points(grouped)).items():
        paths = save_figure(figure, output.with_name(f"{output.stem}_{name}"))
        written += paths
        pngs[name] = paths[0].read_bytes()
    base = load_run(Path(baseline)).records if baseline is not None else None
    write_atomic(output, render_html(runs, pngs, report_notes, seeds_html(grouped), base).encode())
    return Report(html=output, figures=written, notes=report_notes, runs=runs)
