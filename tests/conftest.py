"""Shared fixtures: an isolated data home for every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``NEVISBENCH_HOME`` per test, so no test reads or writes the user's cache."""
    path = tmp_path / "home"
    monkeypatch.setenv("NEVISBENCH_HOME", str(path))
    # No test may reach the Internet Archive: tests of the fallback point it at a local server.
    monkeypatch.setenv("NEVISBENCH_WAYBACK", "off")
    return path
