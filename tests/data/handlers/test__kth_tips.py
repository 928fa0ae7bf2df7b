"""The KTH-TIPS family (data/handlers/_kth_tips.py): labels and layout rules shared by KTH-TIPS,
KTH-TIPS2-a and KTH-TIPS2-b."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared, tar_members

from nevisbench.data.handlers import _kth_tips
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split


def test_kth_material_is_the_folder_above_sample() -> None:
    assert _kth_tips.material_of("KTH-TIPS2-a/wool/sample_a/22a-scale_10_im_10_col.png") == "wool"
    assert _kth_tips.material_of("KTH_TIPS/linen/44-scale_3_im_1_col.png") == "linen"


@pytest.mark.parametrize("name", ["kth_tips", "kth_tips_2a", "kth_tips_2b"])
def test_kth_labels_follow_the_material_folder(name: str, tmp_path: Path) -> None:
    spec = get_dataset(name)
    raw = prepared(name, tmp_path / "raw")
    splits = spec.convert(raw)
    examples = sorted((e for split in splits.values() for e in split), key=lambda e: e.name)
    samples = 4 if name != "kth_tips" else 1
    # Only PNGs count (the fixture's Thumbs.db does not).
    assert len(examples) == spec.num_classes * samples * 3
    for example in examples:
        assert spec.class_names[example.label] == _kth_tips.material_of(example.name)


@pytest.mark.parametrize("name", ["kth_tips", "kth_tips_2a", "kth_tips_2b"])
def test_kth_draw_follows_the_tar_member_order(name: str, tmp_path: Path) -> None:
    # The reference draws R4 by position in the tar's member order; the fixture's tar is not
    # stored sorted, so a handler that sorts the paths gives other splits.
    spec = get_dataset(name)
    raw = prepared(name, tmp_path / "raw")
    order = [n for n in tar_members(raw / spec.artefacts[0].filename) if n.endswith(".png")]
    assert order != sorted(order)
    expected = random_split(order, FRACTIONS_ALL_DATA)
    splits = converted(name, raw)
    assert {split: [e.name for e in splits[split]] for split in SPLITS} == expected
    assert expected != random_split(sorted(order), FRACTIONS_ALL_DATA)


def test_kth_refuses_other_material_folders(tmp_path: Path) -> None:
    raw = prepared("kth_tips", tmp_path / "raw")
    top = next((raw / "extracted" / "kth_tips_col_200x200.tar").iterdir())
    (top / "cotton").rename(top / "silk")
    with pytest.raises(LayoutError, match="silk"):
        get_dataset("kth_tips").convert(raw)
