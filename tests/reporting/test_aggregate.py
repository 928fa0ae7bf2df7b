"""Seed groups: `run --seeds`, bootstrap intervals, refusals, missing and partial seeds, `results` and `compare`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nevisbench.cli import main
from nevisbench.reporting.aggregate import (
    BOOTSTRAP_RESAMPLES,
    bootstrap_interval,
    difference_interval,
    load_groups,
    load_seed_group,
    noise_verdict,
    parse_seeds,
    task_errors,
)

TINY = ["options.backbone=small_cnn", "options.image_size=16", "options.max_steps=6",
        "options.validate_every=3", "options.trials=1", "options.batch_size=32", "stream.stop_year=1999"]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nevisbench run --seeds 2` of two tiny tasks, made once for the module."""
    root = tmp_path_factory.mktemp("seeds")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(root / "home"))
        args = ["run", "--seeds", "2", "--workdir", str(root / "ind"), "--learner", "independent"]
        assert main([*args, *(a for kv in TINY for a in ("--set", kv))]) == 0
    return root / "ind"


def _with_errors(source: Path, target: Path, errors: list[float], seed: int | None = None) -> Path:
    """A copy of a run whose during-stream predictions have the given errors (in order)."""
    shutil.copytree(source, target)
    lines, values = [], iter(errors)
    for line in (target / "events.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["type"] == "predict" and not record["final"]:
            record["metrics"]["error"] = next(values)
        lines.append(json.dumps(record))
    (target / "events.jsonl").write_text("\n".join(lines) + "\n")
    if seed is not None:
        config = json.loads((target / "config.json").read_text())
        config["seed"] = seed
        (target / "config.json").write_text(json.dumps(config))
    return target


def _group(root: Path, name: str, seed_errors: list[list[float]], source: Path) -> Path:
    parent = root / name
    parent.mkdir()
    for seed, errors in enumerate(seed_errors):
        _with_errors(source, parent / f"seed_{seed}", errors, seed)
    (parent / "seeds.json").write_text(json.dumps({"seeds": list(range(len(seed_errors)))}))
    return parent


def test_parse_seeds() -> None:
    assert parse_seeds("3") == [0, 1, 2]
    assert parse_seeds("4,7") == [4, 7]
    for bad in ("0", "x", "1,1", "-1"):
        with pytest.raises(ValueError, match="--seeds"):
            parse_seeds(bad)


def test_bootstrap_interval_closed_form_and_deterministic() -> None:
    assert bootstrap_interval([0.3, 0.3, 0.3]) == pytest.approx((0.3, 0.3))
    # Two values 0 and 1: a resample's mean is Binomial(2, 1/2)/2, so 2.5% and 97.5% are 0 and 1.
    assert bootstrap_interval([0.0, 1.0]) == (0.0, 1.0)
    values = list(np.linspace(0.1, 0.9, 9))
    low, high = bootstrap_interval(values)
    assert low < 0.5 < high and bootstrap_interval(values) == (low, high)
    assert BOOTSTRAP_RESAMPLES == 10_000
    assert difference_interval([0.5, 0.6], [0.5, 0.6]) [0] <= 0.0 <= difference_interval([0.5, 0.6], [0.5, 0.6])[1]
    assert difference_interval([0.2, 0.3], [0.7, 0.8], paired=True) == pytest.approx((-0.5, -0.5))


def test_run_seeds_makes_one_run_per_seed(seeds: Path) -> None:
    assert json.loads((seeds / "seeds.json").read_text()) == {"seeds": [0, 1]}
    for seed in (0, 1):
        config = json.loads((seeds / f"seed_{seed}" / "config.json").read_text())
        assert config["seed"] == seed and (seeds / f"seed_{seed}" / "summary.json").exists()
    group = load_seed_group(seeds)
    assert len(group.complete) == 2
    stats = group.statistics()
    errors = [r.summary["mean_error"] for r in group.runs]
    assert stats["seeds"] == 2 and stats["interval_over"] == "seeds"
    assert stats["mean_error"] == pytest.approx(np.mean(errors))
    assert stats["low"] == pytest.approx(min(errors)) and stats["high"] == pytest.approx(max(errors))


def test_one_seed_interval_is_over_tasks(seeds: Path, tmp_path: Path) -> None:
    run = _with_errors(seeds / "seed_0", tmp_path / "one", [0.2, 0.4])
    (group,) = load_groups([run])
    assert task_errors(group.runs[0]) == [0.2, 0.4]
    stats = group.statistics()
    assert stats["interval_over"] == "tasks" and stats["seeds"] == 1
    assert (stats["low"], stats["mean_error"], stats["high"]) == pytest.approx((0.2, 0.3, 0.4))


def test_missing_and_partial_seeds_are_not_averaged(seeds: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    parent = _group(tmp_path, "g", [[0.2, 0.2], [0.4, 0.4], [0.9, 0.9]], seeds / "seed_0")
    events = parent / "seed_2" / "events.jsonl"
    events.write_text("".join(line + "\n" for line in events.read_text().splitlines()[:2]))
    (parent / "seeds.json").write_text(json.dumps({"seeds": [0, 1, 2, 3]}))
    stats = load_seed_group(parent).statistics()
    assert stats["missing"] == [3] and stats["partial"] == [2]
    assert stats["seeds"] == 2 and stats["mean_error"] == pytest.approx(0.3)
    assert main(["results", str(parent)]) == 0
    out = capsys.readouterr().out
    assert "missing seeds 3" in out and "partial seeds 2" in out and "0.3000" in out


def test_different_configs_are_refused_by_name(seeds: Path, tmp_path: Path) -> None:
    parent = _group(tmp_path, "g", [[0.2, 0.2], [0.4, 0.4]], seeds / "seed_0")
    config = json.loads((parent / "seed_1" / "config.json").read_text())
    config["options"]["lr"] = 123.0
    (parent / "seed_1" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"differ in options\.lr"):
        load_seed_group(parent)


def test_compare_says_whether_a_difference_is_noise(seeds: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    source = seeds / "seed_0"
    good = _group(tmp_path, "good", [[0.20, 0.22], [0.21, 0.23], [0.19, 0.21]], source)
    bad = _group(tmp_path, "bad", [[0.80, 0.82], [0.81, 0.83], [0.79, 0.81]], source)
    same = _group(tmp_path, "same", [[0.19, 0.23], [0.22, 0.22], [0.20, 0.20]], source)
    groups = load_groups([good, bad, same])
    assert noise_verdict(groups[1], groups[0])["within_noise"] is False
    assert noise_verdict(groups[2], groups[0])["within_noise"] is True
    assert main(["compare", str(good), str(bad), str(same)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "bad − good: +0.6000" in out and "beyond the noise" in out
    assert "within the noise" in out


def test_plain_run_dirs_of_one_config_are_grouped(seeds: Path) -> None:
    (group,) = load_groups([seeds / "seed_0", seeds / "seed_1"])
    assert group.statistics()["seeds"] == 2


def test_report_of_a_seeds_dir_draws_intervals(seeds: Path, tmp_path: Path) -> None:
    from matplotlib.container import ErrorbarContainer

    from nevisbench.reporting.aggregate import interval_points
    from nevisbench.reporting.html import write_report
    from nevisbench.reporting.plots import plot_error_vs_flops

    report = write_report([seeds], tmp_path / "report.html")
    html = report.html.read_text()
    assert 'id="seeds-table"' in html and [r.label for r in report.runs] == ["seed_0", "seed_1"]
    (point,) = interval_points(load_groups([seeds]))
    assert point["seeds"] == 2 and point["low"] <= point["mean_error"] <= point["high"]
    figure = plot_error_vs_flops(report.runs, [point])
    assert any(isinstance(c, ErrorbarContainer) for c in figure.axes[0].containers)
    assert not any(isinstance(c, ErrorbarContainer) for c in plot_error_vs_flops(report.runs).axes[0].containers)


def test_results_and_report_show_continual_metrics(seeds: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from nevisbench.reporting.html import write_report

    mine = _with_errors(seeds / "seed_0", tmp_path / "mine", [0.2, 0.4])
    base = _with_errors(seeds / "seed_0", tmp_path / "base", [0.5, 0.5])
    assert main(["results", str(mine), "--baseline", str(base)]) == 0
    out = capsys.readouterr().out
    assert "forward transfer (baseline − this error, mean over 2 tasks) +0.2000" in out
    assert "forgetting" in out and "error-vs-log-FLOPs area" in out
    html = write_report([mine], tmp_path / "r.html", baseline=base).html.read_text()
    assert 'id="continual-0"' in html and "+0.2000" in html


def test_export_writes_one_row_per_task(seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import importlib.util

    mine = _with_errors(seeds / "seed_0", tmp_path / "mine", [0.25, 0.5])
    assert main(["export", str(seeds), str(mine), "-o", str(tmp_path / "x.csv")]) == 0
    rows = list(csv.DictReader((tmp_path / "x.csv").read_text().splitlines()))
    assert [(r["run"].split("/")[-1], r["seed"], r["task"]) for r in rows] == [
        ("seed_0", "0", "0"), ("seed_0", "0", "1"), ("seed_1", "1", "0"), ("seed_1", "1", "1"),
        ("mine", "0", "0"), ("mine", "0", "1")]
    assert [float(r["error"]) for r in rows[4:]] == [0.25, 0.5]
    assert all(r["learner"] == "independent" and r["final_error"] and int(r["train_flops"]) > 0 for r in rows)
    parquet = tmp_path / "x.parquet"
    code = main(["export", str(mine), "-o", str(parquet)])
    if importlib.util.find_spec("pyarrow") is None:
        assert code == 2 and "pip install pyarrow" in capsys.readouterr().err and not parquet.exists()
    else:
        import pyarrow.parquet as pq

        assert code == 0 and pq.read_table(parquet).column("error").to_pylist() == [0.25, 0.5]


def test_seeds_refuse_a_single_runs_directory(seeds: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    single = shutil.copytree(seeds / "seed_0", tmp_path / "single")
    assert main(["run", "--seeds", "2", "--workdir", str(single)]) == 2
    assert "single run's directory" in capsys.readouterr().err and not (single / "seed_0").exists()
