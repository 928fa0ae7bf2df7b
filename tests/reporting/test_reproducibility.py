"""The reproducibility table in results/: generated from the kept runs, 3 seeds per cell, its report renders."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_report import CHROMIUM, _assert_not_blank, _chromium, _parse

from nevisbench.configs import load_config
from nevisbench.protocol.sweep import plan_sweep
from nevisbench.reporting.aggregate import SeedGroup
from nevisbench.reporting.html import write_report
from nevisbench.reporting.reproducibility import (
    ABLATIONS,
    Cell,
    pareto_verdict,
    results_markdown,
    stream_cells,
)

RESULTS = Path(__file__).resolve().parents[2] / "results"
STREAMS = ("demo", "offline")
LEARNERS = ("independent", "previous", "dynamic", "efficient")


def test_results_readme_is_what_the_kept_runs_say() -> None:
    expected = results_markdown(RESULTS)
    assert (RESULTS / "README.md").read_text(encoding="utf-8") == expected, \
        "results/README.md is stale: run `python benchmarks/reproduce.py table`"


@pytest.mark.parametrize("stream", STREAMS)
def test_every_cell_has_three_complete_seeds(stream: str) -> None:
    cells = {cell.learner: cell for cell in stream_cells(RESULTS / stream)}
    assert sorted(cells) == sorted(LEARNERS)
    for cell in cells.values():
        stats = cell.statistics
        assert stats["seeds"] == 3 and stats["interval_over"] == "seeds"
        assert not stats["missing"] and not stats["partial"]
        assert stats["low"] <= stats["mean_error"] <= stats["high"]
        assert sorted(run.config["seed"] for run in cell.group.complete) == [0, 1, 2]


def test_each_ablation_turns_off_what_it_says() -> None:
    base = load_config("efficient")
    for name, (_, settings) in ABLATIONS.items():
        (point,) = plan_sweep(base, seeds=[0], sets=settings)
        changed = {k for k, v in point.config.options.__dict__.items() if getattr(base.options, k) != v}
        assert changed == {s.partition("=")[0].removeprefix("options.") for s in settings}, name
    for name in ABLATIONS:
        kept = RESULTS / "ablation" / "offline" / name
        assert sorted(p.name for p in kept.iterdir()) == [f"efficient_seed{k}" for k in range(3)], name


def _cell(learner: str, errors: list[float], flops: list[int]) -> Cell:
    low, high = min(errors), max(errors)  # stand-in interval: the verdict only compares bounds
    stats = {"mean_error": float(np.mean(errors)), "low": low, "high": high, "interval_over": "seeds",
             "seeds": len(errors), "missing": [], "partial": []}
    return Cell(SeedGroup(learner, ()), stats, flops, flops, [1.0] * len(errors))


def test_pareto_verdict_by_its_two_targets() -> None:
    base = _cell("previous", [0.10, 0.11, 0.12], [100, 100, 100])
    # 25% lower error at equal FLOPs, intervals apart: the first target.
    lower = pareto_verdict(_cell("new", [0.08, 0.09, 0.0925], [100, 100, 100]), base)
    assert lower["error_ratio"] == pytest.approx(0.0875 / 0.11) and lower["lower_error_target"] and lower["met"]
    # The same error at a fifth of the FLOPs: the second target.
    cheap = pareto_verdict(_cell("new", [0.10, 0.11, 0.12], [20, 20, 20]), base)
    assert cheap["flops_ratio"] == pytest.approx(0.2) and cheap["cheaper_target"] and cheap["met"]
    # 10% lower error at equal FLOPs, or the same error at half: neither.
    assert not pareto_verdict(_cell("new", [0.099, 0.099, 0.099], [100, 100, 100]), base)["met"]
    assert not pareto_verdict(_cell("new", [0.10, 0.11, 0.12], [50, 50, 50]), base)["met"]
    # Lower error but overlapping intervals: not met.
    assert not pareto_verdict(_cell("new", [0.05, 0.08, 0.10], [100, 100, 100]), base)["met"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_report_of_the_table_renders_with_intervals(tmp_path: Path) -> None:
    paths = sorted(p for p in (RESULTS / "demo").iterdir() if p.is_dir())
    report = write_report(paths, tmp_path / "report.html")
    dom = _chromium("--dump-dom", report.html.as_uri(), profile=tmp_path / "profile").stdout
    seeds = _parse(dom).tables["seeds-table"]
    rows = [dict(zip(seeds[0], row, strict=True)) for row in seeds[1:]]
    assert sorted(row["learner"] for row in rows) == sorted(LEARNERS)
    assert all(row["seeds averaged"] == "3" and re.fullmatch(r"[\d.]+ – [\d.]+", row["95% interval"])
               for row in rows)
    screenshot = tmp_path / "report.png"
    _chromium("--screenshot=" + str(screenshot), "--window-size=1400,3000", report.html.as_uri(),
              profile=tmp_path / "profile")
    _assert_not_blank(screenshot)
