"""Stream tables match the reference; events, stop years and ablation filters behave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nevisbench.streams import build_stream, get_stream, list_streams
from nevisbench.streams.table import ALL_YEARS, dataset_id_for, random_subset
from nevisbench.values import PredictEvent, Split, TaskKey, TaskKind, TrainEvent

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "streams.json"


def test_golden_counts() -> None:
    full = get_stream("full")
    assert len(full.rows) == 106
    assert len(full.rows_before(2020)) == 92
    assert len({r.dataset for r in full.rows}) == 97
    assert len(get_stream("short").rows) == 29
    assert len(get_stream("tiny").rows) == 7
    assert len(get_stream("debug").rows) == 2
    assert len(get_stream("major_domain_only").rows) == 70
    assert len(get_stream("large_dataset_only").rows) == 67


@pytest.mark.skipif(not REFERENCE.exists(), reason="needs the reference tables beside the checkout")
def test_tables_equal_the_reference_json() -> None:
    reference = json.loads(REFERENCE.read_text())
    for variant, rows in reference["streams"].items():
        ours = get_stream(variant).rows
        assert [(r.year, r.dataset) for r in ours] == [
            (row["year"], dataset_id_for(row["dataset"])) for row in rows
        ]


def test_ids_are_snake_case() -> None:
    for name in list_streams():
        for row in get_stream(name).rows:
            assert row.dataset.replace("_", "").isalnum() and row.dataset.lower() == row.dataset
    assert dataset_id_for("Pascal 2007") == "voc2007"
    assert dataset_id_for("EMNIST Balanced") == "emnist_balanced"


def test_unknown_stream_suggests() -> None:
    with pytest.raises(KeyError, match="full"):
        get_stream("ful")


def _task(name: str) -> TaskKey:
    return TaskKey(name, TaskKind.SINGLE_LABEL, 2)


def test_events_train_then_predict_then_final() -> None:
    stream = build_stream("tiny", stop_year=2019)
    events = stream.events(_task)
    # 6 rows: train + predict each, then a final predict per unique task (mnist repeats: 5 tasks).
    assert len(events) == 6 * 2 + 5
    assert isinstance(events[0], TrainEvent) and isinstance(events[1], PredictEvent)
    assert events[1].split is Split.DEV_TEST and not events[1].final
    finals = [e for e in events if isinstance(e, PredictEvent) and e.final]
    assert [e.dataset for e in finals] == ["caltech101", "voc2012", "cifar100", "mnist", "melanoma"]
    # The repeated MNIST is evaluated for its latest train event.
    assert next(e for e in finals if e.dataset == "mnist").index == 4
    assert [e.index for e in events if isinstance(e, TrainEvent)] == list(range(6))


def test_stop_year_and_splits() -> None:
    assert len(build_stream("full").rows) == 92
    assert len(build_stream("full", stop_year=ALL_YEARS).rows) == 106
    stream = build_stream("debug", predict_splits=["test", "dev-test"], final_evaluation=False)
    events = stream.events(_task)
    assert [e.split for e in events if isinstance(e, PredictEvent)] == [Split.TEST, Split.DEV_TEST] * 2
    with pytest.raises(ValueError, match="no rows before 1990"):
        build_stream("full", stop_year=1990)
    with pytest.raises(ValueError, match="unknown split"):
        build_stream("full", predict_splits=["validation"])


def test_ablations() -> None:
    full = get_stream("full").rows
    early = [r for r in full if r.year < 2020]
    assert get_stream("full_remove_first_30").rows == tuple(early[30:]) + full[92:]
    assert get_stream("full_remove_last_30").rows == tuple(early[:-30]) + full[92:]
    no_imagenet = get_stream("full_no_imagenet").rows
    assert [r.year for r in no_imagenet if r.dataset == "imagenet2012"] == [2021]
    subset = random_subset(full, 40, seed=0)
    assert len(subset) == 40 and subset[-14:] == full[92:]
    assert list(subset[:26]) == [r for r in early if r in subset[:26]]  # original order kept
    assert random_subset(full, 40, seed=0) == subset != random_subset(full, 40, seed=1)
    with pytest.raises(ValueError, match="held-out"):
        random_subset(full, 10)
