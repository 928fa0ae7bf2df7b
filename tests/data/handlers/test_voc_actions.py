"""PASCAL VOC 2012 Actions (person crops): data/handlers/voc_actions.py on fixtures in the real raw
layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import voc_actions
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir
from nevisbench.data.store import decode_image


def test_voc_actions_parses_boxes_and_action_flags() -> None:
    xml = voc_actions._xml([((1, 2, 11, 14), {"jumping", "other"}), ((5, 1, 20, 16), set())])
    assert voc_actions.parse_objects(xml, "a.xml") == [((1, 2, 11, 14), [0, 10]), ((5, 1, 20, 16), [])]
    no_actions = b"<annotation><object><name>dog</name><bndbox><xmin>1</xmin></bndbox></object></annotation>"
    assert voc_actions.parse_objects(no_actions, "b.xml") == []


def test_voc_actions_crops_every_person(tmp_path: Path) -> None:
    raw = prepared("voc_actions", tmp_path / "raw")
    out = converted("voc_actions", raw)
    examples = [e for s in SPLITS for e in out[s]]
    assert len(examples) == 24 + 8  # one person per image, a second on every third image
    assert not any("999999" in e.name for e in examples)  # listed without annotation: skipped
    by_name = {e.name: e for e in examples}
    second = by_name["2011_000003.jpg#1"]
    assert second.label == [1, 9] and second.image.box == (5, 1, 20, 16)
    assert decode_image(second.image, 3).shape == (15, 15, 3)  # clipped to the 20-wide image
    assert by_name["2011_000000.jpg#1"].label == [10]


def test_voc_actions_missing_action_list_names_it(tmp_path: Path) -> None:
    raw = prepared("voc_actions", tmp_path / "raw")
    root = extracted_dir(raw, voc_actions._FILE)
    (root / voc_actions._ROOT / "ImageSets/Action/walking_trainval.txt").unlink()
    with pytest.raises(LayoutError, match="walking_trainval.txt"):
        voc_actions.convert(raw)
