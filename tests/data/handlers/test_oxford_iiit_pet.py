"""Oxford-IIIT Pet: data/handlers/oxford_iiit_pet.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared
from handler_fixtures import split_sizes as _sizes

from nevisbench.data.handlers import oxford_iiit_pet
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir


def test_pets_labels_from_the_lists(tmp_path: Path) -> None:
    splits = converted("oxford_iiit_pet", prepared("oxford_iiit_pet", tmp_path))
    assert _sizes(splits) == {"train": 8, "dev": 1, "dev_test": 3, "test": 4}
    for example in (e for split in SPLITS for e in splits[split]):
        breed = example.name.removeprefix("images/").rsplit("_", 1)[0]
        assert oxford_iiit_pet.CLASS_NAMES[example.label] == breed
    assert {e.label for e in splits["train"] + splits["dev"] + splits["dev_test"]} == {0, 1, 32}


def test_pets_list_parsing_and_missing_list(tmp_path: Path) -> None:
    assert oxford_iiit_pet.parse_list(b"#comment\nBengal_7 6 1 3\n", "x.txt") == [("Bengal_7", 5)]
    with pytest.raises(LayoutError, match="breed Bengal for Birman_7"):
        oxford_iiit_pet.parse_list(b"Birman_7 6 1 3\n", "x.txt")
    raw = prepared("oxford_iiit_pet", tmp_path)
    (extracted_dir(raw, "annotations.tar.gz") / "annotations" / "test.txt").unlink()
    with pytest.raises(LayoutError, match="annotations/test.txt"):
        oxford_iiit_pet.convert(raw)
