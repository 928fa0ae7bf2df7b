"""Backbones, heads, optimizer and schedule: the reference's architecture, losses and learning-rate curve."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nevisbench.learners.nn.backbones import create_backbone, list_backbones
from nevisbench.learners.nn.heads import create_head, error, error_count, loss, probabilities
from nevisbench.learners.nn.optim import (
    make_optimizer,
    make_scheduler,
    warmup_cosine,
    warmup_cosine_factor,
    warmup_steps_for,
)
from nevisbench.values import TaskKind

SINGLE, MULTI = TaskKind.SINGLE_LABEL, TaskKind.MULTI_LABEL


# ------------------------------------------------------------------------------------------ backbones


def test_registry_lists_the_backbones_and_suggests_close_names() -> None:
    assert set(list_backbones()) >= {
        "resnet18",
        "resnet34",
        "resnet18_cifar",
        "resnet34_cifar",
        "small_cnn",
    }
    assert list_backbones("*cifar") == ["resnet18_cifar", "resnet34_cifar"]
    with pytest.raises(KeyError, match="resnet34_cifar"):
        create_backbone("resnet34_cifr")


@pytest.mark.parametrize("name", list_backbones())
def test_backbone_embeds_nchw_and_channels_last_alike(name: str) -> None:
    torch.manual_seed(0)
    model = create_backbone(name).eval()
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        plain = model(images)
        model.to(memory_format=torch.channels_last)
        last = model(images.contiguous(memory_format=torch.channels_last))
    assert plain.shape == (2, model.embedding_dim)
    torch.testing.assert_close(last, plain, rtol=1e-4, atol=1e-4)


# Parameter counts of torchvision's resnet18/34 without their 1000-way fc (11,689,512 - 513,000 and
# 21,797,672 - 513,000); the CIFAR stem swaps the 7×7×3×64 stem kernel for a 3×3×3×64 one.
@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("resnet18", 11_176_512),
        ("resnet34", 21_284_672),
        ("resnet18_cifar", 11_176_512 - 49 * 192 + 9 * 192),
        ("resnet34_cifar", 21_284_672 - 49 * 192 + 9 * 192),
    ],
)
def test_resnet_parameter_counts(name: str, count: int) -> None:
    model = create_backbone(name)
    assert sum(p.numel() for p in model.parameters()) == count
    assert model.embedding_dim == 512


def _feature_sides(model: nn.Module, side: int) -> list[int]:
    sides: list[int] = []
    hooks = [
        g.register_forward_hook(lambda m, i, o: sides.append(o.shape[-1])) for g in model.groups
    ]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, side, side))
    for hook in hooks:
        hook.remove()
    return sides


def test_resnet34_cifar_is_the_reference_architecture() -> None:
    model = create_backbone("resnet34_cifar")
    stem = model.stem[0]
    assert (stem.kernel_size, stem.stride, stem.out_channels, stem.bias) == (
        (3, 3),
        (1, 1),
        64,
        None,
    )
    assert not any(isinstance(m, nn.MaxPool2d) for m in model.modules())
    assert [len(g) for g in model.groups] == [3, 4, 6, 3]
    # Projection shortcuts exactly where the shape changes: the first block of groups 2-4.
    projected = [[not isinstance(b.shortcut, nn.Identity) for b in g] for g in model.groups]
    assert projected == [
        [False] * 3,
        [True] + [False] * 3,
        [True] + [False] * 5,
        [True] + [False] * 2,
    ]
    assert _feature_sides(model, 64) == [64, 32, 16, 8]  # reference §4.2: 64→32→16→8


def test_imagenet_stem_downsamples_four_times_before_the_groups() -> None:
    model = create_backbone("resnet18")
    assert any(isinstance(m, nn.MaxPool2d) for m in model.stem)
    assert _feature_sides(model, 64) == [16, 8, 4, 2]


def test_batch_norm_and_initialisation_follow_the_reference() -> None:
    torch.manual_seed(0)
    model = create_backbone("resnet18_cifar")
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(m.momentum == 0.1 and m.eps == 1e-5 for m in norms)  # Haiku decay 0.9
    assert all(
        bool((m.weight == 1).all()) and bool((m.bias == 0).all()) for m in norms
    )  # no zero-init
    conv = model.groups[3][1].conv2  # 512×512×3×3: Kaiming-normal, fan_out, std sqrt(2 / (512·9))
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / (512 * 9)), rel=0.02)


def test_small_cnn_is_small() -> None:
    model = create_backbone("small_cnn")
    assert model.embedding_dim == 128
    assert sum(p.numel() for p in model.parameters()) < 300_000


# ------------------------------------------------------------------------------------------ heads


def test_single_label_loss_is_cross_entropy_against_smoothed_one_hot() -> None:
    torch.manual_seed(0)
    logits, targets, ls = torch.randn(5, 4), torch.tensor([0, 3, 1, 1, 2]), 0.2
    smoothed = F.one_hot(targets, 4).float() * (1 - ls) + ls / 4
    expected = -(smoothed * torch.log_softmax(logits, -1)).sum(-1).mean()
    torch.testing.assert_close(loss(logits, targets, SINGLE, ls), expected)


def test_multi_label_loss_is_mean_binary_cross_entropy_against_smoothed_targets() -> None:
    logits = torch.tensor([[0.0, 2.0], [-1.0, 0.5]])
    targets = torch.tensor([[1, 0], [0, 1]], dtype=torch.uint8)
    ls = 0.1
    y = targets.float() * (1 - ls) + ls / 2
    p = torch.sigmoid(logits)
    expected = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    torch.testing.assert_close(loss(logits, targets, MULTI, ls), expected)


def test_probabilities_and_errors() -> None:
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 1.0, 5.0]])
    torch.testing.assert_close(probabilities(logits, SINGLE).sum(-1), torch.ones(3))
    targets = torch.tensor([0, 2, 2])
    assert error(logits, targets, SINGLE).item() == pytest.approx(1 / 3)
    assert error_count(logits, targets, SINGLE).item() == 1
    multi_logits = torch.tensor(
        [[1.0, -1.0, 0.0], [-2.0, 2.0, 3.0]]
    )  # logit 0 = p 0.5 → predicts 0
    multi_targets = torch.tensor([[1, 1, 0], [0, 1, 0]])
    torch.testing.assert_close(probabilities(multi_logits, MULTI), torch.sigmoid(multi_logits))
    # Mismatches per example: 1/3 and 1/3.
    assert error(multi_logits, multi_targets, MULTI).item() == pytest.approx(1 / 3)
    assert error_count(multi_logits, multi_targets, MULTI).item() == pytest.approx(2 / 3)


def test_head_is_initialised_as_haiku_linear() -> None:
    torch.manual_seed(0)
    head = create_head(512, 10)
    std = 1 / math.sqrt(512)
    assert bool((head.bias == 0).all())
    assert head.weight.abs().max().item() <= 2 * std
    assert head.weight.std().item() == pytest.approx(
        std * 0.88, rel=0.1
    )  # truncation at 2σ shrinks σ


# ------------------------------------------------------------------------------------------ optimizer


def test_optimizer_decays_only_conv_and_linear_weights() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))
    model[3].bias.requires_grad_(False)
    optimizer = make_optimizer(model, 0.1)
    decayed, other = optimizer.param_groups
    assert {id(p) for p in decayed["params"]} == {id(model[0].weight), id(model[3].weight)}
    assert {id(p) for p in other["params"]} == {
        id(model[0].bias),
        id(model[1].weight),
        id(model[1].bias),
    }
    assert (decayed["weight_decay"], other["weight_decay"]) == (1e-4, 0.0)
    assert decayed["nesterov"] and decayed["momentum"] == 0.9


def test_one_step_with_zero_gradients_only_shrinks_the_kernels() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        model[1].weight.fill_(2.0)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = make_optimizer(model, lr=0.5, weight_decay=0.1)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    optimizer.step()
    # Nesterov with an empty trace: update = lr·(g + wd·w)·(1 + momentum) on the kernel only.
    torch.testing.assert_close(model[0].weight, before[0] * (1 - 0.5 * 0.1 * 1.9))
    for after, was in zip(list(model.parameters())[1:], before[1:], strict=True):
        torch.testing.assert_close(after, was)


def test_warmup_cosine_matches_the_closed_form() -> None:
    peak, warmup, total, end = 0.1, 10, 110, 1e-8

    def closed_form(step: int) -> float:
        if step < warmup:
            return peak * step / warmup
        t = min(step - warmup, total - warmup) / (total - warmup)
        return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * t))

    values = {
        s: warmup_cosine(s, peak_lr=peak, warmup_steps=warmup, total_steps=total, end_lr=end)
        for s in (0, 5, 10, 60, 109, 110, 500)
    }
    assert values[0] == 0.0
    assert values[5] == pytest.approx(0.05)
    assert values[10] == pytest.approx(peak)
    assert values[60] == pytest.approx(peak / 2 + end / 2)  # half way down the cosine
    assert values[110] == pytest.approx(end) and values[500] == pytest.approx(end)
    for step, value in values.items():
        assert value == pytest.approx(closed_form(step), rel=1e-12, abs=1e-15)
    assert warmup_cosine(0, peak_lr=peak, warmup_steps=0, total_steps=5) == pytest.approx(peak)
    with pytest.raises(ValueError, match="warmup_steps"):
        warmup_cosine(0, peak_lr=peak, warmup_steps=5, total_steps=5)


def test_warmup_steps_follow_the_reference_rule() -> None:
    assert warmup_steps_for(35_000, 64, 50_000) == 7 * (35_000 // 64 + 1)  # 3836
    assert warmup_steps_for(1_000, 16, 100) == 99  # capped at max_steps - 1
    assert warmup_steps_for(100, 256, 10, warmup_epochs=1) == 1


def test_scheduler_drives_each_group_through_the_schedule() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    optimizer = make_optimizer(model, lr=0.4)
    scheduler = make_scheduler(optimizer, warmup_steps=2, total_steps=6, end_lr=1e-8)
    seen = []
    for _ in range(8):
        seen.append([g["lr"] for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    for step, lrs in enumerate(seen):
        expected = warmup_cosine(step, peak_lr=0.4, warmup_steps=2, total_steps=6, end_lr=1e-8)
        assert lrs == pytest.approx([expected, expected], rel=1e-9, abs=1e-15)
    factor = warmup_cosine_factor(warmup_steps=2, total_steps=6, end_factor=0.0)
    assert factor(1) == pytest.approx(0.5) and factor(6) == 0.0
