"""FGVC-Aircraft (family): data/handlers/fgvc_aircraft_family.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import converted, prepared, tar_members

from nevisbench.data.handlers import fgvc_aircraft_family
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import extracted_dir
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_fgvc_family_labels_follow_the_split_lists(tmp_path: Path) -> None:
    raw = prepared("fgvc_aircraft_family", tmp_path / "raw")
    out = converted("fgvc_aircraft_family", raw)
    data = extracted_dir(raw, "fgvc-aircraft-2013b.tar.gz") / "fgvc-aircraft-2013b/data"
    expected = {}
    for line in (data / "images_family_test.txt").read_text().splitlines():
        number, family = line.split(" ", 1)
        expected[f"{number}.jpg"] = fgvc_aircraft_family.CLASS_NAMES.index(family)
    assert {Path(e.name).name: e.label for e in out["test"]} == expected
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 27


def test_fgvc_missing_split_list_names_it(tmp_path: Path) -> None:
    raw = prepared("fgvc_aircraft_family", tmp_path / "raw")
    data = extracted_dir(raw, "fgvc-aircraft-2013b.tar.gz") / "fgvc-aircraft-2013b/data"
    (data / "images_family_test.txt").unlink()
    with pytest.raises(LayoutError, match="images_family_test.txt"):
        fgvc_aircraft_family.convert(raw)


def test_fgvc_draw_follows_the_tar_member_order(tmp_path: Path) -> None:
    # The reference draws T3 by position in the tar's member order; the fixture's tar is not
    # stored sorted, so a handler that sorts the images gives other splits.
    raw = prepared("fgvc_aircraft_family", tmp_path / "raw")
    members = tar_members(raw / "fgvc-aircraft-2013b.tar.gz")
    order = [n for n in members if n.startswith("fgvc-aircraft-2013b/data/images/")]
    assert order != sorted(order)
    out = converted("fgvc_aircraft_family", raw)
    test = {e.name for e in out["test"]}
    expected = random_split([n for n in order if n not in test], FRACTIONS_TRAIN)
    assert {s: [e.name for e in out[s]] for s in ("train", "dev", "dev_test")} == expected
    assert [e.name for e in out["test"]] == [n for n in order if n in test]
    assert expected != random_split(sorted(n for n in order if n not in test), FRACTIONS_TRAIN)
