"""`run --log`: TensorBoard, W&B (offline) and MLflow (a local store) log the run's values, each event once,
and a resumed run continues the same logged run."""

from __future__ import annotations

import importlib.util
import json
import struct
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from nevisbench.cli import build_parser, main
from nevisbench.cli.run import logger_names
from nevisbench.records import Phase, Progress

_spec = importlib.util.spec_from_file_location("cli_tiny", Path(__file__).parents[1] / "cli" / "cli_tiny.py")
_tiny = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tiny)
TINY = _tiny.TINY  # two tasks of the demo stream: 6 events (train, predict, and the final re-evaluations)
EVENTS = 6

# The package each logger needs, and the install hint when it is missing.
PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb", "mlflow": "mlflow"}

Logged = dict[str, list[tuple[int, float]]]  # scalar name → (step, value) in the order logged


def _flat(text: str) -> str:
    return " ".join(text.split())


def _need(name: str) -> None:
    pytest.importorskip(PACKAGES[name], reason=f"the {name} logger needs pip install 'nevisbench[{name}]'")


@pytest.fixture(autouse=True)
def logger_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """W&B offline, its own files under tmp_path; MLflow's default store (the workdir's)."""
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    for variable in ("WANDB_CONFIG_DIR", "WANDB_CACHE_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR"):
        monkeypatch.setenv(variable, str(tmp_path / "wandb_home" / variable.lower()))
    for variable in ("NEVISBENCH_WANDB_PROJECT", "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME"):
        monkeypatch.delenv(variable, raising=False)


def _wandb_records(path: Path) -> Any:
    """The protobuf records of an offline run's ``.wandb`` file (LevelDB-log framing: 32 KiB blocks of
    chunks with a 7-byte header: CRC, length, type full/first/middle/last)."""
    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data[:4] == b":W&B", f"{path} is not a W&B run file"
    position, block, pending = 7, 32768, b""
    while position + 7 <= len(data):
        left = block - position % block
        if left < 7:  # a block's tail too short for a header is padding
            position += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[position:position + 7])
        if kind == 0:
            position += left
            continue
        chunk = data[position + 7:position + 7 + length]
        position += 7 + length
        pending = chunk if kind in (1, 2) else pending + chunk
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            yield record


def read_wandb(workdir: Path, run_id: str) -> Logged:
    """Every history row of the W&B run ``run_id``: one offline directory per session of the run."""
    out: Logged = defaultdict(list)
    sessions = sorted((workdir / "wandb").glob(f"offline-run-*-{run_id}"))
    assert sessions, f"no offline W&B run {run_id} in {workdir / 'wandb'}"
    config = {}
    for session in sessions:
        for record in _wandb_records(session / f"run-{run_id}.wandb"):
            if record.WhichOneof("record_type") == "run":
                config.update({item.key: json.loads(item.value_json) for item in record.run.config.update})
            if record.WhichOneof("record_type") != "history":
                continue
            row = {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in record.history.item}
            for name, value in row.items():
                if not name.startswith("_") and name not in ("task", "event"):
                    out[name].append((row["event" if name.startswith("flops/") else "task"], value))
    assert config["stream.name"] == "demo" and config["options.backbone"] == "small_cnn"  # the run's config
    return out


def read_mlflow(workdir: Path, run_id: str) -> Logged:
    from mlflow.tracking import MlflowClient

    from nevisbench.reporting.mlflow_logger import default_uri

    client = MlflowClient(tracking_uri=default_uri(workdir))
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.params["stream.name"] == "demo"
    return {name: [(m.step, m.value) for m in client.get_metric_history(run_id, name)] for name in run.data.metrics}


def read_tensorboard(workdir: Path, run_id: str | None) -> Logged:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(workdir / "tensorboard"))
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


READERS = {"tensorboard": read_tensorboard, "wandb": read_wandb, "mlflow": read_mlflow}


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, event: int, *, logged: bool) -> None:
    """The next run stops (as after Ctrl-C) once ``event`` is recorded: after the loggers saw it, or
    before (a kill between the record and its logging)."""
    from nevisbench.protocol import runner

    real = runner.run

    def interrupted(config: Any, workdir: Path, *, progress: Any, **kwargs: Any) -> dict:
        def hook(update: Progress) -> None:
            done = update.phase is Phase.DONE and update.record is not None and update.record.event == event
            if done and not logged:
                raise KeyboardInterrupt
            progress(update)
            if done:
                raise KeyboardInterrupt

        monkeypatch.setattr(runner, "run", real)  # the resume runs to the end
        return real(config, workdir, progress=hook, **kwargs)

    monkeypatch.setattr(runner, "run", interrupted)


def _state(workdir: Path) -> dict[str, Any]:
    return json.loads((workdir / "loggers.json").read_text())


def _check(logged: Logged, workdir: Path) -> None:
    """Each event logged once, and the logged errors equal the summary's."""
    assert sorted(step for step, _ in logged["flops/train"]) == list(range(EVENTS))
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["complete"]
    rows = [row for row in summary["tasks"] if row.get("error") is not None]
    assert len(rows) == 4  # two tasks, each predicted when learned and at the end
    for row in rows:
        name = f"{'final_' if row.get('final') else ''}{row['split']}/error/{row['dataset']}"
        assert logged[name] == [(row["task_index"], pytest.approx(row["error"], rel=1e-6))], name


@pytest.mark.parametrize("name", ["tensorboard", "wandb", "mlflow"])
def test_a_logger_logs_the_summary_errors_and_a_resume_continues_its_run(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _need(name)
    workdir = tmp_path / "run"
    _interrupt_at(monkeypatch, 1, logged=True)  # after the first task: its train and predict events
    assert main(["run", "--workdir", str(workdir), "--log", name, *TINY]) == 130
    first = _state(workdir)[name]
    assert first["logged"] == 2
    assert main(["run", "--workdir", str(workdir), "--log", name]) == 0
    state = _state(workdir)[name]
    assert state == {**first, "logged": EVENTS}  # the same logged run (run id), continued
    _check(READERS[name](workdir, state.get("run_id")), workdir)


def test_an_event_recorded_but_not_logged_is_logged_once_on_resume(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _need("mlflow")
    _need("tensorboard")
    workdir = tmp_path / "run"
    _interrupt_at(monkeypatch, 2, logged=False)
    assert main(["run", "--workdir", str(workdir), "--log", "mlflow", *TINY]) == 130
    first = _state(workdir)["mlflow"]
    assert first["logged"] == 2 and (workdir / "events.jsonl").read_text().count("\n") == 3
    # The resume logs event 2, then the rest; tensorboard, added now, logs every event from the start.
    assert main(["run", "--workdir", str(workdir), "--log", "mlflow,tensorboard"]) == 0
    state = _state(workdir)
    assert state["mlflow"] == {**first, "logged": EVENTS} and state["tensorboard"]["logged"] == EVENTS
    _check(read_mlflow(workdir, first["run_id"]), workdir)
    _check(read_tensorboard(workdir, None), workdir)


def test_unknown_logger_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run", "--log", "tensorboard,neptune"])
    assert raised.value.code == 2
    assert "unknown logger 'neptune'; choose from tensorboard, wandb, mlflow" in _flat(capsys.readouterr().err)


def test_tensorboard_flag_is_an_alias_of_log_tensorboard() -> None:
    args = build_parser().parse_args(["run", "--log", "mlflow,wandb", "--tensorboard"])
    assert logger_names(args) == ["mlflow", "wandb", "tensorboard"]
    assert logger_names(build_parser().parse_args(["run", "--tensorboard", "--log", "tensorboard"])) == ["tensorboard"]


@pytest.mark.parametrize(("name", "modules"), [("wandb", ["wandb"]), ("mlflow", ["mlflow", "mlflow.tracking"])])
def test_a_missing_package_is_one_line_with_the_install_hint_before_any_training(
        name: str, modules: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # `import` then fails as if it were not installed
    workdir = tmp_path / "run"
    assert main(["run", "--workdir", str(workdir), "--log", name, *TINY]) == 2
    err = _flat(capsys.readouterr().err)
    assert f"error: the {name} logger needs the {name} package: pip install 'nevisbench[{name}]'" in err
    assert "Traceback" not in err and not (workdir / "events.jsonl").exists()


class _FakeLogger:
    def __init__(self, fail: bool) -> None:
        self.fail, self.rows, self.closed = fail, [], []
        self.keep = {"run_id": "fake"}

    def write(self, rows: Any) -> None:
        if self.fail:
            raise OSError("the dashboard is down")
        self.rows.append(rows)

    def close(self, ok: bool) -> None:
        self.closed.append(ok)


def test_a_failing_logger_is_dropped_and_the_others_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    import types

    from nevisbench.records import TrainRecord
    from nevisbench.reporting import loggers
    from nevisbench.values import TaskKey, TaskKind

    opened = {}
    for name, fail in (("good", False), ("bad", True)):
        module = types.ModuleType(f"fake_{name}")
        module.require = lambda: None
        module.open_logger = lambda workdir, params, previous, fail=fail, name=name: opened.setdefault(
            name, _FakeLogger(fail))
        monkeypatch.setitem(sys.modules, f"fake_{name}", module)
        monkeypatch.setitem(loggers.BACKENDS, name, f"fake_{name}")
    logged = loggers.Loggers(["good", "bad"], tmp_path, {"seed": 0})
    head = {"task_index": 0, "year": 1998, "dataset": "mnist", "task": TaskKey("mnist", TaskKind.SINGLE_LABEL, 10),
            "status": "ok", "cumulative_flops": {"train": 1}, "wall_seconds": {}, "info": {"dev_error": 0.5}}
    logged(Progress(Phase.TRAIN, event=0))
    logged(Progress(Phase.DONE, record=TrainRecord(event=0, **head)))
    logged(Progress(Phase.DONE, record=TrainRecord(event=1, **head)))
    logged.close(True)
    assert len(opened["good"].rows) == 2 and opened["bad"].closed == [False] and opened["good"].closed == [True]
    assert "the bad logger failed (the dashboard is down)" in caplog.text
    # The failed logger's count stays where it failed: a resume logs what it missed.
    assert _state(tmp_path) == {"good": {"run_id": "fake", "logged": 2}, "bad": {"run_id": "fake", "logged": 0}}
