"""FLOP counting with torch's FlopCounterMode, measured once per (architecture, input shape) and multiplied by steps.

Convention: a count of floating-point operations with 1 multiply-add = 2 FLOPs, the convention of the
reference's XLA numbers. ``FlopCounterMode`` counts matrix multiplications and convolutions (forward and
backward: ``2·m·n·k`` for an ``m×k @ k×n`` product); element-wise work (BN, ReLU, pooling, the loss,
the optimizer update) is not counted, as in the reference's torch port. Tests pin the closed forms.

Counts come from running the model once on *meta* tensors (shapes only, no data, no side effects on
the real parameters, BN statistics or gradients); a model that cannot run on meta tensors is counted
on a throw-away deep copy instead. The meta run swaps the parameters in for its duration
(``torch.func.functional_call``), so do not count a model while another thread runs it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call
from torch.utils.flop_counter import FlopCounterMode

from nevisbench.values import ResourceUsage, TaskKind

# The categories every learner reports (DESIGN.md §3, "Compute accounting").
CATEGORIES: tuple[str, ...] = ("train", "selection", "predict")

LossSpec = TaskKind | Callable[[torch.Tensor], torch.Tensor]


def count_flops(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Runs ``fn(*args, **kwargs)`` once and returns the FLOPs it spent (not cached).

    ``display=False`` matters: the display path imports ``tabulate``, which is not a dependency.
    """
    with FlopCounterMode(display=False) as counter:
        fn(*args, **kwargs)
    return int(counter.get_total_flops())


def architecture_signature(model: nn.Module) -> str:
    """A stable digest of what determines a model's FLOPs: its module tree and parameter shapes.

    The module tree's ``repr`` names every module class and its configuration (kernel sizes, strides,
    ...); parameter shapes and ``requires_grad`` flags (a frozen backbone computes no weight
    gradients) and the train/eval mode complete it. Two models with equal signatures are assumed to
    run the same forward.
    """
    parts = [type(model).__module__, type(model).__qualname__, repr(model), str(model.training)]
    parts += [f"{name}:{tuple(p.shape)}:{p.requires_grad}" for name, p in model.named_parameters()]
    parts += [f"{name}:{tuple(b.shape)}" for name, b in model.named_buffers()]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


@dataclasses.dataclass
class _Cache:
    """Per-step counts keyed by (what, architecture signature, input shape, loss)."""

    counts: dict[tuple[Any, ...], int] = dataclasses.field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


_CACHE = _Cache()


def flop_cache_info() -> dict[str, int]:
    """Hits, misses and size of the per-shape count cache (each miss ran one counting pass)."""
    with _CACHE.lock:
        return {"hits": _CACHE.hits, "misses": _CACHE.misses, "size": len(_CACHE.counts)}


def clear_flop_cache() -> None:
    """Forgets every cached count (tests use it)."""
    with _CACHE.lock:
        _CACHE.counts.clear()
        _CACHE.hits = _CACHE.misses = 0


def _cached(key: tuple[Any, ...], measure: Callable[[], int]) -> int:
    with _CACHE.lock:
        if key in _CACHE.counts:
            _CACHE.hits += 1
            return _CACHE.counts[key]
    # Measure outside the lock: a race costs at most a duplicate count of the same value.
    flops = measure()
    with _CACHE.lock:
        _CACHE.misses += 1
        _CACHE.counts[key] = flops
    return flops


def _loss_key(loss: LossSpec) -> str:
    # Callables are keyed by their qualified name: two different losses with one name (e.g. two
    # lambdas in one function) share an entry; losses rarely hold counted FLOPs anyway.
    if isinstance(loss, TaskKind):
        return loss.value
    return f"{getattr(loss, '__module__', '')}.{getattr(loss, '__qualname__', type(loss).__qualname__)}"


def _loss_callable(loss: LossSpec) -> Callable[[torch.Tensor], torch.Tensor]:
    if not isinstance(loss, TaskKind):
        return loss
    # The heads' losses (softmax / sigmoid cross-entropy) on dummy targets: their element-wise work
    # is not counted, so which targets and smoothing does not matter; only the backward pass does.
    # (Written here rather than imported from learners.nn.heads: compute sits below learners.)

    def task_loss(logits: torch.Tensor) -> torch.Tensor:
        if loss is TaskKind.SINGLE_LABEL:
            targets = torch.zeros(logits.shape[0], dtype=torch.long, device=logits.device)
            return F.cross_entropy(logits, targets)
        return F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))

    return task_loss


def _run_step(
    model: nn.Module,
    images: torch.Tensor,
    loss: Callable | None,
    state: dict[str, torch.Tensor] | None,
) -> None:
    outputs = model(images) if state is None else functional_call(model, state, (images,))
    if loss is not None:
        loss(outputs).backward()


def _measure(model: nn.Module, input_shape: tuple[int, ...], loss: Callable | None) -> int:
    train = loss is not None
    with torch.inference_mode(False), torch.set_grad_enabled(train):
        try:
            # Meta copies of every parameter and buffer: the real ones see no update, no gradient.
            state = {
                n: torch.empty_like(p, device="meta").requires_grad_(p.requires_grad)
                for n, p in model.named_parameters()
            }
            state.update({n: torch.empty_like(b, device="meta") for n, b in model.named_buffers()})
            images = torch.zeros(input_shape, device="meta")
            return count_flops(_run_step, model, images, loss, state)
        except (NotImplementedError, RuntimeError, TypeError):
            # E.g. data-dependent control flow (a value read from a tensor) or an op without a
            # meta kernel: count a real step of a throw-away copy instead.
            twin = copy.deepcopy(model)
            device = next((p.device for p in twin.parameters()), torch.device("cpu"))
            images = torch.zeros(input_shape, device=device)
            return count_flops(_run_step, twin, images, loss, None)


# model -> (fingerprint, signature): evaluation loops ask for every batch, and a full signature
# costs ~2 ms for a ResNet-34 (a sizeable fraction of a GPU forward pass); the memo costs ~1 µs.
_SIGNATURES: weakref.WeakKeyDictionary[nn.Module, tuple[tuple[Any, ...], str]] = (
    weakref.WeakKeyDictionary()
)


def _forward_signature(model: nn.Module) -> str:
    # The fingerprint catches a mode change and a replaced top-level child (e.g. a new head); deeper
    # in-place surgery on a model already counted is not detected: count a new model object instead.
    fingerprint = (
        model.training,
        tuple(map(id, model.children())),
        tuple(map(id, model._parameters.values())),
    )
    memo = _SIGNATURES.get(model)
    if memo is not None and memo[0] == fingerprint:
        return memo[1]
    signature = architecture_signature(model)
    _SIGNATURES[model] = (fingerprint, signature)
    return signature


def forward_flops(model: nn.Module, input_shape: tuple[int, ...] | torch.Size) -> int:
    """FLOPs of one forward pass of ``model`` on a batch of ``input_shape`` (evaluation, prediction).

    Measured once per (architecture signature, input shape) and cached; the batch size is part of
    the shape, so a last partial batch is one more (cheap) measurement. Cheap enough to call for
    every batch.
    """
    shape = tuple(int(s) for s in input_shape)
    key = ("forward", _forward_signature(model), shape)
    return _cached(key, lambda: _measure(model, shape, None))


def train_step_flops(
    model: nn.Module, loss: LossSpec, input_shape: tuple[int, ...] | torch.Size
) -> int:
    """FLOPs of one training step: the forward pass, the loss and the backward pass (no optimizer).

    Measured once per (architecture signature incl. which parameters require gradients, input shape,
    loss) and cached.

    Args:
        model: the model (backbone + head) as trained.
        loss: a task kind (the head's loss on dummy targets) or a callable ``logits -> scalar loss``.
        input_shape: the batch shape, e.g. ``(256, 3, 64, 64)``.
    """
    shape = tuple(int(s) for s in input_shape)
    key = ("train_step", architecture_signature(model), shape, _loss_key(loss))
    return _cached(key, lambda: _measure(model, shape, _loss_callable(loss)))


def peak_parameters(model: nn.Module) -> tuple[int, int]:
    """The parameter count and parameter bytes of ``model`` (buffers such as BN statistics excluded)."""
    count = size = 0
    for parameter in model.parameters():
        count += parameter.numel()
        size += parameter.numel() * parameter.element_size()
    return count, size


def resource_usage(flops: int, *models: nn.Module) -> ResourceUsage:
    """A ``ResourceUsage`` of ``flops`` whose peaks are the parameters of ``models`` held together."""
    count = size = 0
    for model in models:
        c, s = peak_parameters(model)
        count, size = count + c, size + s
    return ResourceUsage(flops=int(flops), peak_parameter_count=count, peak_parameter_bytes=size)


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown compute category {category!r}; use one of {list(CATEGORIES)}")


class FlopMeter:
    """FLOPs per category, accumulated as (per-step count) × (number of steps)."""

    def __init__(self) -> None:
        self.flops: dict[str, int] = dict.fromkeys(CATEGORIES, 0)

    def add(self, category: str, flops_per_step: int, steps: int = 1) -> None:
        """Adds ``steps`` steps of ``flops_per_step`` to ``category`` (train, selection or predict)."""
        _check_category(category)
        self.flops[category] += int(flops_per_step) * int(steps)

    @property
    def total(self) -> int:
        return sum(self.flops.values())

    def usage(self, *models: nn.Module) -> dict[str, ResourceUsage]:
        """``ResourceUsage`` per category, with the parameter peaks of ``models`` (held together)."""
        return {category: resource_usage(flops, *models) for category, flops in self.flops.items()}


class Stopwatch:
    """Wall-clock seconds per category.

    Args:
        device: on a CUDA device, the timer synchronises at both ends so that queued kernels are
            charged to the category that launched them.
    """

    def __init__(self, device: torch.device | None = None) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
        self._sync = device is not None and torch.device(device).type == "cuda"
        self._device = device

    def add(self, category: str, seconds: float) -> None:
        _check_category(category)
        self.seconds[category] += float(seconds)

    @contextlib.contextmanager
    def time(self, category: str) -> Iterator[None]:
        """Times the ``with`` body and adds it to ``category``."""
        _check_category(category)
        if self._sync:
            torch.cuda.synchronize(self._device)
        started = time.perf_counter()
        try:
            yield
        finally:
            if self._sync:
                torch.cuda.synchronize(self._device)
            self.add(category, time.perf_counter() - started)
