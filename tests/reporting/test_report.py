"""Reports on small real runs of the demo stream: HTML, figures, compare, partial and damaged runs, a browser."""

from __future__ import annotations

import base64
import fcntl
import io
import json
import re
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nevisbench.cli import main
from nevisbench.config import apply_overrides
from nevisbench.configs import load_config
from nevisbench.protocol.runner import run
from nevisbench.protocol.workdir import Workdir
from nevisbench.reporting.html import write_report
from nevisbench.reporting.plots import pareto_front
from nevisbench.reporting.tables import (
    common_positions,
    format_flops,
    format_rate,
    load_run,
    load_runs,
    summary_row,
    task_rows,
)

# Two tasks (the 1998 rows of the demo stream), one trial of 6 steps: a few seconds per run on 2 CPUs.
TINY = ["options.backbone=small_cnn", "options.image_size=16", "options.max_steps=6",
        "options.validate_every=3", "options.trials=1", "options.batch_size=32", "stream.stop_year=1999"]
FIGURES = ("error_vs_flops", "error_along_stream", "reevaluation")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two complete real runs of the same stream (independent, previous), made once for the module."""
    root = tmp_path_factory.mktemp("runs")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEVISBENCH_HOME", str(root / "home"))
        for learner in ("independent", "previous"):
            config = apply_overrides(load_config("demo"), [f"learner={learner}", *TINY])
            run(config, root / learner)
            out[learner] = root / learner
    return out


def _copy(source: Path, target: Path, *, lines: int | None = None, tail: str = "") -> Path:
    """A copy of a run as if killed after ``lines`` events (no summary.json), plus a torn ``tail``."""
    shutil.copytree(source, target)
    if lines is not None:
        (target / "summary.json").unlink()
        kept = (target / "events.jsonl").read_text().splitlines()[:lines]
        (target / "events.jsonl").write_text("".join(line + "\n" for line in kept) + tail)
    return target


class _Tables(HTMLParser):
    """Cell texts of every table with an id, and the embedded images' data by figure name."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: dict[str, bytes] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "img" and attributes.get("data-figure"):
            source = attributes["src"] or ""
            assert source.startswith("data:image/png;base64,"), "figures must be embedded"
            self.images[attributes["data-figure"]] = base64.b64decode(source.split(",", 1)[1])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _assert_not_blank(data: bytes | Path, minimum_std: float = 10.0) -> Image.Image:
    image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data).convert("RGB")
    pixels = np.asarray(image, dtype=np.float64)
    assert pixels.std() > minimum_std, "the image is blank"
    return image


def _assert_tables_hold_the_runs(html: str, paths: list[Path]) -> _Tables:
    """The summary, task and re-evaluation tables show each run's own numbers (from its files)."""
    parsed = _parse(html)
    summary = parsed.tables["summary-table"]
    header, rows = summary[0], summary[1:]
    assert len(rows) == len(paths)
    for number, path in enumerate(paths):
        saved = json.loads((path / "summary.json").read_text())
        row = dict(zip(header, rows[number], strict=True))
        assert row["run"] == path.name and row["status"] == "complete"
        assert row["mean error"] == format_rate(saved["mean_error"])
        assert row["example-weighted error"] == format_rate(saved["weighted_error"])
        assert row["train FLOPs"] == format_flops(saved["usage"]["train"]["flops"])
        assert row["total FLOPs"] == format_flops(sum(u["flops"] for u in saved["usage"].values()))
        assert row["seeds"] == "1 (seed 0)"
        assert "CPUs" in row["hardware"] or "cuda" in row["hardware"]
        events = [r.to_json() for r in Workdir(path).read_events()]
        learned = [r for r in events if r["type"] == "predict" and not r["final"]]
        final = [r for r in events if r["type"] == "predict" and r["final"]]
        tasks = parsed.tables[f"tasks-{number}"]
        columns = tasks[0]
        assert [r[columns.index("error")] for r in tasks[1:]] == [format_rate(r["metrics"]["error"]) for r in learned]
        assert [r[columns.index("dataset")] for r in tasks[1:]] == ["uci_digits", "mnist_5k"]
        reevaluation = parsed.tables[f"reevaluation-{number}"]
        column = reevaluation[0].index("error at the end")
        assert [r[column] for r in reevaluation[1:]] == [format_rate(r["metrics"]["error"]) for r in final]
    return parsed


def test_report_of_two_runs(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [runs["independent"], runs["previous"]]
    assert main(["report", *map(str, paths), "-o", str(tmp_path / "out" / "report.html")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"report: {tmp_path / 'out' / 'report.html'}" in out and "report_error_vs_flops.png" in out
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Notes" not in html  # nothing to warn about
    parsed = _assert_tables_hold_the_runs(html, paths)
    # Self-contained: nothing is fetched when the page opens.
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html) and "<link" not in html
    assert set(parsed.images) == set(FIGURES)
    for name in FIGURES:
        _assert_not_blank(parsed.images[name])
        assert (tmp_path / "out" / f"report_{name}.png").read_bytes() == parsed.images[name]
        assert (tmp_path / "out" / f"report_{name}.svg").read_text().lstrip().startswith("<?xml")
    # Config and provenance of each run are in the page; the learner's chosen init is in the task table.
    for path in paths:
        for name in ("config.json", "provenance.json"):
            assert escape(json.dumps(json.loads((path / name).read_text()), indent=2)) in html
    assert "task_0000_uci_digits.pt" in html


def test_summary_rows_agree_with_summary_json(runs: dict[str, Path]) -> None:
    for path in runs.values():
        saved = json.loads((path / "summary.json").read_text())
        row = summary_row(load_run(path))
        assert row["mean_error"] == pytest.approx(saved["mean_error"])
        assert row["train_flops"] == saved["usage"]["train"]["flops"]
        assert row["wall_seconds"] == pytest.approx(saved["wall_seconds"]["total"])
        assert (row["tasks_done"], row["tasks_planned"]) == (2, 2)


def test_compare_sorts_by_mean_error_with_flops_ratios(runs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    paths = [runs["previous"], runs["independent"]]
    assert main(["compare", *map(str, paths)]) == 0
    out = capsys.readouterr().out
    errors = {p.name: json.loads((p / "summary.json").read_text())["mean_error"] for p in paths}
    order = sorted(errors, key=errors.get)
    assert out.index(f"{order[0]}: complete") < out.index(f"{order[1]}: complete")
    assert "ratio to the first run given (previous)" in " ".join(out.split())
    for error in errors.values():
        assert format_rate(error) in out


def test_partial_run_is_reported_as_far_as_it_went(runs: dict[str, Path], tmp_path: Path) -> None:
    # Killed while appending its fourth line: three events readable, the torn line named.
    partial = _copy(runs["independent"], tmp_path / "partial", lines=3, tail='{"event": 3, "task_')
    data = load_run(partial)
    assert data.status == "partial: 3 of 6 events" and not data.complete
    assert [number for number, _ in data.bad_lines] == [4]
    rows = task_rows(data)
    assert [r["status"] for r in rows] == ["ok", "not predicted"]
    report = write_report([partial, runs["previous"]], tmp_path / "report.html")
    assert any("partial: 3 of 6 events" in note for note in report.notes)
    assert any("line 4" in note for note in report.notes)
    html = report.html.read_text()
    summary = _parse(html).tables["summary-table"]
    assert summary[1][1] == "partial: 3 of 6 events"
    # A run being written now holds the workdir's lock: it is "running", not "partial".
    with open(partial / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert load_run(partial).status == "running: 3 of 6 events"
    assert load_run(partial).status.startswith("partial")


def test_corrupt_lines_are_skipped_and_named(runs: dict[str, Path], tmp_path: Path) -> None:
    damaged = _copy(runs["previous"], tmp_path / "damaged")
    lines = (damaged / "events.jsonl").read_text().splitlines()
    lines[1] = "\x00\x00 not json"  # disk garbage
    broken = json.loads(lines[3])
    broken["metrics"]["error"] = "0.5"  # parses, but is not a number
    lines[3] = json.dumps(broken)
    (damaged / "events.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="events.jsonl:2 is not a valid event record .not valid JSON"):
        Workdir(damaged).read_events()
    records, bad = Workdir(damaged).read_events_tolerant()
    assert len(records) == 4 and [n for n, _ in bad] == [2, 4]
    data = load_run(damaged)
    assert [n for n, _ in data.bad_lines] == [2, 4] and "single-label metrics" in data.bad_lines[1][1]
    assert data.status == "damaged: 4 of 6 events readable"
    report = write_report([damaged], tmp_path / "report.html")
    assert "events.jsonl line 2 skipped" in " ".join(report.notes)
    assert "line 4: single-label metrics" in report.html.read_text()


def test_runs_of_different_streams_compare_common_tasks(runs: dict[str, Path], tmp_path: Path) -> None:
    # The same run relabelled as one of the demo stream before 2008: three tasks planned, two run.
    longer = _copy(runs["independent"], tmp_path / "longer")
    config = json.loads((longer / "config.json").read_text())
    config["stream"]["stop_year"] = 2008
    (longer / "config.json").write_text(json.dumps(config))
    data = load_runs([runs["previous"], longer])
    assert [p[1] for p in common_positions(data)] == ["uci_digits", "mnist_5k"]
    report = write_report([runs["previous"], longer], tmp_path / "report.html")
    assert any("different streams" in note and "2 tasks common" in note for note in report.notes)
    assert any("longer is partial: 6 of 9 events" in note for note in report.notes)


def test_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("not a run")
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 2
    assert "is not a run directory" in " ".join(capsys.readouterr().err.split())
    assert main(["compare", str(tmp_path / "missing")]) == 2
    assert not (tmp_path / "r.html").exists()


def test_pareto_front() -> None:
    points = [(10.0, 0.5), (20.0, 0.3), (15.0, 0.6), (40.0, 0.3), (5.0, 0.9), (20.0, 0.3)]
    assert [points[i] for i in pareto_front(points)] == [(5.0, 0.9), (10.0, 0.5), (20.0, 0.3), (20.0, 0.3)]


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    # Flags: no sandbox (CI runs as root), no GPU, nothing contacting the network on start.
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(runs: dict[str, Path], tmp_path: Path,
                                            request: pytest.FixtureRequest) -> None:
    paths = [runs["independent"], runs["previous"]]
    report = write_report(paths, tmp_path / "report.html")
    # A copy with a probe script that records, once the page has loaded, every image's decoded size.
    probe = tmp_path / "probe.html"
    probe.write_text(report.html.read_text().replace(
        "</body>",
        "<script>window.addEventListener('load', () => { document.body.dataset.images = "
        "Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0).join(','); });</script></body>"))
    dom = _chromium("--dump-dom", probe.as_uri(), profile=tmp_path / "profile").stdout
    sizes = re.search(r'<body[^>]*data-images="([^"]*)"', dom)
    assert sizes, "the page did not load"
    assert len(sizes.group(1).split(",")) == len(FIGURES) and "0" not in sizes.group(1).split(",")
    _assert_tables_hold_the_runs(dom, paths)
    screenshot = tmp_path / "report.png"
    _chromium("--screenshot=" + str(screenshot), "--window-size=1400,3000", report.html.as_uri(),
              profile=tmp_path / "profile")
    image = _assert_not_blank(screenshot)
    # The charts are on the page: the first run's blue (#0072B2) is drawn only by them.
    pixels = np.asarray(image, dtype=np.int16)
    blue = (np.abs(pixels - np.array([0, 114, 178])).sum(axis=2) < 30).sum()
    assert blue > 500, "no chart is visible in the screenshot"
    artefacts = request.config.rootpath / ".test-artifacts"
    artefacts.mkdir(exist_ok=True)
    shutil.copy(screenshot, artefacts / "report.png")
