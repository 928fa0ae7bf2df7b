"""The reference's pixel de-duplication (data/handlers/_dedup.py) runs before the random split, in
the handlers that use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, example_names, needs_rar, prepared_and_converted

from nevisbench.data.handlers import animal_web, covid_19_xray


@pytest.mark.parametrize(
    ("module", "total"), [(covid_19_xray, 44), pytest.param(animal_web, 40, marks=needs_rar)]
)
def test_duplicates_are_dropped_before_the_split(module, total: int, tmp_path: Path) -> None:
    # Each fixture adds exact copies of earlier images under new names (same class).
    _, out = prepared_and_converted(module, tmp_path / "raw")
    names = [n for s in SPLITS for n in example_names(out[s])]
    assert len(names) == total
    assert not any("900" in name for name in names)
