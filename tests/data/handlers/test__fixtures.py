"""The fixture writers of data/handlers/_fixtures.py: the handmade RAR archive reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevisbench.data.handlers._fixtures import write_rar


def test_handmade_rar_reads_back(tmp_path: Path) -> None:
    rarfile = pytest.importorskip("rarfile")
    write_rar(tmp_path / "a.rar", {"x/y.txt": b"hello", "z.bin": bytes(range(256))})
    with rarfile.RarFile(tmp_path / "a.rar") as archive:
        assert archive.read("x/y.txt") == b"hello"
        assert archive.read("z.bin") == bytes(range(256))
