"""Pretrained backbones: ``nevisbench pretrain`` writes one, ``options.init_from`` starts tasks from it.

A checkpoint is one ``torch.save`` file holding only tensors, strings and numbers (so it loads with
``torch.load(weights_only=True)``): the backbone's name, its full state (parameters and BN
statistics) and a JSON record of how it was made (datasets, steps, FLOPs). A ``.json`` file beside it
repeats the record for people and tools.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nevisbench import __version__
from nevisbench.files import atomic_path, write_json

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "nevisbench-backbone/1"


class CheckpointError(ValueError):
    """A pretrained checkpoint is unreadable or does not fit the learner's backbone."""


def save_backbone(path: Path, backbone: str, state: dict[str, torch.Tensor], record: dict[str, Any]) -> Path:
    """Writes a backbone checkpoint (atomically) and its ``.json`` record beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "backbone": backbone,
        "state": {k: v.detach().to("cpu", copy=True) for k, v in state.items()},
        "record": json.dumps(record),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    write_json(path.with_suffix(path.suffix + ".json"), {"backbone": backbone, **record})
    return path


def read_backbone(path: Path) -> tuple[str, dict[str, torch.Tensor], dict[str, Any]]:
    """Loads a checkpoint: (backbone name, state, record). Only tensors and plain values are unpickled."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"pretrained checkpoint {path} does not exist; make one with "
                              f"`nevisbench pretrain --dataset NAME --out {path}`")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as error:
        raise CheckpointError(f"{path} is not a readable nevisbench checkpoint ({error}); it may be "
                              f"truncated or from another tool") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not a nevisbench backbone checkpoint (format "
                              f"{payload.get('format') if isinstance(payload, dict) else type(payload).__name__!r}, "
                              f"expected {CHECKPOINT_FORMAT})")
    return payload["backbone"], payload["state"], json.loads(payload["record"])


def pretraining_flops(path: Path) -> int:
    """The FLOPs ``nevisbench pretrain`` recorded for making the checkpoint (train + selection)."""
    _, _, record = read_backbone(path)
    return int(record.get("flops", {}).get("total", 0))


def load_backbone_into(module: nn.Module, backbone: str, path: Path) -> dict[str, Any]:
    """Copies a checkpoint's backbone state into ``module`` (a backbone named ``backbone``).

    Raises:
        CheckpointError: another architecture, or a tensor missing, extra or of another shape (the
            first one is named).
    """
    saved_name, state, record = read_backbone(path)
    target = module.state_dict()
    problems = []
    for name, tensor in target.items():
        if name not in state:
            problems.append(f"tensor {name} {tuple(tensor.shape)} is missing from the checkpoint")
        elif tuple(state[name].shape) != tuple(tensor.shape):
            problems.append(f"tensor {name} has shape {tuple(state[name].shape)} in the checkpoint, "
                            f"{tuple(tensor.shape)} in backbone {backbone}")
    extra = [name for name in state if name not in target]
    problems += [f"tensor {name} of the checkpoint has no place in backbone {backbone}" for name in extra]
    if problems:
        hint = (f" (the checkpoint holds backbone {saved_name}, the learner uses {backbone}: set "
                f"--set options.backbone={saved_name})" if saved_name != backbone else "")
        raise CheckpointError(f"{path} does not fit the learner's backbone: {problems[0]}"
                              f"{f' and {len(problems) - 1} more' if len(problems) > 1 else ''}{hint}")
    module.load_state_dict(state)
    return record


# --------------------------------------------------------------------------------------- pretrain


@dataclasses.dataclass(frozen=True)
class PretrainConfig:
    """How ``nevisbench pretrain`` trains a backbone: one fit per dataset, in order, each starting
    from the backbone the previous one ended with (a single trial, no search).

    Attributes:
        backbone: a registered backbone.
        max_steps: steps per dataset.
        lr / label_smoothing: the fit's settings.
        image_size: input side.
        batch_size: None: the adaptive rule.
        validate_every: dev evaluation period (the best-dev parameters are kept).
        data_parallel: processes training each fit under DDP (``compute.data_parallel``; 1: one).
    """

    backbone: str = "resnet18"
    max_steps: int = 50_000
    lr: float = 0.1
    label_smoothing: float = 0.0
    image_size: int = 64
    batch_size: int | None = None
    validate_every: int = 1000
    data_parallel: int = 1


def pretrain(
    datasets: Sequence[Any],
    config: PretrainConfig,
    out: Path,
    *,
    seed: int = 0,
    device: torch.device | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Trains ``config.backbone`` on each dataset (StoredDataset-like: ``task`` and ``split``) in turn
    and writes the checkpoint to ``out``. Returns the record written with it."""
    from nevisbench.learners.nn.backbones import create_backbone
    from nevisbench.learners.training import FitConfig, TaskModel, fit

    if not datasets:
        raise ValueError("pretrain needs at least one dataset")
    device = device or torch.device("cpu")
    torch.manual_seed(seed)
    backbone = create_backbone(config.backbone)
    fit_config = FitConfig(
        max_steps=config.max_steps, lr=config.lr, label_smoothing=config.label_smoothing,
        batch_size=config.batch_size, image_size=config.image_size, validate_every=config.validate_every,
        data_parallel=config.data_parallel,
    )
    train_flops = selection_flops = 0
    history = []
    started = time.perf_counter()
    for position, data in enumerate(datasets):
        key = data.task
        model = TaskModel(backbone, key.num_classes)
        result = fit(
            model, data.split("train"), data.split("dev"), key.kind, fit_config,
            seed=seed * 1000 + position, device=device,
            progress=(lambda info, name=key.name: progress({"dataset": name, **info})) if progress else None,
        )
        model.load_state_dict(result.state)
        backbone = model.backbone.to("cpu")
        train_flops += result.train_flops
        selection_flops += result.selection_flops
        history.append({"dataset": key.name, "best_dev_error": result.best_dev_error,
                        "best_step": result.best_step, "steps": result.steps})
        log.info("pretrained on %s: best dev error %.4f", key.name, result.best_dev_error)
    record = {
        "datasets": [h["dataset"] for h in history],
        "config": dataclasses.asdict(config),
        "seed": seed,
        "fits": history,
        "flops": {"train": train_flops, "selection": selection_flops, "total": train_flops + selection_flops},
        "wall_seconds": time.perf_counter() - started,
        "nevisbench_version": __version__,
    }
    save_backbone(out, config.backbone, backbone.state_dict(), record)
    return record
