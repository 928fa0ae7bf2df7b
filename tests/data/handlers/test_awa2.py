"""Animals with Attributes 2 (attribute prediction): data/handlers/awa2.py on fixtures in the real
raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import awa2
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import extracted_dir


def test_awa2_labels_are_class_attributes_and_test_is_unseen_classes(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(awa2, tmp_path / "raw")
    root = extracted_dir(raw, awa2._FILE) / awa2._TOP
    matrix = np.loadtxt(root / "predicate-matrix-binary.txt", dtype=int)
    classes = [line.split("\t")[2] for line in (root / "classes.txt").read_text().splitlines()]
    test_classes = set((root / "testclasses.txt").read_text().split())
    for split in SPLITS:
        for example in out[split]:
            animal = example.name.split("/")[2]
            assert (animal in test_classes) == (split == "test")
            assert example.label == np.flatnonzero(matrix[classes.index(animal)]).tolist()


def test_awa2_missing_classes_file_names_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    awa2.make_fixture(raw)
    unpack_artefacts(awa2.SPEC, raw)
    (extracted_dir(raw, awa2._FILE) / awa2._TOP / "classes.txt").unlink()
    with pytest.raises(LayoutError, match="classes.txt"):
        awa2.convert(raw)
