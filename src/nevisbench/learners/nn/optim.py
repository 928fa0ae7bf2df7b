"""The reference's optimizer (SGD-Nesterov, weight decay on kernels only) and its warmup-cosine schedule."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn


def _decayed_parameter_ids(model: nn.Module) -> set[int]:
    # The reference's JAX mask decays leaves named ``w``: conv and linear kernels, not biases nor
    # BN scale/offset (its torch port decayed every parameter, quirk Q13; we follow the JAX runs).
    kernels = (nn.modules.conv._ConvNd, nn.Linear)
    return {
        id(m.weight) for m in model.modules() if isinstance(m, kernels) and m.weight is not None
    }


def make_optimizer(
    model: nn.Module, lr: float, weight_decay: float = 1e-4, momentum: float = 0.9
) -> torch.optim.SGD:
    """SGD with Nesterov momentum; weight decay on conv/linear weights only (two param groups).

    torch's SGD adds ``weight_decay·w`` to the gradient before the momentum trace and multiplies by
    the lr last, as optax's ``chain(add_decayed_weights, sgd(nesterov=True))`` of the reference does.
    Parameters that do not require gradients (a frozen backbone) are left out.

    Args:
        model: the model to train.
        lr: the learning rate (the schedule's peak when driven by ``make_scheduler``).
        weight_decay: L2 coefficient of the decayed group (1e-4 in the reference).
        momentum: Nesterov momentum (0.9 in the reference).

    Raises:
        ValueError: the model has no trainable parameter.
    """
    decayed_ids = _decayed_parameter_ids(model)
    decayed, other = [], []
    for parameter in model.parameters():
        if parameter.requires_grad:
            (decayed if id(parameter) in decayed_ids else other).append(parameter)
    groups = [
        {"params": params, "weight_decay": decay}
        for params, decay in ((decayed, weight_decay), (other, 0.0))
        if params
    ]
    if not groups:
        raise ValueError("the model has no parameter that requires gradients; nothing to optimise")
    return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=True)


def warmup_cosine(
    step: int, *, peak_lr: float, warmup_steps: int, total_steps: int, end_lr: float = 1e-8
) -> float:
    """The learning rate of ``optax.warmup_cosine_decay_schedule(0, peak_lr, warmup_steps, total_steps, end_lr)``.

    Linear from 0 to ``peak_lr`` over ``warmup_steps``, then a half cosine from ``peak_lr`` to ``end_lr``
    over the remaining ``total_steps - warmup_steps`` steps, then ``end_lr``. Step ``k`` is the lr of
    the ``k``-th update (counting from 0), so the very first update has lr 0 when there is a warmup.

    Raises:
        ValueError: ``warmup_steps`` is not in ``[0, total_steps)``.
    """
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(
            f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}"
        )
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    decay_steps = total_steps - warmup_steps
    progress = min(step - warmup_steps, decay_steps) / decay_steps
    # optax: alpha = end/peak, value = peak·((1-alpha)·½(1+cos(π·progress)) + alpha).
    alpha = end_lr / peak_lr if peak_lr else 0.0
    return peak_lr * ((1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * progress)) + alpha)


def warmup_steps_for(
    num_train_examples: int, batch_size: int, max_steps: int, warmup_epochs: int = 7
) -> int:
    """The reference's warmup length: ``min(max_steps - 1, warmup_epochs · (N // batch_size + 1))``."""
    steps_per_epoch = num_train_examples // batch_size + 1
    return max(0, min(max_steps - 1, warmup_epochs * steps_per_epoch))


def warmup_cosine_factor(
    *, warmup_steps: int, total_steps: int, end_factor: float = 1e-7
) -> Callable[[int], float]:
    """A ``LambdaLR`` multiplier: ``warmup_cosine`` with peak 1 and final value ``end_factor``.

    The default ``end_factor`` is the reference's end over its peak lr, 1e-8 / 0.1.
    """
    # Validate now rather than at the first scheduler step.
    warmup_cosine(
        0, peak_lr=1.0, warmup_steps=warmup_steps, total_steps=total_steps, end_lr=end_factor
    )

    def factor(step: int) -> float:
        return warmup_cosine(
            step, peak_lr=1.0, warmup_steps=warmup_steps, total_steps=total_steps, end_lr=end_factor
        )

    return factor


def make_scheduler(
    optimizer: torch.optim.Optimizer, *, warmup_steps: int, total_steps: int, end_lr: float = 1e-8
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` that drives every param group through ``warmup_cosine`` peaking at the group's lr.

    Call ``scheduler.step()`` after every ``optimizer.step()``; update ``k`` then uses the lr of step ``k``.
    ``end_lr`` is absolute (1e-8 in the reference): each group's final factor is ``end_lr / its lr``.
    """
    factors = [
        warmup_cosine_factor(
            warmup_steps=warmup_steps,
            total_steps=total_steps,
            end_factor=end_lr / group["lr"] if group["lr"] else 0.0,
        )
        for group in optimizer.param_groups
    ]
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factors)
