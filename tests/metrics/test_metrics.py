"""Per-event and stream metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nevisbench.metrics.classification import (
    NLL_PROBABILITY_FLOOR,
    negative_log_likelihood,
    non_finite_rows,
    single_label_metrics,
    target_ranks,
    top_k_correct,
)
from nevisbench.metrics.multilabel import (
    mean_average_precision,
    multi_label_metrics,
    per_label_error,
)
from nevisbench.metrics.stream import aggregate, cumulative_flops, summarize
from nevisbench.records import record_from_json

# ------------------------------------------------------------------------------------------ single-label


def test_single_label_metrics_by_hand() -> None:
    probabilities = np.array(
        [
            [0.7, 0.2, 0.1],  # target 0: correct
            [0.1, 0.3, 0.6],  # target 1: wrong, second
            [0.5, 0.4, 0.1],  # target 2: wrong, third
            [0.2, 0.5, 0.3],  # target 1: correct
        ],
        dtype=np.float32,
    )
    targets = np.array([0, 1, 2, 1])
    metrics = single_label_metrics(probabilities, targets)
    assert metrics["num_examples"] == 4 and metrics["num_correct"] == 2
    assert metrics["error"] == pytest.approx(0.5)
    assert metrics["top5_error"] == 0.0  # k = min(5, K) = 3: every target is within the top 3
    expected_nll = -(math.log(0.7) + math.log(0.3) + math.log(0.1) + math.log(0.5)) / 4
    assert metrics["nll"] == pytest.approx(expected_nll, rel=1e-6)
    assert top_k_correct(probabilities, targets, 2).tolist() == [True, True, False, True]


def test_top5_with_more_classes_and_ties() -> None:
    probabilities = np.full((2, 7), 1 / 7)  # all tied: the ranking follows the class index
    targets = np.array([4, 5])
    metrics = single_label_metrics(probabilities, targets)
    assert metrics["error"] == 1.0  # argmax picks class 0
    assert metrics["top5_error"] == 0.5  # classes 0-4 are the top 5: target 4 in, target 5 out


def test_ranks_agree_with_a_stable_sort() -> None:
    rng = np.random.default_rng(0)
    probabilities = rng.integers(0, 4, size=(50, 6)).astype(np.float32)  # many ties
    targets = rng.integers(0, 6, size=50)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    expected = np.argmax(order == targets[:, None], axis=1)
    np.testing.assert_array_equal(target_ranks(probabilities, targets), expected)


def test_non_finite_probabilities_count_as_wrong() -> None:
    probabilities = np.array([[np.nan, 0.0, 0.0], [0.2, np.inf, 0.8], [0.1, 0.8, 0.1]])
    metrics = single_label_metrics(probabilities, np.array([0, 1, 1]))
    # Row 0 would be "correct" by the tie rule (all finite entries 0, target 0) if NaN were read as 0.
    assert metrics["num_correct"] == 1
    assert non_finite_rows(probabilities) == 2
    # An all-NaN learner is wrong on every example, never partly right.
    all_nan = single_label_metrics(np.full((10, 3), np.nan), np.arange(10) % 3)
    assert all_nan["error"] == 1.0 and all_nan["num_correct"] == 0
    assert all_nan["nll"] == pytest.approx(-math.log(NLL_PROBABILITY_FLOOR))


def test_nll_is_clipped_not_infinite() -> None:
    probabilities = np.array([[1.0, 0.0], [0.5, 0.5]])
    nll = negative_log_likelihood(probabilities, np.array([1, 0]))
    assert nll == pytest.approx((-math.log(NLL_PROBABILITY_FLOOR) + math.log(2)) / 2)


def test_single_label_rejects_bad_inputs_and_handles_no_examples() -> None:
    with pytest.raises(ValueError, match="class indices"):
        single_label_metrics(np.ones((2, 3)) / 3, np.array([0, 3]))
    with pytest.raises(ValueError, match="N×K"):
        single_label_metrics(np.ones((2, 3)) / 3, np.array([0]))
    assert single_label_metrics(np.zeros((0, 3)), np.zeros(0, dtype=np.int64))["error"] is None


# ------------------------------------------------------------------------------------------ multi-label


PROBS = np.array(
    [
        [0.9, 0.2, 0.3],
        [0.8, 0.6, 0.1],
        [0.7, 0.7, 0.6],
        [0.1, 0.1, 0.2],
    ]
)
TARGETS = np.array(
    [
        [1, 0, 0],
        [0, 1, 0],
        [1, 0, 0],
        [0, 0, 0],
    ]
)  # label 2 has no positive


def test_mean_average_precision_skips_labels_without_positives() -> None:
    # Label 0 ranks pos, neg, pos, neg: AP = (1/1 + 2/3) / 2. Label 1 ranks neg, pos: AP = 1/2.
    value, scored = mean_average_precision(PROBS, TARGETS)  # sklearn would warn on label 2
    assert scored == 2
    assert value == pytest.approx(((1 + 2 / 3) / 2 + 1 / 2) / 2)
    assert mean_average_precision(PROBS, np.zeros_like(TARGETS)) == (None, 0)


def test_per_label_error_and_event_metrics() -> None:
    # Predictions at p > 0.5: label 0 [1,1,1,0] vs [1,0,1,0]; label 1 [0,1,1,0] vs [0,1,0,0];
    # label 2 [0,0,1,0] vs zeros.
    np.testing.assert_allclose(per_label_error(PROBS, TARGETS), [0.25, 0.25, 0.25])
    metrics = multi_label_metrics(PROBS, TARGETS)
    assert metrics["num_examples"] == 4 and metrics["num_labels_scored"] == 2
    assert metrics["error"] == pytest.approx(0.25)
    assert metrics["map"] == pytest.approx(((1 + 2 / 3) / 2 + 1 / 2) / 2)
    # Exactly 0.5 predicts "absent" (the Bernoulli mode).
    assert per_label_error(np.array([[0.5]]), np.array([[1]])).tolist() == [1.0]
    nan_metrics = multi_label_metrics(np.where(PROBS > 0.5, np.nan, PROBS), TARGETS)
    # The 6 entries predicted present become NaN, and a non-finite entry is always wrong.
    assert nan_metrics["error"] == pytest.approx(6 / 12)
    with pytest.raises(ValueError, match="multi-hot"):
        multi_label_metrics(PROBS, TARGETS * 2)


# ------------------------------------------------------------------------------------------ stream


def _predict(
    event: int,
    dataset: str,
    kind: str,
    split: str,
    metrics: dict | None,
    flops: int,
    final: bool = False,
) -> dict:
    record = {
        "event": event,
        "type": "predict",
        "task_index": event // 2,
        "year": 2000 + event,
        "dataset": dataset,
        "task": {"name": dataset, "kind": kind, "num_classes": 3},
        "split": split,
        "final": final,
        "status": "ok" if metrics else "skipped",
        "cumulative_flops": {"train": flops, "selection": 10, "predict": event},
    }
    if metrics:
        record["metrics"] = metrics
    else:
        record.update(error="the task failed to train", num_examples=6)
    return record


def _single(correct: int, examples: int) -> dict:
    return {
        "num_examples": examples,
        "num_correct": correct,
        "error": 1 - correct / examples,
        "top5_error": 0.0,
        "nll": 1.0,
    }


RAW_RECORDS = [
    {
        "event": 0,
        "type": "train",
        "task_index": 0,
        "year": 2000,
        "dataset": "a",
        "status": "ok",
        "task": {"name": "a", "kind": "single_label", "num_classes": 3},
        "cumulative_flops": {"train": 100, "selection": 10, "predict": 0},
    },
    _predict(1, "a", "single_label", "test", _single(3, 4), 100),  # error 0.25
    _predict(2, "b", "single_label", "test", _single(10, 20), 200),  # error 0.5
    _predict(
        3,
        "c",
        "multi_label",
        "test",
        {"num_examples": 5, "map": 0.6, "num_labels_scored": 3, "error": 0.1},
        300,
    ),
    _predict(4, "d", "single_label", "test", None, 300),  # its task failed to train
    _predict(5, "a", "single_label", "dev_test", _single(1, 1), 300),
    _predict(6, "a", "single_label", "test", _single(4, 4), 300, final=True),
]
RECORDS = [record_from_json(r) for r in RAW_RECORDS]


def test_aggregate_means_and_weights() -> None:
    result = aggregate([r for r in RECORDS[1:5]])
    # The failed task (d) counts at error 1.0 and all 6 of its examples wrong: it never helps a mean.
    assert result["mean_error"] == pytest.approx((0.25 + 0.5 + 1.0) / 3)
    assert result["weighted_error"] == pytest.approx(1 - 13 / 30)
    assert result["mean_top5_error"] == pytest.approx(1 / 3)
    assert result["mean_map"] == pytest.approx(0.6)
    assert result["mean_multi_label_error"] == pytest.approx(0.1)
    assert (result["single_label_events"], result["multi_label_events"]) == (2, 1)
    assert (result["num_examples"], result["skipped_events"]) == (30, 1)
    assert "mean_map" not in aggregate(RECORDS[1:3])  # undefined rates are left out, not null


def test_a_failed_task_never_improves_the_mean() -> None:
    finished = aggregate([RECORDS[1], RECORDS[2]])["mean_error"]  # 0.25, 0.5
    with_failure = aggregate([RECORDS[1], RECORDS[2], RECORDS[4]])["mean_error"]
    assert with_failure > finished
    # Even a learner that finishes a task with error 0.9 beats one that fails it.
    nearly_wrong = record_from_json(_predict(4, "d", "single_label", "test", _single(1, 10), 300))
    assert aggregate([RECORDS[1], RECORDS[2], nearly_wrong])["mean_error"] < with_failure


def test_summary_reads_well() -> None:
    summary = summarize(RECORDS)
    assert summary["headline_split"] == "test"
    assert summary["mean_error"] == pytest.approx((0.25 + 0.5 + 1.0) / 3)
    assert summary["weighted_error"] == pytest.approx(1 - 13 / 30)
    assert summary["mean_map"] == pytest.approx(0.6)
    assert summary["by_split"]["dev_test"]["mean_error"] == 0.0
    assert summary["final_by_split"] == {
        "test": {
            "mean_error": 0.0,
            "weighted_error": 0.0,
            "mean_top5_error": 0.0,
            "mean_nll": 1.0,
            "single_label_events": 1,
            "multi_label_events": 0,
            "num_examples": 4,
            "skipped_events": 0,
        }
    }
    rows = summary["tasks"]
    assert [r["event"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[2]["map"] == 0.6 and rows[3]["error"] is None and rows[3]["status"] == "skipped"
    assert rows[1]["train_flops"] == 200 and rows[1]["cumulative_flops"]["total"] == 200 + 10 + 2
    assert rows[5]["final"] is True


def test_summary_without_test_split_uses_dev_test_and_cumulative_flops_per_event() -> None:
    summary = summarize([RECORDS[0], RECORDS[5]])
    assert summary["headline_split"] == "dev_test" and summary["mean_error"] == 0.0
    assert summarize([RECORDS[0]])["headline_split"] is None
    curve = cumulative_flops(RECORDS[:2])
    assert curve == [
        {"event": 0, "type": "train", "train": 100, "selection": 10, "predict": 0, "total": 110},
        {"event": 1, "type": "predict", "train": 100, "selection": 10, "predict": 1, "total": 111},
    ]
