"""CMU AMP expression: data/handlers/cmu_amp_expression.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handler_fixtures import SPLITS, prepared_and_converted

from nevisbench.data.handlers import cmu_amp_expression


def test_cmu_split_sizes_are_the_reference_codes() -> None:
    assert cmu_amp_expression.split_sizes() == (41, 9, 9)


def test_cmu_per_class_permutation_split(tmp_path: Path) -> None:
    _, splits = prepared_and_converted("cmu_amp_expression", tmp_path)
    rng = np.random.default_rng(1)
    for letter in cmu_amp_expression.CLASS_NAMES:
        order = rng.permutation(75)
        expected = {
            "train": order[:41],
            "dev": order[41:50],
            "dev_test": order[50:59],
            "test": order[59:],
        }
        if letter not in ("A", "M"):  # the fixture holds all 75 images of A and M only
            continue
        for split, numbers in expected.items():
            got = sorted(e.name for e in splits[split] if e.name[0] == letter)
            assert got == sorted(f"{letter}{n:02d}.bmp" for n in numbers)
            assert all(
                e.label == ord(letter) - ord("A") for e in splits[split] if e.name[0] == letter
            )
    names = [e.name for s in SPLITS for e in splits[s]]
    assert len(names) == len(set(names)) == 2 * 75 + 11 * 3  # readme.txt skipped, no duplicate
