"""INTERACT: data/handlers/interact.py on fixtures in the real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import interact


def test_interact_split_per_class_sizes_and_seed() -> None:
    by_label = {4: [f"imgs/a{i}.jpg" for i in range(25)], 0: [f"imgs/b{i}.jpg" for i in range(10)]}
    out = interact.split_per_class(by_label)
    counts = {s: [sum(p.startswith(f"imgs/{c}") for p in out[s]) for c in "ab"] for s in SPLITS}
    # 25 images: int(14.0) = 13 (0.56 is 0.5599… in floating point), int(3) = 2… per the reference.
    sizes = (25 * np.array(interact.FRACTIONS)).astype(np.int32).tolist()
    assert [counts[s][0] for s in ("train", "dev", "dev_test")] == sizes
    assert counts["test"] == [25 - sum(sizes), 10 - 5 - 1 - 1]
    rng = np.random.default_rng(1)
    first = rng.permutation(25)
    assert out["train"][: sizes[0]] == [by_label[4][i] for i in first[: sizes[0]]]


def test_interact_illustrations_only_in_train_and_exclusions(tmp_path: Path) -> None:
    raw = prepared("interact", tmp_path / "raw")
    out = converted("interact", raw)
    illustrations = [e for s in SPLITS for e in out[s] if "illustration" in e.name]
    assert len(illustrations) == 4 and all(e in out["train"] for e in illustrations)
    assert {e.label for e in illustrations} == {6, 1}
    assert [len(out[s]) for s in SPLITS] == [2 * 5 + 4, 2, 2, 2 * 3]  # 10 per class: 5/1/1/3
    data = interact.parse_annotations(b"01;22TCSTMOFXRDFDVIK9PDTXJK5OZTQ6_20.jpg;P.\n01;x.jpg;P.\n", "a")
    assert data == ({0: ["imgs/x.jpg"]}, {0: "P."})


def test_interact_sentences_must_agree(tmp_path: Path) -> None:
    raw = prepared("interact", tmp_path / "raw")
    path = raw / interact._ART_ANNOTATIONS
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(interact._ART_LIST, "08;illustration_08_0.png;Person 1 kicks Person 2.\n")
    with pytest.raises(ValueError, match="class 8"):
        interact.convert(raw)


def test_interact_sentences_must_be_the_spec_class_names() -> None:
    assert len(set(interact.CLASS_NAMES)) == 60
    assert interact.CLASS_NAMES[0] == "Person 1 is carrying Person 2."
    interact.check_class_names({0: "Person 1 is carrying Person 2.", 59: interact.CLASS_NAMES[59]})
    with pytest.raises(ValueError, match="class 7"):
        interact.check_class_names({6: "Person 1 is kicking Person 2."})
