"""The TID family (data/handlers/_tid.py): TID2008 and TID2013 labels from the score files."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, needs_rar, prepared_and_converted
from handler_fixtures import unpacked_and_converted as _convert

from nevisbench.data.handlers import _tid
from nevisbench.data.handlers._fixtures import write_rar
from nevisbench.data.handlers._layout import LayoutError


def test_tid_buckets_are_equal_count_and_ties_go_to_the_lower_bucket() -> None:
    assert _tid.bucket_labels([0.9, 0.1, 0.5, 0.3, 0.7]) == [4, 0, 2, 1, 3]
    # Sorted: 1 2 3 | 3 4 5 → a 3 straddles the cut, so both 3s go to bucket 0.
    assert _tid.bucket_labels([3, 1, 2, 3, 5, 4], 2) == [0, 0, 0, 0, 1, 1]


@needs_rar
@pytest.mark.parametrize("year", [2008, 2013])
def test_tid_labels_follow_the_score_file_and_skip_reference_images(
    year: int, tmp_path: Path
) -> None:
    raw, out = prepared_and_converted(f"tid{year}", tmp_path / "raw")
    labels = dict(
        zip(_tid.image_names(year), _tid.bucket_labels(_tid.fixture_scores(year)), strict=True)
    )
    seen = [example for split in SPLITS for example in out[split]]
    assert len(seen) == 40  # the 40 distorted images; I01.BMP has no score
    for example in seen:
        assert example.label == labels[Path(example.name).name.lower()]
    assert any(Path(e.name).name.isupper() for e in seen)  # capitalised names are matched too
    assert {Path(e.name).name.lower() for e in seen} == set(_tid.image_names(year)[:40])


@needs_rar
def test_tid_missing_score_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_rar(raw / "tid2008.rar", {"distorted_images/i01_01_1.bmp": b"x"})
    with pytest.raises(LayoutError, match=r"MSSIM\.TXT.*tid2008\.rar"):
        _convert("tid2008", raw)
