"""dynamic (kNN-selected start), oracle (transfer matrix) and pretrained starts (init_from, frozen backbone)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from nevisbench.compute.flops import forward_flops
from nevisbench.data.synthetic import SyntheticDataset, make_dominant_colour
from nevisbench.learners import TrainTask, create_learner
from nevisbench.learners.dynamic import knn_score
from nevisbench.learners.nn.backbones import create_backbone
from nevisbench.learners.pretrained import (
    CheckpointError,
    PretrainConfig,
    load_backbone_into,
    pretrain,
    read_backbone,
    save_backbone,
)
from nevisbench.values import STORED_SPLITS, TaskKey, TaskKind

OPTIONS = dict(backbone="small_cnn", image_size=16, max_steps=20, validate_every=10, trials=2,
               batch_size=32, eval_batch_size=64)


def _renamed(data: SyntheticDataset, name: str) -> SyntheticDataset:
    return SyntheticDataset(TaskKey(name, data.task.kind, data.task.num_classes),
                            {s: data.split(s) for s in STORED_SPLITS}, data.meta)


def _task(data, index: int, scratch: Path) -> TrainTask:
    return TrainTask(key=data.task, index=index, data=data, device=torch.device("cpu"), seed=0, scratch=scratch)


def test_knn_score_single_and_multi_label() -> None:
    train_x = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    train_y = np.array([0, 0, 0, 1, 1, 1])
    dev_x = np.array([[0.05], [5.05], [4.9]])
    score, flops = knn_score(train_x, train_y, dev_x, np.array([0, 1, 0]), TaskKind.SINGLE_LABEL, 3)
    assert score == pytest.approx(2 / 3)
    assert flops == 2 * 6 * 3 * 1
    multi_y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [1, 1]], dtype=np.uint8)
    dev_y = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.uint8)
    score, _ = knn_score(train_x, multi_y, dev_x, dev_y, TaskKind.MULTI_LABEL, 3)
    assert score == pytest.approx(1.0)


def test_dynamic_scores_every_candidate_counts_the_compute_and_can_choose_a_fresh_start(tmp_path: Path) -> None:
    first = _renamed(make_dominant_colour(num_classes=3, examples_per_split=40, size=16, seed=0), "first")
    second = _renamed(make_dominant_colour(num_classes=4, examples_per_split=40, size=16, seed=1), "second")
    learner = create_learner("dynamic", **OPTIONS, knn_train_examples=30, knn_dev_examples=20)
    report = learner.train(_task(first, 0, tmp_path))
    assert report.info["selection"] == {"chosen": "random initialisation", "scores": {}}
    first_file = learner.tasks["first"]["file"]

    # A past model whose backbone outputs a constant: its features cannot tell classes apart.
    state = torch.load(tmp_path / first_file, weights_only=True)
    torch.save({k: torch.zeros_like(v) if k.startswith("backbone.") else v for k, v in state.items()},
               tmp_path / first_file)
    report = learner.train(_task(second, 1, tmp_path))
    selection = report.info["selection"]
    assert set(selection["scores"]) == {"random initialisation", first_file}
    assert selection["train_examples"] == 30 and selection["dev_examples"] == 20
    # The reference could never pick the fresh start once a past model existed (its Q9); we can.
    assert selection["scores"]["random initialisation"] > selection["scores"][first_file]
    assert selection["chosen"] == report.info["init"] == "random initialisation"

    # Selection FLOPs: two candidates × (30 train + 20 dev embeddings in batches of 128) + the kNN's
    # distances, on top of the trials' dev evaluations.
    backbone = create_backbone("small_cnn")
    embed = forward_flops(backbone, (30, 3, 16, 16)) + forward_flops(backbone, (20, 3, 16, 16))
    knn = 2 * 30 * 20 * backbone.embedding_dim
    independent = create_learner("independent", **OPTIONS).train(_task(second, 1, tmp_path / "ind"))
    extra = report.usage["selection"].flops - independent.usage["selection"].flops
    assert extra == 2 * (embed + knn)
    assert report.usage["train"].flops == independent.usage["train"].flops


def test_oracle_starts_from_the_best_trained_source(tmp_path: Path) -> None:
    data = {n: _renamed(make_dominant_colour(num_classes=3, examples_per_split=24, size=16, seed=i), n)
            for i, n in enumerate(["a", "b", "c"])}
    matrix = tmp_path / "m.json"
    matrix.write_text(json.dumps({
        "source_tasks": [{"name": "a", "kind": "single_label", "num_classes": 3}, "b"],
        "target_tasks": ["b", "c"],
        "matrix": [[0.1, 0.5], [0.9, -0.2]],
    }))
    learner = create_learner("oracle", **OPTIONS, transfer_matrix=str(matrix))
    assert learner.train(_task(data["a"], 0, tmp_path)).info["selection"]["source_task"] is None
    assert learner.train(_task(data["b"], 1, tmp_path)).info["selection"]["source_task"] == "a"
    report = learner.train(_task(data["c"], 2, tmp_path))
    assert report.info["selection"]["source_task"] == "b"
    assert report.info["init"] == learner.tasks["b"]["file"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"source_tasks": ["a"], "target_tasks": ["b"], "matrix": [[1, 2]]}))
    with pytest.raises(ValueError, match="shape"):
        create_learner("oracle", **OPTIONS, transfer_matrix=str(bad))
    with pytest.raises(ValueError, match="options.transfer_matrix"):
        create_learner("oracle", **OPTIONS)


def test_pretrain_then_init_from_and_frozen_backbone(tmp_path: Path) -> None:
    source = make_dominant_colour(num_classes=4, examples_per_split=40, size=16, seed=5)
    checkpoint = tmp_path / "backbone.pt"
    record = pretrain([source], PretrainConfig(backbone="small_cnn", max_steps=20, image_size=16,
                                               batch_size=32, validate_every=10), checkpoint)
    assert record["flops"]["total"] == record["flops"]["train"] + record["flops"]["selection"] > 0
    assert json.loads(checkpoint.with_suffix(".pt.json").read_text())["datasets"] == ["dominant_colour_4"]
    name, state, _ = read_backbone(checkpoint)
    assert name == "small_cnn"

    target = _renamed(make_dominant_colour(num_classes=3, examples_per_split=40, size=16, seed=6), "target")
    learner = create_learner("independent", **OPTIONS, init_from=str(checkpoint), freeze_backbone=True)
    report = learner.train(_task(target, 0, tmp_path / "run"))
    assert report.info["init"] == f"pretrained {checkpoint}"
    trained = torch.load(tmp_path / "run" / learner.tasks["target"]["file"], weights_only=True)
    for key, value in state.items():  # frozen: parameters and BN statistics unchanged
        torch.testing.assert_close(trained[f"backbone.{key}"], value)
    # Training the head only skips the backbone's weight gradients: fewer FLOPs than full finetuning.
    full = create_learner("independent", **OPTIONS, init_from=str(checkpoint))
    full_report = full.train(_task(target, 0, tmp_path / "full"))
    assert report.usage["train"].flops < full_report.usage["train"].flops
    trained_full = torch.load(tmp_path / "full" / full.tasks["target"]["file"], weights_only=True)
    assert any(not torch.equal(trained_full[f"backbone.{k}"], v) for k, v in state.items())


def test_checkpoint_mismatch_and_damage_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "cnn.pt"
    save_backbone(path, "small_cnn", create_backbone("small_cnn").state_dict(), {"flops": {"total": 1}})
    with pytest.raises(CheckpointError, match=r"tensor \S+ .*set --set options.backbone=small_cnn"):
        load_backbone_into(create_backbone("resnet18_cifar"), "resnet18_cifar", path)
    with pytest.raises(ValueError, match="freeze_backbone=true needs options.init_from"):
        create_learner("independent", freeze_backbone=True)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable nevisbench checkpoint"):
        read_backbone(path)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a nevisbench backbone checkpoint"):
        read_backbone(tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="nevisbench pretrain"):
        read_backbone(tmp_path / "missing.pt")
