"""compute.data_parallel: one fit on 2 gloo processes equals one process at the same global batch.

Tolerances (measured on this machine's CPU, torch 2.13, 20 steps of a small CNN at batch 16):

- Without BatchNorm the two ranks' averaged gradient is one process's gradient summed in another order
  (and each rank computes with half the threads): the largest parameter difference measured was 3e-8
  (parameters up to 0.6), the dev errors were identical. We allow 1e-5 absolute: float32 rounding
  grows over steps, and a few hundred ulps is still far below what a bug causes over the same 20 steps
  (measured: gradients summed instead of averaged 0.15, training on one half batch only 0.02).
- With BatchNorm each rank normalises its own half batch (DDP refuses SyncBatchNorm on CPU), so training
  is genuinely different, not merely rounded: parameters differed by ~10% (relative) after 20 steps and
  the dev error by 1/32. No parameter tolerance is claimed there; the test checks steps, FLOPs and
  that it learns.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
import torch
from torch import nn

from nevisbench.config import RunConfig, apply_overrides
from nevisbench.data.synthetic import SyntheticDataset, make_dominant_colour
from nevisbench.executors import ExecutorConfig, create_executor
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.training import FitConfig, FitResult, TaskModel, TrialFailed, fit
from nevisbench.values import Split, TaskKind

CONFIG = FitConfig(max_steps=20, lr=0.05, batch_size=16, image_size=16, validate_every=5, warmup_epochs=1)
PARAMETER_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def data() -> SyntheticDataset:
    return make_dominant_colour(num_classes=3, examples_per_split=64, size=16, seed=0)


def _model(batch_norm: bool) -> TaskModel:
    torch.manual_seed(0)
    model = TaskModel(create_backbone("small_cnn", widths=(8, 8, 16, 16)), 3)
    if not batch_norm:
        for module in list(model.modules()):
            for name, child in module.named_children():
                if isinstance(child, nn.BatchNorm2d):
                    setattr(module, name, nn.Identity())
    return model


def _fit(data: SyntheticDataset, config: FitConfig, *, batch_norm: bool = False,
         progress: list | None = None, device: str = "cpu") -> tuple[FitResult, TaskModel]:
    model = _model(batch_norm)
    result = fit(model, data.split(Split.TRAIN), data.split(Split.DEV), TaskKind.SINGLE_LABEL, config,
                 seed=0, device=torch.device(device), progress=progress.append if progress is not None else None)
    return result, model


def _largest_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a)


def _ranks() -> list[int]:
    """This process's child processes that are data-parallel ranks (Linux /proc)."""
    me, out = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat, argv = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me and b"rank_main" in argv:
                out.append(int(entry.name))
    return out


def test_two_gloo_processes_train_as_one_at_the_same_global_batch(data: SyntheticDataset) -> None:
    one, one_model = _fit(data, CONFIG)
    progress: list[dict] = []
    two, two_model = _fit(data, dataclasses.replace(CONFIG, data_parallel=2), progress=progress)
    assert two.steps == one.steps == 20
    # FLOPs counted once, for the global batch, as one process counts them (not ×2).
    assert two.train_flops == one.train_flops
    assert two.selection_flops == one.selection_flops
    assert [step for step, _ in two.history] == [step for step, _ in one.history]
    assert two.best_dev_error == pytest.approx(one.best_dev_error, abs=1 / 64)
    assert _largest_difference(two.state, one.state) <= PARAMETER_TOLERANCE
    # The caller's model is left trained, as one process leaves it.
    assert _largest_difference(two_model.state_dict(), one_model.state_dict()) <= PARAMETER_TOLERANCE
    assert _largest_difference(two_model.state_dict(), _model(False).state_dict()) > 1e-3
    # Rank 0's validations reach the caller's progress callback.
    assert [info["step"] for info in progress] == [step for step, _ in one.history]


@pytest.mark.gpu
@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 CUDA devices (one per process)")
def test_two_nccl_processes_train_as_one_on_two_gpus(data: SyntheticDataset) -> None:
    # fp32 (amp off): bf16 autocast would round differently in each process's half batch.
    config = dataclasses.replace(CONFIG, amp=False)
    one, _ = _fit(data, config, device="cuda:0")
    two, _ = _fit(data, dataclasses.replace(config, data_parallel=2), device="cuda:0")
    assert two.steps == one.steps and two.train_flops == one.train_flops
    assert two.best_dev_error == pytest.approx(one.best_dev_error, abs=1 / 64)
    # cuDNN may pick other kernels for the half batch (TF32 too): looser than the CPU's bound.
    assert _largest_difference(two.state, one.state) <= 1e-3


def test_with_batchnorm_each_process_normalises_its_share_and_the_fit_still_learns(data: SyntheticDataset) -> None:
    one, _ = _fit(data, CONFIG, batch_norm=True)
    two, _ = _fit(data, dataclasses.replace(CONFIG, data_parallel=2), batch_norm=True)
    assert two.steps == one.steps and two.train_flops == one.train_flops
    assert two.best_dev_error <= 0.2  # chance is 2/3
    assert two.best_dev_error == pytest.approx(one.best_dev_error, abs=0.15)


def test_a_global_batch_that_does_not_divide_is_refused_naming_both_settings(data: SyntheticDataset) -> None:
    with pytest.raises(ValueError, match=r"compute.data_parallel=2 .* batch size 15 \(from options.batch_size\) "
                                         r"does not divide by 2"):
        _fit(data, dataclasses.replace(CONFIG, batch_size=15, data_parallel=2))
    assert not _ranks()


def test_a_diverging_fit_fails_in_the_caller_as_trial_failed_leaving_no_process(data: SyntheticDataset) -> None:
    with pytest.raises(TrialFailed, match="the loss became") as failure:
        _fit(data, dataclasses.replace(CONFIG, lr=1e6, data_parallel=2))
    assert failure.value.flops["train"] > 0 and failure.value.flops["selection"] > 0
    assert not _ranks()


def test_an_error_in_the_ranks_is_raised_in_the_caller_with_its_type(
        data: SyntheticDataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXX", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # the ranks inherit it: torch.compile cannot build kernels
    with pytest.raises(ValueError, match="compute.compile=true needs"):
        _fit(data, dataclasses.replace(CONFIG, compile=True, data_parallel=2))
    assert not _ranks()


def test_the_run_setting_is_checked_and_reaches_every_trial() -> None:
    assert RunConfig().compute.data_parallel == 1
    with pytest.raises(ValueError, match="compute.data_parallel must be an integer of at least 1"):
        apply_overrides(RunConfig(), ["compute.data_parallel=0"])
    config = apply_overrides(RunConfig(), ["compute.data_parallel=2"])
    # Part of the identity when on (BatchNorm sees each process's share); absent at 1, as before.
    assert config.identity()["compute"]["data_parallel"] == 2
    assert "data_parallel" not in RunConfig().identity()["compute"]

    @dataclasses.dataclass(frozen=True)
    class Job:
        fit: FitConfig

    executor = create_executor(ExecutorConfig(), "cpu", data_parallel=2)
    assert executor.map(lambda shared, job: job.fit.data_parallel, None, [Job(CONFIG)], ())[0].result == 2


TINY_RUN = ["--set", "options.backbone=small_cnn", "--set", "options.image_size=16", "--set", "options.max_steps=6",
            "--set", "options.validate_every=3", "--set", "options.trials=1", "--set", "options.batch_size=32",
            "--set", "stream.stop_year=1999"]


def test_a_run_with_two_processes_per_trial_counts_the_flops_of_one(tmp_path: Path) -> None:
    from nevisbench.cli import main

    tiny = TINY_RUN
    totals = {}
    for processes in (1, 2):
        workdir = tmp_path / f"dp{processes}"
        assert main(["run", "--workdir", str(workdir), *tiny, "--set", f"compute.data_parallel={processes}"]) == 0
        summary = json.loads((workdir / "summary.json").read_text())
        totals[processes] = summary["usage"]
    assert totals[2] == totals[1]  # train, selection and predict FLOPs (and parameter counts)
    assert json.loads((tmp_path / "dp2" / "config.json").read_text())["compute"]["data_parallel"] == 2


def test_pretrain_with_two_processes_counts_the_flops_of_one(data: SyntheticDataset, tmp_path: Path) -> None:
    from nevisbench.learners.pretrained import PretrainConfig, pretrain, read_backbone

    records = {}
    for processes in (1, 2):
        config = PretrainConfig(backbone="small_cnn", max_steps=6, image_size=16, batch_size=16, validate_every=3,
                                data_parallel=processes)
        records[processes] = pretrain([data], config, tmp_path / f"dp{processes}.pt")
    assert records[2]["flops"] == records[1]["flops"]
    assert [fit["steps"] for fit in records[2]["fits"]] == [6]
    assert records[2]["config"]["data_parallel"] == 2
    assert read_backbone(tmp_path / "dp2.pt")[0] == "small_cnn"


def test_a_process_executor_worker_starts_the_ranks(data: SyntheticDataset) -> None:
    # Its workers are daemonic processes, which may not have multiprocessing children: the ranks are
    # plain subprocesses.
    from nevisbench.executors import ProcessExecutor
    from nevisbench.learners.hparams import Trial
    from nevisbench.learners.search import TrialJob, TrialShared, run_trial

    shared = TrialShared(backbone="small_cnn", num_classes=3, kind=TaskKind.SINGLE_LABEL,
                         initial=TaskModel(create_backbone("small_cnn"), 3).state_dict(), train=data.split(Split.TRAIN),
                         dev=data.split(Split.DEV),
                         device="cpu")
    jobs = [TrialJob(Trial(index=0, lr=0.05, label_smoothing=0.0), dataclasses.replace(CONFIG, max_steps=4), seed=0)]
    executor = create_executor(ExecutorConfig(kind="process", workers=1, cpus_per_trial=2), "cpu", data_parallel=2)
    try:
        outcome = executor.map(run_trial, shared, jobs, (TrialFailed,))[0]
    finally:
        executor.close()
    assert outcome.error is None, outcome.error
    assert isinstance(executor.inner, ProcessExecutor)
    assert outcome.result.train_flops == run_trial(shared, jobs[0]).train_flops


@pytest.mark.parametrize("train", [True, False])
def test_each_process_reads_and_augments_exactly_its_rows_of_the_whole_batch(data: SyntheticDataset,
                                                                             train: bool) -> None:
    from nevisbench.data.batches import Batches

    def batches(shard: tuple[int, int]) -> Batches:
        return Batches(data.split(Split.TRAIN), 16, seed=3, train=train, size=12, shard=shard)

    whole, halves = batches((0, 1)), [batches((0, 2)), batches((1, 2))]
    for step in (0, 5):  # step 5 wraps into the second epoch
        images, targets = whole.batch(step)
        for k, half in enumerate(halves):
            part_images, part_targets = half.batch(step)
            assert torch.equal(part_images, images[8 * k:8 * (k + 1)])
            assert torch.equal(part_targets, targets[8 * k:8 * (k + 1)])
    with pytest.raises(ValueError, match="n dividing batch_size 16"):
        batches((0, 3))


def test_a_killed_rank_ends_the_fit_with_an_error_naming_it_and_no_process_left(data: SyntheticDataset) -> None:
    import signal
    import threading

    started = threading.Event()

    def kill_rank_1() -> None:
        started.wait()
        for pid in _ranks():
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[-2:-1] == [b"1"]:
                os.kill(pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_rank_1)
    killer.start()
    # Long enough never to end by itself before the kill; the first validation says the ranks run.
    config = dataclasses.replace(CONFIG, max_steps=100_000, validate_every=100_000, data_parallel=2)
    try:
        with pytest.raises(RuntimeError, match=r"process 1 of the data-parallel fit ended with exit code -9"):
            model = _model(False)
            fit(model, data.split(Split.TRAIN), data.split(Split.DEV), TaskKind.SINGLE_LABEL, config, seed=0,
                device=torch.device("cpu"), progress=lambda info: started.set())
    finally:
        started.set()
        killer.join()
    assert not _ranks()


def test_a_run_whose_batch_does_not_divide_stops_with_one_line_saying_what_to_set(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nevisbench.cli import main

    assert main(["run", "--workdir", str(tmp_path / "run"), *TINY_RUN, "--set", "compute.data_parallel=3"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err
    assert "batch size 32 (from options.batch_size) does not divide by 3: set options.batch_size to a multiple of 3" in err
