"""Semeion handwritten digits: 1,593 binary 16×16 digits (10 classes) from the UCI repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "semeion.data"
_SIDE = 16
_PIXELS = _SIDE * _SIDE
CLASS_NAMES = tuple(str(digit) for digit in range(10))


def parse_line(line: str, where: str) -> tuple[np.ndarray, int]:
    """256 pixel values (0/1, written as floats) then a one-hot digit of 10 → (image, digit)."""
    fields = line.split()
    if len(fields) < _PIXELS + 10:
        raise ValueError(
            f"{where}: {len(fields)} fields, expected {_PIXELS} pixels + 10 label bits"
        )
    pixels = np.array([int(float(v)) for v in fields[:_PIXELS]], dtype=np.uint8) * 255
    bits = [int(float(v)) for v in fields[_PIXELS : _PIXELS + 10]]
    # The reference takes argmax of the one-hot vector (the first 1).
    return pixels.reshape(_SIDE, _SIDE), int(np.argmax(bits))


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    path = require(raw_dir / _FILE, "semeion", _FILE, raw_dir)
    examples = []
    for number, line in enumerate(iter_lines(path.read_bytes())):
        image, label = parse_line(line, f"{_FILE} line {number + 1}")
        examples.append(Example(image, label, f"{_FILE}:{number + 1}"))
    if not examples:
        raise layout_error("semeion", _FILE, "any example line")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    lines = []
    for k in range(40):
        pixels = " ".join(f"{v:.4f}" for v in rng.integers(0, 2, _PIXELS).astype(float))
        bits = " ".join("1" if d == k % 10 else "0" for d in range(10))
        lines.append(f"{pixels} {bits} \r\n")  # the UCI file has a trailing space and CRLF
    (raw_dir / _FILE).write_text("".join(lines))


SPEC = register_dataset(
    DatasetSpec(
        id="semeion",
        title="Semeion handwritten digits",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://archive.ics.uci.edu/ml/datasets/semeion+handwritten+digit",
        paper_title="Semeion Handwritten Digit Data Set (Buscema, Semeion Research Center of "
        "Sciences of Communication, 1998; UCI Machine Learning Repository)",
        paper_url="https://archive.ics.uci.edu/ml/datasets/semeion+handwritten+digit",
        license="CC BY 4.0 (UCI Machine Learning Repository)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://archive.ics.uci.edu/ml/machine-learning-databases/semeion/" + _FILE,
                md5="cb545d371d2ce14ec121470795a77432",
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each digit drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in file line order",
        notes="Pixels 0/1 are stored as 0/255 (grey), as the reference does.",
    )
)
