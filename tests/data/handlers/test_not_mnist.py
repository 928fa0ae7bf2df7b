"""notMNIST (small): data/handlers/not_mnist.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted
from handler_fixtures import names_in as _names


def test_not_mnist_uses_the_small_set_without_skipped_files_or_duplicates(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("not_mnist", tmp_path / "raw")
    names = _names(out, *SPLITS)
    assert len(names) == 40
    assert not any("notMNIST_large" in n or "zz_duplicate" in n or "==" in n for n in names)
    assert all(
        e.label == "ABCDEFGHIJ".index(Path(e.name).parent.name) for s in SPLITS for e in out[s]
    )
