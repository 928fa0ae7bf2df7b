"""Olivetti Face Dataset (ORL / AT&T Database of Faces): data/handlers/olivetti_face.py on fixtures
in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import olivetti_face
from nevisbench.data.handlers._layout import LayoutError


def test_olivetti_labels_from_the_subject_number(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("olivetti_face", tmp_path)
    examples = [e for s in SPLITS for e in splits[s]]
    assert len(examples) == 40
    for example in examples:
        subject = int(example.name.split("_")[1].split(".")[0])
        assert example.label == subject - 1
    assert olivetti_face.label_of("ORL/3_40.jpg") == 39


@pytest.mark.parametrize("member", ["ORL/readme.txt", "ORL/5_x.jpg", "ORL/1_42.jpg"])
def test_olivetti_unparsable_member_is_a_layout_error(member: str) -> None:
    with pytest.raises(LayoutError):
        olivetti_face.label_of(member)
