"""compute.compile: trials train through torch.compile, the setting reaches them, and a missing toolchain is named."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from nevisbench.config import RunConfig, apply_overrides
from nevisbench.data.synthetic import make_dominant_colour
from nevisbench.executors import ExecutorConfig, LocalExecutor, create_executor
from nevisbench.executors.base import FitSettingsExecutor
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.training import FitConfig, TaskModel, fit, missing_compile_support
from nevisbench.values import Split, TaskKind

TINY = FitConfig(max_steps=4, lr=0.05, batch_size=16, image_size=16, validate_every=2)


def _fit(config: FitConfig) -> float:
    data = make_dominant_colour(num_classes=3, examples_per_split=32, size=16, seed=0)
    torch.manual_seed(0)
    model = TaskModel(create_backbone("small_cnn"), 3)
    result = fit(model, data.split(Split.TRAIN), data.split(Split.DEV), TaskKind.SINGLE_LABEL, config,
                 seed=0, device=torch.device("cpu"))
    return result.final_dev_error


def test_compile_is_off_by_default_and_a_setting() -> None:
    assert RunConfig().compute.compile is False
    assert FitConfig(max_steps=1, lr=0.1).compile is False
    config = apply_overrides(RunConfig(), ["compute.compile=true"])
    assert config.compute.compile is True
    # Part of the run's identity when on (compiled kernels may sum in another order); absent when off,
    # so that a workdir started before the setting existed still resumes.
    assert config.identity()["compute"] == {"include_pretraining": False, "compile": True}
    assert RunConfig().identity()["compute"] == {"include_pretraining": False}


def test_without_a_cxx_compiler_compile_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "no C++ compiler" in (missing_compile_support(torch.device("cpu")) or "")
    with pytest.raises(ValueError, match=r"compute.compile=true needs .*g\+\+.*compute.compile=false"):
        _fit(dataclasses.replace(TINY, compile=True))


@dataclasses.dataclass(frozen=True)
class _Job:
    fit: FitConfig
    seed: int


def test_the_run_setting_reaches_every_trial_through_the_executor() -> None:
    executor = create_executor(ExecutorConfig(), "cpu", compile=True)
    assert isinstance(executor, FitSettingsExecutor)
    assert isinstance(create_executor(ExecutorConfig(), "cpu"), LocalExecutor)
    seen = executor.map(lambda shared, job: job, None, [_Job(TINY, 0), "not a trial"], ())
    assert seen[0].result == _Job(dataclasses.replace(TINY, compile=True), 0)
    assert seen[1].result == "not a trial"


@pytest.mark.skipif(missing_compile_support(torch.device("cpu")) is not None, reason="no C++ compiler")
def test_a_compiled_fit_trains_like_the_eager_one() -> None:
    eager = _fit(TINY)
    compiled = _fit(dataclasses.replace(TINY, compile=True))
    # Same data, seed and steps: the same dev error up to a kernel's summation order.
    assert compiled == pytest.approx(eager, abs=1 / 32 + 1e-9)
