"""The PASCAL VOC family (data/handlers/_voc.py): annotation parsing and layout errors shared by VOC
2007 and 2012."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import converted, prepared

from nevisbench.data.handlers import _voc
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir, get_dataset


def test_voc_labels_keep_difficult_and_truncated_objects() -> None:
    xml = _voc.annotation_xml(
        2007, "000001", [("dog", True, False), ("person", False, True), ("dog", False, False)]
    )
    assert _voc.object_names(xml) == ["dog", "person", "dog"]
    assert _voc.labels_of(_voc.object_names(xml)) == [
        _voc.VOC_CLASSES.index("dog"),
        _voc.VOC_CLASSES.index("person"),
    ]
    with pytest.raises(ValueError, match="without a <name>"):
        _voc.object_names(b"<annotation><object><pose>Left</pose></object></annotation>")


def test_voc_missing_annotation_and_unknown_class(tmp_path: Path) -> None:
    raw = prepared("voc2012", tmp_path)
    annotations = (
        extracted_dir(raw, "VOCtrainval_11-May-2012.tar") / "VOCdevkit/VOC2012/Annotations"
    )
    (annotations / "2008_000008.xml").unlink()
    with pytest.raises(LayoutError, match="Annotations/2008_000008.xml"):
        converted("voc2012", raw)
    (annotations / "2008_000008.xml").write_bytes(
        _voc.annotation_xml(2012, "x", [("unicorn", False, False)])
    )
    with pytest.raises(LayoutError, match="unicorn"):
        converted("voc2012", raw)


def test_voc_missing_set_list_names_it(tmp_path: Path) -> None:
    raw = prepared("voc2007", tmp_path)
    (
        extracted_dir(raw, "VOCtest_06-Nov-2007.tar") / "VOCdevkit/VOC2007/ImageSets/Main/test.txt"
    ).unlink()
    with pytest.raises(LayoutError, match="ImageSets/Main/test.txt"):
        get_dataset("voc2007").convert(raw)
