"""UIUC cars: data/handlers/uiuc_cars.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted
from handler_fixtures import tar_member_name as _member


def test_uiuc_cars_labels_and_the_test_images_quirk(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("uiuc_cars", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    members = [_member(e) for e in examples]
    assert not any("TestImages_Scale" in m or m.endswith(".txt") for m in members)
    assert len(examples) == 28 + 3
    for example, member in zip(examples, members, strict=True):
        assert example.label == (1 if "/pos-" in member else 0)
    # The single-scale test images are kept and labelled neg, as the reference does.
    assert sorted(m for m, e in zip(members, examples, strict=True) if "TestImages/" in m) == [
        f"CarData/TestImages/test-{i}.pgm" for i in range(3)
    ]
