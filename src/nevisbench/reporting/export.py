"""Per-task rows of runs as a table file: CSV always, Parquet when pyarrow is installed."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nevisbench.files import write_atomic
from nevisbench.reporting.aggregate import expand
from nevisbench.reporting.runs import RunData, load_runs
from nevisbench.reporting.tables import task_rows

COLUMNS = ("run", "seed", "learner", "stream", "run_status", "task", "year", "dataset", "kind", "classes",
           "status", "error", "final_error", "map", "final_map", "dev_error", "train_flops", "flops",
           "cumulative_train_flops", "wall_seconds", "train_examples", "images_per_second", "flops_per_second",
           "mfu", "init", "path")


def export_rows(runs: Sequence[RunData]) -> list[dict[str, Any]]:
    """One row per task of every run (``COLUMNS``); tasks not run yet have empty numbers."""
    out = []
    for run in runs:
        seed = run.config.get("seed")
        for row in task_rows(run):
            out.append({
                "run": run.label, "seed": seed, "learner": run.learner, "stream": run.stream,
                "run_status": "complete" if run.complete else run.status, "task": row["index"],
                **{k: row[k] for k in ("year", "dataset", "kind", "classes", "status", "error", "final_error",
                                       "map", "final_map", "dev_error", "train_flops", "flops",
                                       "cumulative_train_flops", "wall_seconds", "train_examples",
                                       "images_per_second", "flops_per_second", "mfu")},
                "init": row["init"] if row["init"] is None or isinstance(row["init"], str) else str(row["init"]),
                "path": str(run.path),
            })
    return out


def export_runs(run_dirs: Sequence[Path], output: Path) -> int:
    """Writes the per-task rows of the runs (``--seeds`` parents expanded to their seeds) to ``output``:
    ``.csv``, or ``.parquet`` (needs pyarrow). Returns the number of rows.

    Raises:
        ValueError: another suffix, or ``.parquet`` without pyarrow installed.
        FileNotFoundError: a path is not a run directory.
    """
    output = Path(output)
    if output.suffix not in (".csv", ".parquet"):
        raise ValueError(f"-o {output}: name a .csv or .parquet file")
    if output.suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ValueError("writing .parquet needs pyarrow: `pip install pyarrow`, or export to a .csv file") \
                from None
    rows = export_rows(load_runs(expand([Path(p) for p in run_dirs])))
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".csv":
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(output, text.getvalue().encode())
    else:
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in COLUMNS})
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        write_atomic(output, buffer.getvalue())
    return len(rows)
