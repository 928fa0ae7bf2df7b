"""FLOP counting pins the convention (1 multiply-add = 2 FLOPs) to closed forms and counts once per shape."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nevisbench.compute.flops import (
    FlopMeter,
    Stopwatch,
    clear_flop_cache,
    count_flops,
    flop_cache_info,
    forward_flops,
    peak_parameters,
    resource_usage,
    train_step_flops,
)
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.values import ResourceUsage, TaskKind


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    clear_flop_cache()


def _backward(module: nn.Module, x: torch.Tensor) -> None:
    module(x).sum().backward()


@pytest.mark.parametrize("bias", [False, True])
def test_linear_forward_is_two_flops_per_multiply_add(bias: bool) -> None:
    b, n_in, n_out = 8, 16, 4
    layer = nn.Linear(n_in, n_out, bias=bias)
    assert count_flops(layer, torch.zeros(b, n_in)) == 2 * b * n_in * n_out


def test_linear_backward_counts_the_gradients_it_computes() -> None:
    b, n_in, n_out = 8, 16, 4
    layer = nn.Linear(n_in, n_out)
    forward = 2 * b * n_in * n_out
    # Forward + weight gradient (the input needs none) ...
    assert count_flops(_backward, layer, torch.zeros(b, n_in)) == forward + forward
    # ... + input gradient when the input requires one: backward = 2 × forward.
    assert count_flops(_backward, layer, torch.zeros(b, n_in, requires_grad=True)) == 3 * forward


def test_conv_forward_closed_form() -> None:
    b, c_in, c_out, k = 2, 3, 8, 3
    conv = nn.Conv2d(c_in, c_out, k, stride=2, padding=1)
    h_out = w_out = 8  # 16×16 input, stride 2
    assert (
        count_flops(conv, torch.zeros(b, c_in, 16, 16))
        == 2 * b * c_out * h_out * w_out * c_in * k * k
    )


def _closed_form_forward(model: nn.Module, images: torch.Tensor) -> tuple[int, int]:
    """Σ over conv/linear layers of 2·(multiply-adds), from a real forward's shapes; and the first conv's share."""
    terms: list[int] = []

    def hook(module: nn.Module, inputs: tuple[torch.Tensor], output: torch.Tensor) -> None:
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            terms.append(2 * output.numel() * module.in_channels // module.groups * kh * kw)
        else:
            terms.append(2 * output.numel() * module.in_features)

    hooks = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    with torch.no_grad():
        model.eval()(images)
    for h in hooks:
        h.remove()
    return sum(terms), terms[0]


def test_resnet18_cifar_step_equals_the_sum_of_closed_forms() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(create_backbone("resnet18_cifar"), nn.Linear(512, 10)).train()
    shape = (2, 3, 64, 64)
    forward, stem = _closed_form_forward(model, torch.zeros(shape))
    model.train()
    assert forward_flops(model, shape) == forward
    # Backward = weight gradients + input gradients = 2 × forward, except the stem's input gradient
    # (images need none).
    assert train_step_flops(model, TaskKind.SINGLE_LABEL, shape) == 3 * forward - stem
    # The same under channels-last, and a fresh uncached count of a real step agrees.
    real = count_flops(
        _backward, model, torch.zeros(shape).contiguous(memory_format=torch.channels_last)
    )
    assert real == 3 * forward - stem


def test_frozen_backbone_costs_forward_plus_head_weight_gradient() -> None:
    backbone = create_backbone("small_cnn")
    backbone.requires_grad_(False)
    model = nn.Sequential(backbone, nn.Linear(128, 5))
    shape = (4, 3, 32, 32)
    assert (
        train_step_flops(model, TaskKind.MULTI_LABEL, shape)
        == forward_flops(model, shape) + 2 * 4 * 128 * 5
    )


def test_counts_are_cached_per_architecture_and_shape() -> None:
    model = nn.Sequential(create_backbone("small_cnn"), nn.Linear(128, 3))
    shape = (4, 3, 32, 32)
    first = train_step_flops(model, TaskKind.SINGLE_LABEL, shape)
    assert first == count_flops(_backward, model, torch.zeros(shape))
    assert flop_cache_info()["misses"] == 1
    # Another object of the same architecture reuses the count: the overhead is one-off per shape.
    twin = nn.Sequential(create_backbone("small_cnn"), nn.Linear(128, 3))
    assert train_step_flops(twin, TaskKind.SINGLE_LABEL, shape) == first
    assert flop_cache_info() == {"hits": 1, "misses": 1, "size": 1}
    for _ in range(3):
        forward_flops(model, shape)
    assert flop_cache_info()["misses"] == 2
    forward_flops(model, (1, 3, 32, 32))  # a last partial batch is another shape
    assert flop_cache_info()["misses"] == 3


def test_a_replaced_head_is_a_new_architecture() -> None:
    model = nn.Sequential()
    model.add_module("backbone", create_backbone("small_cnn"))
    model.add_module("head", nn.Linear(128, 3))
    shape = (2, 3, 32, 32)
    before = forward_flops(model, shape)
    model.head = nn.Linear(128, 7)
    assert forward_flops(model, shape) == before + 2 * 2 * 128 * (7 - 3)


def test_counting_leaves_the_model_untouched() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(create_backbone("small_cnn"), nn.Linear(128, 3)).train()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    train_step_flops(model, TaskKind.SINGLE_LABEL, (4, 3, 32, 32))
    forward_flops(model, (4, 3, 32, 32))
    assert all(p.grad is None for p in model.parameters())
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key  # BN statistics included
    assert model.training


class _DataDependentModel(nn.Module):
    """Branches on a value, which a meta (shape-only) run cannot compute."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(4, 3)
        self.projection = nn.Linear(3, 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.layer(x)
        return self.projection(y) if bool(y.abs().sum() >= 0) else y[:, :2]


def test_a_model_that_cannot_run_on_meta_is_counted_on_a_copy() -> None:
    model = _DataDependentModel()
    b = 5
    assert forward_flops(model, (b, 4)) == 2 * b * 4 * 3 + 2 * b * 3 * 2
    # Backward: both weight gradients and the projection's input gradient; none reaches ``model``.
    expected = 2 * b * 4 * 3 * 2 + 2 * b * 3 * 2 * 3
    assert train_step_flops(model, lambda logits: logits.sum(), (b, 4)) == expected
    assert all(p.grad is None for p in model.parameters())


def test_peaks_and_resource_usage() -> None:
    layer = nn.Linear(3, 4)  # 12 weights + 4 biases, float32
    assert peak_parameters(layer) == (16, 64)
    assert peak_parameters(nn.Linear(3, 4).to(torch.float64)) == (16, 128)
    assert resource_usage(10, layer, nn.Linear(1, 1, bias=False)) == ResourceUsage(10, 17, 68)


def test_meter_multiplies_per_step_counts_by_steps() -> None:
    meter = FlopMeter()
    meter.add("train", 300, steps=10)
    meter.add("selection", 100, steps=2)
    meter.add("predict", 7)
    assert meter.flops == {"train": 3000, "selection": 200, "predict": 7}
    assert meter.total == 3207
    usage = meter.usage(nn.Linear(3, 4))
    assert usage["train"] == ResourceUsage(3000, 16, 64)
    with pytest.raises(ValueError, match="train, selection|'train'"):
        meter.add("eval", 1)


def test_stopwatch_accumulates_per_category() -> None:
    watch = Stopwatch()
    with watch.time("train"):
        pass
    with watch.time("train"):
        pass
    watch.add("predict", 1.5)
    assert watch.seconds["train"] >= 0.0 and watch.seconds["predict"] == 1.5
    with pytest.raises(ValueError, match="compute category"):
        watch.add("validation", 1.0)


def test_counts_inside_inference_mode_and_autocast_match() -> None:
    # The evaluation loop asks under inference mode and (on CUDA) bf16 autocast, with channels-last.
    model = nn.Sequential(create_backbone("small_cnn"), nn.Linear(128, 3))
    model.to(memory_format=torch.channels_last)
    shape = (4, 3, 32, 32)
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16):
        inside = (
            forward_flops(model, shape),
            train_step_flops(model, TaskKind.SINGLE_LABEL, shape),
        )
    clear_flop_cache()
    assert inside == (
        forward_flops(model, shape),
        train_step_flops(model, TaskKind.SINGLE_LABEL, shape),
    )
