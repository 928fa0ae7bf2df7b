"""Image backbones (the reference's ResNets and a small CPU net) in a registry: NCHW images in, B×D embeddings out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nevisbench.registry import Registry

_BACKBONES: Registry[Callable[..., nn.Module]] = Registry("backbone")

# Haiku's BatchNorm(decay_rate=0.9, eps=1e-5) in the reference; torch's momentum is 1 - decay.
BN_MOMENTUM = 0.1
BN_EPS = 1e-5


def register_backbone(name: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Decorator registering a backbone factory under ``name``.

    The factory takes keyword options and returns a module mapping ``B×C×H×W`` float images to a
    ``B×D`` embedding, with ``D`` in its ``embedding_dim`` attribute.
    """

    def decorate(factory: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        return _BACKBONES.register(name, factory)

    return decorate


def list_backbones(pattern: str = "*") -> list[str]:
    """Registered backbone names matching the fnmatch ``pattern``, sorted."""
    return _BACKBONES.names(pattern)


def create_backbone(name: str, **kwargs: object) -> nn.Module:
    """Builds the backbone ``name`` with freshly initialised parameters.

    Args:
        name: a registered backbone, e.g. ``resnet34_cifar`` (the reference's default).
        **kwargs: the factory's options, e.g. ``in_channels``.

    Raises:
        KeyError: unknown name (the message suggests close matches).
    """
    return _BACKBONES.get(name)(**kwargs)


def _batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


def _conv_bn_relu(
    in_channels: int, out_channels: int, kernel_size: int, stride: int
) -> list[nn.Module]:
    # torch pads symmetrically where Haiku's SAME pads (0, 1) for stride 2: same output shape (and
    # FLOPs) on even sides, a half-pixel shift of the sampling grid, which training does not notice.
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2, bias=False
    )
    return [conv, _batch_norm(out_channels), nn.ReLU(inplace=True)]


def _init_weights(module: nn.Module) -> None:
    # The reference torch port's init: Kaiming-normal convs (fan_out, relu), BN scale 1 offset 0.
    # Its JAX ResNets do not zero-init the last BN of a block, so neither do we.
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class BasicBlock(nn.Module):
    """ResNet v1 basic block: conv-BN-ReLU-conv-BN, plus a (projected where the shape changes) shortcut, then ReLU."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = _batch_norm(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, padding=1, bias=False)
        self.bn2 = _batch_norm(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                _batch_norm(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """A basic-block ResNet that returns the globally average-pooled embedding (no logits layer).

    Args:
        blocks: blocks per group, e.g. (3, 4, 6, 3) for ResNet-34.
        stem: ``cifar`` (3×3 stride-1 conv, no max-pool: the reference's JAX CifarResNet) or
            ``imagenet`` (7×7 stride-2 conv + 3×3 stride-2 max-pool: Haiku's / torchvision's ResNet).
        widths: channels per group.
        strides: first-block stride per group.
        in_channels: image channels.
    """

    def __init__(
        self,
        blocks: Sequence[int],
        *,
        stem: str,
        widths: Sequence[int] = (64, 128, 256, 512),
        strides: Sequence[int] = (1, 2, 2, 2),
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        if stem == "cifar":
            self.stem = nn.Sequential(*_conv_bn_relu(in_channels, widths[0], 3, 1))
        elif stem == "imagenet":
            self.stem = nn.Sequential(
                *_conv_bn_relu(in_channels, widths[0], 7, 2), nn.MaxPool2d(3, stride=2, padding=1)
            )
        else:
            raise ValueError(f"stem must be 'cifar' or 'imagenet', got {stem!r}")
        groups: list[nn.Module] = []
        channels = widths[0]
        for count, width, stride in zip(blocks, widths, strides, strict=True):
            group = [BasicBlock(channels, width, stride)]
            group += [BasicBlock(width, width, 1) for _ in range(count - 1)]
            groups.append(nn.Sequential(*group))
            channels = width
        self.groups = nn.Sequential(*groups)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.embedding_dim = channels
        _init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.groups(self.stem(x))), 1)


class SmallCNN(nn.Module):
    """A small conv net for CPU demos: four conv-BN-ReLU layers (three halve the side), global average pool.

    At 64×64 input: 0.040 GFLOPs per image forward (ResNet-34-CIFAR: 9.28), 241k parameters; on 2
    CPU cores (torch 2.13) it trains ~750-1,100 images/s at batch 16-256 (~10-25% more with
    channels-last), so that a CPU learns a demo stream in minutes.

    Args:
        widths: channels of the four conv layers; the last is the embedding size.
        in_channels: image channels.
    """

    def __init__(self, widths: Sequence[int] = (32, 64, 128, 128), *, in_channels: int = 3) -> None:
        super().__init__()
        if len(widths) != 4:
            raise ValueError(f"small_cnn takes four widths, got {tuple(widths)}")
        layers: list[nn.Module] = []
        channels = in_channels
        # Downsample early: the 64×64 input is the costly part on a CPU.
        for width, stride in zip(widths, (2, 2, 2, 1), strict=True):
            layers += _conv_bn_relu(channels, width, 3, stride)
            channels = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.embedding_dim = channels
        _init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.features(x)), 1)


@register_backbone("resnet18_cifar")
def resnet18_cifar(*, in_channels: int = 3) -> ResNet:
    """The reference's CifarResNet18: CIFAR stem, blocks (2, 2, 2, 2), 512-d embedding."""
    return ResNet((2, 2, 2, 2), stem="cifar", in_channels=in_channels)


@register_backbone("resnet34_cifar")
def resnet34_cifar(*, in_channels: int = 3) -> ResNet:
    """The reference's default CifarResNet34: CIFAR stem, blocks (3, 4, 6, 3), 512-d embedding."""
    return ResNet((3, 4, 6, 3), stem="cifar", in_channels=in_channels)


@register_backbone("resnet18")
def resnet18(*, in_channels: int = 3) -> ResNet:
    """ImageNet-stem ResNet-18 (the reference's cheap / pretraining JAX backbone)."""
    return ResNet((2, 2, 2, 2), stem="imagenet", in_channels=in_channels)


@register_backbone("resnet34")
def resnet34(*, in_channels: int = 3) -> ResNet:
    """ImageNet-stem ResNet-34 (the reference's torch-port backbone)."""
    return ResNet((3, 4, 6, 3), stem="imagenet", in_channels=in_channels)


@register_backbone("small_cnn")
def small_cnn(*, widths: Sequence[int] = (32, 64, 128, 128), in_channels: int = 3) -> SmallCNN:
    """A small conv net for CPU demos (128-d embedding)."""
    return SmallCNN(widths, in_channels=in_channels)
