"""Aberdeen face database: data/handlers/aberdeen.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, converted, prepared_and_converted

from nevisbench.data.handlers import aberdeen
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import get_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split


def test_aberdeen_merges_aliases_and_keeps_the_reference_labels(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("aberdeen", tmp_path)
    by_name = {e.name: e.label for s in SPLITS for e in splits[s]}
    index = aberdeen.CLASS_NAMES.index
    assert by_name["marieg1.jpg"] == index("marie") == 29
    assert by_name["clean_adrian3.jpg"] == index("adrian")
    assert by_name["jsheenang2.jpg"] == index("jsheenan") == 83
    assert by_name["chris_harbron4.jpg"] == index("chris_harbron") == 2
    assert by_name["dave_faquhar5.jpg"] == 91
    assert index("jsheenang") not in by_name.values()  # the reference's class 22 stays empty
    assert len(aberdeen.CLASS_NAMES) == 92


def test_aberdeen_follows_the_zip_directory_order(tmp_path: Path) -> None:
    names = [f"{person}{k}.jpg" for k in (9, 3, 7, 1, 5, 8) for person in ("neil", "kay")]
    members = {n: encode_image(fixture_image(i, 8, 8), "JPEG") for i, n in enumerate(names)}
    write_zip(tmp_path / "Aberdeen.zip", members)
    unpack_artefacts(get_dataset("aberdeen"), tmp_path)
    splits = converted("aberdeen", tmp_path)
    expected = random_split(names, FRACTIONS_ALL_DATA)  # zip order, not sorted
    assert {s: [e.name for e in splits[s]] for s in SPLITS} == expected


def test_aberdeen_unknown_person_is_a_layout_error(tmp_path: Path) -> None:
    write_zip(tmp_path / "Aberdeen.zip", {"stranger1.jpg": encode_image(fixture_image(0), "JPEG")})
    unpack_artefacts(get_dataset("aberdeen"), tmp_path)
    with pytest.raises(LayoutError, match="stranger"):
        converted("aberdeen", tmp_path)
