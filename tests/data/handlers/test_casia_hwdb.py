"""CASIA-HWDB1.1 (offline isolated characters): data/handlers/casia_hwdb.py on fixtures in the real
raw layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import prepared_and_converted
from handler_fixtures import unpacked_and_converted as _convert

from nevisbench.data.handlers import casia_hwdb
from nevisbench.data.handlers._fixtures import write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset


def test_casia_labels_symbols_by_code_then_level1_hanzi(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("casia_hwdb", tmp_path / "raw")
    spec = get_dataset("casia_hwdb")
    assert spec.num_classes == 3926 and spec.class_names[171] == "啊"
    test = out["test"]
    assert len(test) == 11 + 10
    symbols = casia_hwdb.fixture_symbol_codes()
    assert [e.label for e in test[:11]] == list(range(160, 171))
    assert [e.label for e in test[11:]] == [171 + k for k in range(5, 15)]
    assert sum(len(out[s]) for s in ("train", "dev", "dev_test")) == 160 + 30
    # Pixels are inverted: a record of 255s (paper) becomes 0s.
    record = casia_hwdb.gnt_record(symbols[0], np.full((2, 3), 255, np.uint8))
    ((code, width, height, offset),) = casia_hwdb.parse_gnt(record, "x")
    assert (code, width, height, offset) == (symbols[0], 3, 2, 10)


def test_casia_requires_171_symbol_codes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    get_dataset("casia_hwdb").make_fixture(raw)
    write_zip(raw / "Gnt1.1Test.zip", {"1241-c.gnt": b""})  # drops symbols 160..170
    with pytest.raises(LayoutError, match="171 distinct symbol codes"):
        _convert("casia_hwdb", raw)
