"""The shared fit loop: SGD-Nesterov, warmup-cosine, label smoothing, dev validation, best-dev parameters."""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import shutil
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from nevisbench.compute.flops import forward_flops, train_step_flops
from nevisbench.data.batches import Batches, adaptive_batch_size, eval_batches
from nevisbench.data.store import StoredSplit
from nevisbench.learners.distributed import ONE_PROCESS, Ranks, fit_data_parallel
from nevisbench.learners.nn.heads import create_head, error_count, loss, probabilities
from nevisbench.learners.nn.optim import make_optimizer, make_scheduler, warmup_steps_for
from nevisbench.values import TaskKind

_FINITE_CHECK_EVERY = 10


class TrialFailed(RuntimeError):
    """A training run could not finish (e.g. its loss became NaN or infinite).

    Attributes:
        flops: the FLOPs it spent before failing, per category (they count like any other).
    """

    def __init__(self, message: str, flops: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.flops = dict(flops or {})


class TaskModel(nn.Module):
    """A backbone and one linear head: the model of one task."""

    def __init__(self, backbone: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = create_head(backbone.embedding_dim, num_classes)
        self.backbone_frozen = False

    def freeze_backbone(self) -> None:
        """Trains the head only: backbone parameters get no gradient (and no optimizer state), and its
        BN statistics stay as they are (the backbone stays in eval mode)."""
        self.backbone_frozen = True
        for parameter in self.backbone.parameters():
            parameter.requires_grad_(False)
        self.backbone.eval()

    def train(self, mode: bool = True) -> TaskModel:
        super().train(mode)
        if self.backbone_frozen:
            self.backbone.eval()
        return self

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(images))


@dataclasses.dataclass(frozen=True)
class FitConfig:
    """Hyperparameters of one training run (one trial).

    Attributes:
        max_steps: optimizer steps (the reference always runs all of them: early stopping is off).
        lr: peak learning rate after warmup.
        label_smoothing: label smoothing of the training loss.
        batch_size: training batch size; None: the reference's adaptive rule (§4.8).
        max_batch_size: the adaptive rule's cap.
        weight_decay: on conv/linear weights only.
        momentum: SGD Nesterov momentum.
        warmup_epochs: linear warmup length in epochs (capped at max_steps - 1).
        end_lr: the cosine schedule's final value.
        validate_every: dev evaluation period in steps (also at step 0 and after the last step).
        early_stopping_patience: stop after this many validations without improvement; None: never
            (the reference's effective behaviour, whose grace equals max_steps).
        image_size: side of the images the model sees.
        eval_batch_size: batch size of dev evaluation and prediction.
        amp: bf16 autocast; None: on for CUDA, off on CPU.
        channels_last: channels-last memory format; None: on for CUDA.
        compile: train through ``torch.compile(model)`` (``compute.compile``); dev evaluation and
            FLOP counting use the eager model.
        data_parallel: train with this many processes under DDP (``compute.data_parallel``), each on
            its share of every batch (``batch_size`` is the global batch); see learners/distributed.py.
    """

    max_steps: int
    lr: float
    label_smoothing: float = 0.0
    batch_size: int | None = None
    max_batch_size: int = 512
    weight_decay: float = 1e-4
    momentum: float = 0.9
    warmup_epochs: int = 7
    end_lr: float = 1e-8
    validate_every: int = 1000
    early_stopping_patience: int | None = None
    image_size: int = 64
    eval_batch_size: int = 256
    amp: bool | None = None
    channels_last: bool | None = None
    compile: bool = False
    data_parallel: int = 1


@dataclasses.dataclass
class FitResult:
    """What one training run produced.

    Attributes:
        state: the parameters (and BN statistics) at the best dev error, on the CPU.
        best_dev_error: the lowest dev error seen (the search's cost: it matches the kept parameters).
        final_dev_error: the dev error after the last step.
        best_step: the step of the best dev error.
        steps: steps taken.
        train_flops: forward + backward FLOPs of every step.
        selection_flops: FLOPs of the dev evaluations.
        wall_seconds: wall-clock of training and of dev evaluation (on CUDA synchronised at the
            boundaries of each stretch of training steps, so queued kernels count where they ran).
        history: (step, dev error) of every validation.
        train_images: training images seen (steps × batch size); images/s and FLOP/s are this and
            ``train_flops`` over ``wall_seconds["train"]`` (``compute/throughput.py``). 0 in a trial
            checkpointed before the field existed.
    """

    state: dict[str, torch.Tensor]
    best_dev_error: float
    final_dev_error: float
    best_step: int
    steps: int
    train_flops: int
    selection_flops: int
    wall_seconds: dict[str, float]
    history: list[tuple[int, float]]
    train_images: int = 0


# The C++ compilers TorchInductor looks for on CPU, after $CXX.
_CXX_COMPILERS = ("g++", "c++", "clang++")


def missing_compile_support(device: torch.device) -> str | None:
    """Why ``torch.compile`` cannot build kernels for ``device`` here, or None when it can.

    On CPU TorchInductor writes C++ and builds it with ``$CXX`` or the first of g++, c++, clang++ on
    PATH; without one, the first compiled step would fail deep inside the compiler with a long trace.
    """
    if device.type != "cpu":
        return None  # CUDA kernels are Triton's: it ships its own compiler
    candidates = [os.environ["CXX"]] if os.environ.get("CXX") else list(_CXX_COMPILERS)
    if any(shutil.which(name) for name in candidates):
        return None
    return f"no C++ compiler on PATH (looked for {', '.join(candidates)})"


def compiled_forward(model: TaskModel, device: torch.device) -> Callable[[torch.Tensor], torch.Tensor]:
    """``torch.compile(model)``: the training forward of ``compute.compile=true``.

    Raises:
        ValueError: TorchInductor cannot build kernels here (no C++ compiler on CPU).
    """
    missing = missing_compile_support(device)
    if missing:
        raise ValueError(f"compute.compile=true needs TorchInductor's C++ toolchain on CPU: {missing}; "
                         "install one (apt-get install g++) or set compute.compile=false")
    with warnings.catch_warnings():
        # Inductor's first import loads torch.utils.mkldnn, which uses torch's own deprecated
        # torch.jit.script_method: torch's warning, not ours to act on.
        warnings.filterwarnings("ignore", "`torch.jit.script_method` is deprecated", DeprecationWarning)
        return torch.compile(model)


def _use(flag: bool | None, device: torch.device) -> bool:
    return device.type == "cuda" if flag is None else flag


def evaluate(
    model: TaskModel,
    data: StoredSplit,
    kind: TaskKind,
    *,
    image_size: int,
    batch_size: int,
    device: torch.device,
    amp: bool | None = None,
    channels_last: bool | None = None,
    want_probabilities: bool = False,
) -> tuple[float, int, np.ndarray | None]:
    """Evaluates ``model`` on every example of ``data`` once.

    Returns:
        the error (single-label: fraction misclassified; multi-label: mean per-label error at 0.5),
        weighted by example — the reference's mean of per-batch means over-weights the last batch
        (its Q10) —, the forward FLOPs spent, and the probabilities if asked for.
    """
    model.eval()
    errors, count, flops = 0.0, 0, 0
    outputs = []
    memory_format = torch.channels_last if _use(channels_last, device) else torch.contiguous_format
    with (
        torch.inference_mode(),
        torch.autocast(device.type, torch.bfloat16, enabled=_use(amp, device)),
    ):
        for images, targets in eval_batches(
            data,
            batch_size,
            size=image_size,
            device=device,
            kind=kind,
            num_classes=model.head.out_features,
        ):
            images = images.contiguous(memory_format=memory_format)
            logits = model(images).float()
            flops += forward_flops(model, tuple(images.shape))
            errors += float(error_count(logits, targets, kind))
            count += len(images)
            if want_probabilities:
                outputs.append(probabilities(logits, kind).cpu().numpy())
    probs = np.concatenate(outputs) if want_probabilities and outputs else None
    if want_probabilities and probs is None:
        probs = np.zeros((0, model.head.out_features), dtype=np.float32)
    return (errors / count if count else float("nan")), flops, probs


def fit(
    model: TaskModel,
    train: StoredSplit,
    dev: StoredSplit,
    kind: TaskKind,
    config: FitConfig,
    *,
    seed: int,
    device: torch.device,
    progress: Callable[[dict[str, Any]], None] | None = None,
    ranks: Ranks = ONE_PROCESS,
) -> FitResult:
    """Trains ``model`` in place and returns the best-dev parameters with the compute spent.

    With ``config.data_parallel`` > 1 the training runs in that many processes
    (``learners/distributed.py``), each calling this function with its ``ranks``.

    Raises:
        TrialFailed: the loss became NaN or infinite.
        ValueError: the batch size does not divide by ``config.data_parallel``.
    """
    if config.data_parallel > 1 and ranks is ONE_PROCESS:
        return fit_data_parallel(model, train, dev, kind, config, seed=seed, device=device, progress=progress)
    if len(train) == 0 or len(dev) == 0:
        raise TrialFailed(f"cannot train: {len(train)} train and {len(dev)} dev examples")
    batch_size = config.batch_size or adaptive_batch_size(
        len(train), max_batch_size=config.max_batch_size
    )
    num_classes = model.head.out_features
    batches = Batches(
        train,
        batch_size,
        seed=seed,
        train=True,
        size=config.image_size,
        device=device,
        kind=kind,
        num_classes=num_classes,
        shard=(ranks.rank, ranks.world),  # each process reads and augments its share of every batch
    )
    model.to(device)
    memory_format = (
        torch.channels_last if _use(config.channels_last, device) else torch.contiguous_format
    )
    model.to(memory_format=memory_format)
    optimizer = make_optimizer(
        model, config.lr, weight_decay=config.weight_decay, momentum=config.momentum
    )
    warmup = warmup_steps_for(len(train), batch_size, config.max_steps, config.warmup_epochs)
    schedule = make_scheduler(optimizer, warmup_steps=warmup, total_steps=config.max_steps, end_lr=config.end_lr)
    amp = _use(config.amp, device)
    input_shape = (batch_size, 3, config.image_size, config.image_size)
    step_flops = train_step_flops(model, kind, input_shape)
    # The compiled module shares the model's parameters; FLOPs and dev evaluation use the eager one.
    # FLOPs are the global batch's, counted once whatever the number of processes.
    trained = ranks.wrap(model)
    forward = compiled_forward(trained, device) if config.compile else trained

    def validate(step: int) -> float:
        nonlocal selection_flops, eval_seconds
        if not ranks.is_main:
            return math.nan  # the first process validates (and keeps the best-dev parameters)
        started = time.perf_counter()
        dev_error, flops, _ = evaluate(
            model,
            dev,
            kind,
            image_size=config.image_size,
            batch_size=config.eval_batch_size,
            device=device,
            amp=config.amp,
            channels_last=config.channels_last,
        )
        selection_flops += flops
        eval_seconds += time.perf_counter() - started
        history.append((step, dev_error))
        if progress is not None:
            progress({"step": step, "max_steps": config.max_steps, "dev_error": dev_error})
        return dev_error

    def clock() -> float:
        # CUDA queues kernels: wait for them at the boundaries of each stretch of training steps, so
        # that train time is honest without a sync per step (the dev evaluations sync anyway).
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    history: list[tuple[int, float]] = []
    selection_flops, eval_seconds, train_seconds = 0, 0.0, 0.0
    best_error, best_step, best_state, stale = math.inf, 0, None, 0
    steps = 0
    started: float | None = None  # when the current stretch of training steps began
    for step in range(config.max_steps):
        if step % config.validate_every == 0:
            if started is not None:
                train_seconds += clock() - started
                started = None
            dev_error = validate(step)
            stop = False
            if dev_error < best_error:
                best_error, best_step, stale = dev_error, step, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += 1
                patience = config.early_stopping_patience
                stop = patience is not None and stale >= patience
            if ranks.agree(stop):  # the first process decides for all
                break
            model.train()
        if started is None:
            started = clock()
        images, targets = batches.batch(step)
        images = images.contiguous(memory_format=memory_format)
        with torch.autocast(device.type, torch.bfloat16, enabled=amp):
            logits = forward(images)
        value = loss(logits.float(), targets, kind, config.label_smoothing)
        # Reading the loss forces a device sync: check it every few steps (a NaN stays NaN).
        if step % _FINITE_CHECK_EVERY == 0 and not torch.isfinite(checked := ranks.mean(value)):
            raise TrialFailed(f"the loss became {checked.item()} at step {step} (lr {config.lr:.3g})",
                              {"train": step_flops * (steps + 1), "selection": selection_flops})
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
        schedule.step()
        steps += 1
    if started is not None:
        train_seconds += clock() - started
    batches.close()
    if steps and not torch.isfinite(checked := ranks.mean(value)):
        raise TrialFailed(f"the loss became {checked.item()} by step {steps} (lr {config.lr:.3g})",
                          {"train": step_flops * steps, "selection": selection_flops})
    final_error = validate(steps)
    if final_error < best_error or best_state is None:
        best_error, best_step = final_error, steps
        best_state = copy.deepcopy(model.state_dict())
    return FitResult(
        state={k: v.detach().to("cpu", copy=True) for k, v in best_state.items()},
        best_dev_error=best_error,
        final_dev_error=final_error,
        best_step=best_step,
        steps=steps,
        train_flops=step_flops * steps,
        selection_flops=selection_flops,
        wall_seconds={"train": train_seconds, "selection": eval_seconds},
        history=history,
        train_images=steps * batch_size,
    )
