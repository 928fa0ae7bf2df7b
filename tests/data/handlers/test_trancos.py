"""TRANCOS (vehicle-count buckets): data/handlers/trancos.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import trancos
from nevisbench.data.handlers._buckets import count_buckets


def test_trancos_labels_are_buckets_of_dot_counts_and_sets_are_official(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("trancos", tmp_path / "raw")
    counts = [(k * 13) % 37 for k in range(40)]
    table = count_buckets(counts, trancos.MAX_COUNT, "trancos")
    for split in SPLITS:
        for e in out[split]:
            k = int(Path(e.name).stem.split("-")[2])
            assert e.label == table[counts[k]]
    assert len(out["dev_test"]) == 8 and len(out["test"]) == 8
    assert trancos.count_lines(b"1 2\n3 4") == 2 and trancos.count_lines(b"") == 0
