"""USPS: 9,298 16×16 grey handwritten digits (10 classes), from LIBSVM's bzip2 copies of the files."""

from __future__ import annotations

import bz2
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

_TRAIN, _TEST = "usps.bz2", "usps.t.bz2"
_URL = "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/"
_SIDE = 16
CLASS_NAMES = tuple(str(digit) for digit in range(10))


def parse_line(line: str, where: str) -> tuple[np.ndarray, int]:
    """One LIBSVM line ``label index:value …`` → (16×16 uint8 image, label).

    Labels 1..10 stand for the digits 0..9; values lie in [-1, 1] and map to [0, 255] the way the
    reference does: ``(v + 1) / 2 · 255`` truncated to uint8.
    """
    label_text, *pairs = line.split()
    values = np.zeros(_SIDE * _SIDE, dtype=np.float64)
    for pair in pairs:
        index, _, value = pair.partition(":")
        position = int(index) - 1
        if not 0 <= position < _SIDE * _SIDE:
            raise ValueError(f"{where}: pixel index {index} outside 1..{_SIDE * _SIDE}")
        values[position] = float(value)
    label = int(float(label_text)) - 1
    if not 0 <= label < 10:
        raise ValueError(f"{where}: label {label_text} outside 1..10")
    pixels = ((values - -1.0) / 2.0 * 255.0 + 0.0).astype(np.uint8)
    return pixels.reshape(_SIDE, _SIDE), label


def _read(raw_dir: Path, filename: str) -> Iterator[Example]:
    path = require(raw_dir / filename, "usps", filename, raw_dir)
    try:
        text = bz2.decompress(path.read_bytes()).decode("ascii")
    except (OSError, EOFError, ValueError) as error:
        raise ValueError(
            f"dataset usps: {filename} is not complete bzip2 text ({error}); delete "
            f"downloads/usps/{filename} and prepare again"
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise layout_error("usps", filename, "any example line")
    for number, line in enumerate(lines):
        image, label = parse_line(line, f"{filename} line {number + 1}")
        yield Example(image, label, f"{filename}:{number + 1}")


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    # T3: the official 7,291 training digits split 70/15/15; the 2,007 test digits are the test.
    return official_train_split(list(_read(raw_dir, _TRAIN)), list(_read(raw_dir, _TEST)))


def _fixture_line(seed: int, label: int) -> str:
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1.0, 1.0, _SIDE * _SIDE)
    # LIBSVM's files end each line with a space.
    return f"{label} " + " ".join(f"{k + 1}:{v:.6f}" for k, v in enumerate(values)) + " \n"


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for filename, count, offset in ((_TRAIN, 30, 0), (_TEST, 6, 100)):
        text = "".join(_fixture_line(offset + k, (offset + k) % 10 + 1) for k in range(count))
        (raw_dir / filename).write_bytes(bz2.compress(text.encode()))


SPEC = register_dataset(
    DatasetSpec(
        id="usps",
        title="USPS handwritten digits",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass.html#usps",
        paper_title="A database for handwritten text recognition research (Hull, IEEE TPAMI 1994)",
        paper_url="https://doi.org/10.1109/34.291440",
        artefacts=(
            Artefact(_TRAIN, "url", _URL + _TRAIN, md5="ec16c51db3855ca6c91edd34d0e9b197"),
            Artefact(_TEST, "url", _URL + _TEST, md5="8ea070ee2aca1ac39742fdd1ef5ed118"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the official training file (usps.bz2, 7,291 digits) in file "
        "order drawn train .70 / dev .15 / dev_test .15 (RandomState(0)); the official test file "
        "(usps.t.bz2, 2,007) is the test",
        notes="Pixels are read by their LIBSVM index (the reference takes the values in line order, "
        "the same for these dense files); values in [-1, 1] become uint8 by (v + 1) / 2 · 255, "
        "truncated, as the reference; labels 1..10 are digits 0..9.",
    )
)
