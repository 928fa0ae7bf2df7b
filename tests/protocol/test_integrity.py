"""Damaged workdirs never cost a result: each resume gives the uninterrupted result, or refuses before writing."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_runner import tiny_config

from nevisbench.learners.base import Predictions, PredictTask, TrainTask
from nevisbench.protocol import workdir as workdir_module
from nevisbench.protocol.runner import run, strip_wall_clock
from nevisbench.protocol.workdir import Workdir, WorkdirError
from nevisbench.records import record_from_line
from nevisbench.reporting.runs import load_run
from nevisbench.values import ResourceUsage

CONFIG = tiny_config("stream.stop_year=2008", "options.trials=1")
STOP = 4  # a partial run: 4 of its 9 events done


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("integrity")
    run(CONFIG, root / "whole")
    run(CONFIG, root / "partial", stop_after=STOP)
    return {"whole": root / "whole", "partial": root / "partial"}


def _records(path: Path) -> list[dict]:
    return [strip_wall_clock(r) for r in Workdir(path).read_events()]


def _files(path: Path) -> dict[str, bytes]:
    """Every file of a workdir but the lock (which holds the pid of whoever last tried)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
            and p.name != ".lock"}


def _cut_mid_line(work: Path) -> None:
    text = (work / "events.jsonl").read_bytes()
    (work / "events.jsonl").write_bytes(text[: text.index(b"\n", len(text) // 2) - 20])


def _garble_a_line(work: Path) -> None:
    lines = (work / "events.jsonl").read_text().splitlines(keepends=True)
    lines[1] = "#" * (len(lines[1]) - 1) + "\n"
    (work / "events.jsonl").write_text("".join(lines))


def _duplicate_a_line(work: Path) -> None:
    lines = (work / "events.jsonl").read_text().splitlines(keepends=True)
    (work / "events.jsonl").write_text("".join(lines[:2] + lines[1:]))


def _half_line_after_checkpoint(work: Path) -> None:
    with open(work / "events.jsonl", "a") as handle:
        handle.write('{"event": 4, "type": "train", "half": ')


def _garble_task_checkpoint(work: Path) -> None:
    (work / "checkpoints" / "task.pt").write_bytes(os.urandom(300))


RECOVERED: dict[str, Callable[[Path], None]] = {
    "events cut mid-line": _cut_mid_line,
    "events deleted": lambda work: (work / "events.jsonl").unlink(),
    "events line garbled": _garble_a_line,
    "events line duplicated": _duplicate_a_line,
    "half a line after the checkpoint": _half_line_after_checkpoint,
    "config deleted (same settings given)": lambda work: (work / "config.json").unlink(),
    "task checkpoint garbled": _garble_task_checkpoint,
}


class _Payload:
    def __reduce__(self):  # noqa: ANN204 - the attack
        return (os.system, ("touch PWNED",))


def _crafted_checkpoint(work: Path) -> None:
    (work / "checkpoints" / "run.pt").write_bytes(pickle.dumps({"completed": 1, "learner": _Payload()}))


def _edit_config(work: Path) -> None:
    config = json.loads((work / "config.json").read_text())
    config["options"]["lr"] = 0.5
    (work / "config.json").write_text(json.dumps(config))


def _truncate_checkpoint(work: Path) -> None:
    data = (work / "checkpoints" / "run.pt").read_bytes()
    (work / "checkpoints" / "run.pt").write_bytes(data[: len(data) // 2])


REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    "checkpoint deleted": (lambda work: (work / "checkpoints" / "run.pt").unlink(), "run.pt, the state to resume"),
    "checkpoint garbled": (lambda work: (work / "checkpoints" / "run.pt").write_bytes(os.urandom(4096)),
                           "run.pt is not a readable nevisbench checkpoint"),
    "checkpoint truncated": (_truncate_checkpoint, "run.pt is not a readable nevisbench checkpoint"),
    "checkpoint crafted": (_crafted_checkpoint, "run.pt is not a readable nevisbench checkpoint"),
    "config edited": (_edit_config, "holds a run of another configuration"),
    "config garbled": (lambda work: (work / "config.json").write_text("{not json"), "config.json cannot be read"),
}


@pytest.mark.parametrize("damage", RECOVERED)
def test_damage_is_repaired_and_the_result_equals_an_uninterrupted_run(
        runs: dict[str, Path], tmp_path: Path, damage: str) -> None:
    work = tmp_path / "work"
    shutil.copytree(runs["partial"], work)
    RECOVERED[damage](work)
    summary = run(CONFIG, work)
    assert summary["complete"] and summary["events"]["completed"] == 9
    assert _records(work) == _records(runs["whole"])
    whole = json.loads((runs["whole"] / "summary.json").read_text())
    assert summary["mean_error"] == whole["mean_error"]
    assert load_run(work).status == "complete"
    # Nothing is lost: a log that disagreed with the checkpoint is kept beside the repaired one.
    if damage.startswith("events") and damage != "events deleted":
        assert list(work.glob("events.jsonl.damaged-*"))


@pytest.mark.parametrize("damage", REFUSED)
def test_what_cannot_be_resumed_is_refused_before_anything_is_written(
        runs: dict[str, Path], tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    shutil.copytree(runs["partial"], work)
    corrupt, message = REFUSED[damage]
    corrupt(work)
    before = _files(work)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkdirError, match=message) as error:
        run(CONFIG, work)
    assert str(work) in str(error.value) and "--workdir" in str(error.value)
    assert _files(work) == before
    assert not (tmp_path / "PWNED").exists()


def test_a_log_with_an_event_twice_is_flagged_not_complete(runs: dict[str, Path], tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(runs["whole"], work)
    lines = (work / "events.jsonl").read_text().splitlines(keepends=True)
    (work / "events.jsonl").write_text("".join(lines[:3] + lines[2:]))
    data = load_run(work)
    assert data.status.startswith("inconsistent: event 2 is recorded 2 times") and not data.complete


def test_a_full_disk_names_the_file_and_the_run_continues_after(
        runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_save, calls = workdir_module.torch.save, []

    def save(obj: object, path: Path) -> None:
        calls.append(Path(path).name.startswith(".run.pt"))
        if sum(calls) == 2 and calls[-1]:  # the second run checkpoint
            raise RuntimeError("[enforce fail at inline_container.cc:778] . unexpected pos 380928 vs 380824")
        real_save(obj, path)

    monkeypatch.setattr(workdir_module.torch, "save", save)
    with pytest.raises(WorkdirError, match=r"could not write .*run\.pt .*nevisbench run --workdir"):
        run(CONFIG, tmp_path / "work")
    monkeypatch.setattr(workdir_module.torch, "save", real_save)
    assert not list((tmp_path / "work" / "checkpoints").glob("*.part"))
    run(CONFIG, tmp_path / "work")
    assert _records(tmp_path / "work") == _records(runs["whole"])


@pytest.mark.parametrize("where", ["file", "below a file"])
def test_a_workdir_that_is_a_file_is_a_clear_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "taken").write_text("x")
    target = tmp_path / "taken" if where == "file" else tmp_path / "taken" / "run"
    with pytest.raises(WorkdirError, match="choose a directory"):
        run(CONFIG, target)


class _NaNLearner:
    """Diverged on purpose: every probability is NaN."""

    def train(self, task: TrainTask) -> ResourceUsage:
        return ResourceUsage(flops=1)

    def predict(self, task: PredictTask) -> Predictions:
        return Predictions(np.full((len(task.data), task.key.num_classes), np.nan, dtype=np.float32))

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def test_nan_predictions_count_as_wrong_are_flagged_and_the_log_stays_strict_json(tmp_path: Path) -> None:
    summary = run(tiny_config("stream.stop_year=1999"), tmp_path / "run", learner=_NaNLearner())
    assert summary["mean_error"] == 1.0 and summary["weighted_error"] == 1.0
    assert summary["flagged_tasks"] == ["uci_digits", "mnist_5k"]
    for line in (tmp_path / "run" / "events.jsonl").read_text().splitlines():
        record = record_from_line(line)  # strict: a NaN token would be refused
        if record.type == "predict":
            assert record.metrics["num_non_finite"] == record.metrics["num_examples"]
    json.loads((tmp_path / "run" / "summary.json").read_text(), parse_constant=pytest.fail)
