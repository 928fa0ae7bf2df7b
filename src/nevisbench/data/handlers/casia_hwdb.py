"""CASIA-HWDB1.1: 1.17 M offline handwritten Chinese characters and symbols, 3,926 classes, grey."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nevisbench.data.handlers._fixtures import write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN, RandomSplitAssigner
from nevisbench.values import TaskKind

_URL = "http://www.nlpr.ia.ac.cn/databases/Download/Offline/CharData/"
TRAIN_FILES = ("Gnt1.1TrainPart1.zip", "Gnt1.1TrainPart2.zip")
TEST_FILE = "Gnt1.1Test.zip"
_MD5 = {
    "Gnt1.1TrainPart1.zip": "72bac7b6a5ce37f184f277421adfacfd",
    "Gnt1.1TrainPart2.zip": "a8b76e4eccfb1fd8d56c448f6a096c27",
    "Gnt1.1Test.zip": "e74f9a4863e73d8b80ed402452c97448",
}
_HEADER = struct.Struct("<I2sHH")  # record size, GB2312 tag code (2 bytes), width, height
NUM_SYMBOLS = 171


def _level1_codes() -> list[bytes]:
    """The 3,755 GB2312 level-1 hanzi codes in code order: rows 0xB0–0xD7, cells 0xA1–0xFE, except
    the five empty cells 0xD7FA–0xD7FE."""
    return [
        bytes((row, cell))
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFF)
        if not (row == 0xD7 and cell > 0xF9)
    ]


LEVEL1_CODES = _level1_codes()
# Labels 0..170: the 171 symbols and alphanumerics in code order (their characters are only known
# from the data); labels 171..3925: the level-1 hanzi in GB2312 code order.
CLASS_NAMES = tuple(f"symbol_{k:03d}" for k in range(NUM_SYMBOLS)) + tuple(
    code.decode("gb2312") for code in LEVEL1_CODES
)
_HANZI_LABEL = {code: NUM_SYMBOLS + k for k, code in enumerate(LEVEL1_CODES)}


def parse_gnt(data: bytes, where: str) -> Iterator[tuple[bytes, int, int, int]]:
    """The records of a .gnt file: ``(tag code, width, height, offset of the pixels)``."""
    position = 0
    while position < len(data):
        if position + _HEADER.size > len(data):
            raise ValueError(f"dataset casia_hwdb: {where} ends inside a record header")
        size, code, width, height = _HEADER.unpack_from(data, position)
        if size != width * height + _HEADER.size or position + size > len(data):
            raise ValueError(f"dataset casia_hwdb: {where}: bad record at byte {position}")
        yield code, width, height, position + _HEADER.size
        position += size


def _gnt_members(path: Path) -> Iterator[tuple[str, bytes]]:
    # Every file member in sorted name order, as the reference reads them.
    try:
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if not archive.getinfo(name).is_dir():
                    yield name, archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise ValueError(
            f"dataset casia_hwdb: {path.name} is not a complete zip ({error}); delete "
            f"downloads/casia_hwdb/{path.name} and prepare again"
        ) from None


def symbol_labels(raw_dir: Path) -> dict[bytes, int]:
    """First pass over all three files: the tag codes that are not level-1 hanzi, ranked by code."""
    codes: set[bytes] = set()
    for filename in (*TRAIN_FILES, TEST_FILE):
        for name, data in _gnt_members(
            require(raw_dir / filename, "casia_hwdb", filename, raw_dir)
        ):
            codes.update(code for code, *_ in parse_gnt(data, f"{filename}:{name}"))
    symbols = sorted(codes - set(_HANZI_LABEL))
    if len(symbols) != NUM_SYMBOLS:
        raise layout_error(
            "casia_hwdb",
            ", ".join((*TRAIN_FILES, TEST_FILE)),
            f"{NUM_SYMBOLS} distinct symbol codes (found {len(symbols)})",
        )
    return {code: k for k, code in enumerate(symbols)}


def _examples(
    raw_dir: Path, filenames: tuple[str, ...], labels: dict[bytes, int]
) -> Iterator[Example]:
    for filename in filenames:
        for name, data in _gnt_members(raw_dir / filename):
            for number, (code, width, height, offset) in enumerate(parse_gnt(data, name)):
                pixels = np.frombuffer(data, np.uint8, width * height, offset).reshape(
                    height, width
                )
                # Ink on 255 in the files; the reference inverts so the background is 0.
                yield Example(255 - pixels, labels[code], f"{filename}:{name}[{number}]")


def _pool_split(raw_dir: Path, labels: dict[bytes, int], split: str) -> Iterator[Example]:
    # The pool is too large to hold: each split streams it again and keeps its own draws.
    assign = RandomSplitAssigner(FRACTIONS_TRAIN)
    for index, example in enumerate(_examples(raw_dir, TRAIN_FILES, labels)):
        if assign(index) == split:
            yield example


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    labels = {**symbol_labels(raw_dir), **_HANZI_LABEL}
    out = {split: _pool_split(raw_dir, labels, split) for split in ("train", "dev", "dev_test")}
    out["test"] = _examples(raw_dir, (TEST_FILE,), labels)
    return out


# ---------------------------------------------------------------------------------------- fixture


def fixture_symbol_codes() -> list[bytes]:
    """171 codes outside the level-1 hanzi: rows 0xA3 (full-width ASCII) and 0xA1 (punctuation)."""
    codes = [bytes((0xA3, cell)) for cell in range(0xA1, 0xFF)]
    codes += [bytes((0xA1, cell)) for cell in range(0xA1, 0xFF)]
    return sorted(codes[:NUM_SYMBOLS])


def gnt_record(code: bytes, pixels: np.ndarray) -> bytes:
    height, width = pixels.shape
    return _HEADER.pack(width * height + _HEADER.size, code, width, height) + pixels.tobytes()


def make_fixture(raw_dir: Path) -> None:
    rng = np.random.default_rng(5)
    symbols = fixture_symbol_codes()
    # (file, member, codes): the symbols are spread over all three files.
    layout = (
        ("Gnt1.1TrainPart1.zip", "1002-c.gnt", symbols[:60] + LEVEL1_CODES[:10]),
        ("Gnt1.1TrainPart1.zip", "1001-c.gnt", symbols[60:120] + LEVEL1_CODES[:10]),
        ("Gnt1.1TrainPart2.zip", "1101-c.gnt", symbols[120:160] + LEVEL1_CODES[-10:]),
        ("Gnt1.1Test.zip", "1241-c.gnt", symbols[160:] + LEVEL1_CODES[5:15]),
    )
    archives: dict[str, dict[str, bytes]] = {}
    for filename, member, codes in layout:
        records = b"".join(
            gnt_record(code, rng.integers(0, 256, (2 + k % 3, 3), dtype=np.uint8))
            for k, code in enumerate(codes)
        )
        archives.setdefault(filename, {})[member] = records
    for filename, members in archives.items():
        write_zip(raw_dir / filename, members)


SPEC = register_dataset(
    DatasetSpec(
        id="casia_hwdb",
        title="CASIA-HWDB1.1 (offline isolated characters)",
        num_classes=NUM_SYMBOLS + len(LEVEL1_CODES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="http://www.nlpr.ia.ac.cn/databases/handwriting/Offline_database.html",
        paper_title="CASIA Online and Offline Chinese Handwriting Databases "
        "(Liu, Yin, Wang & Wang, ICDAR 2011)",
        paper_url="https://doi.org/10.1109/ICDAR.2011.17",
        license="free for academic research (see the homepage)",
        artefacts=tuple(
            Artefact(filename, "url", _URL + filename, md5=_MD5[filename])
            for filename in (*TRAIN_FILES, TEST_FILE)
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the records of Gnt1.1TrainPart1.zip then Part2 (members in "
        "sorted name order, records in file order) drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0)); Gnt1.1Test.zip is the test",
        notes="Label order departs from the reference, whose order is a Python set of the "
        "decoded characters (it changes from run to run). Ours is fixed: the 171 codes that are "
        "not GB2312 level-1 hanzi, ranked by their 2-byte code (named symbol_000…; their "
        "characters are not listed here), then the 3,755 level-1 hanzi in GB2312 code order. A "
        "first pass over all three files finds the symbol codes and requires exactly 171. Pixels "
        "are inverted (background 0), as the reference. The example order is the reference's, so "
        "split membership should match the paper's.",
    )
)
