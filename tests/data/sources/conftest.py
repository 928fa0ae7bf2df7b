"""Fixtures of the sources tests: a local file server, no backoff waits, and no Wayback unless a test asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from source_server import FileServer

from nevisbench.data.sources import http


@pytest.fixture
def server() -> Iterator[FileServer]:
    files = FileServer()
    yield files
    files.close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records the backoff delays instead of sleeping them."""
    delays: list[float] = []
    monkeypatch.setattr(http, "_sleep", delays.append)
    monkeypatch.setattr(http, "TIMEOUT_S", 5.0)
    return delays


@pytest.fixture(autouse=True)
def no_wayback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the real Internet Archive; those about the Wayback fallback point it at a local server."""
    monkeypatch.setenv("NEVISBENCH_WAYBACK", "off")


@pytest.fixture
def archive(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    """A fake Wayback Machine at ``<archive>/web``, set as the Wayback base through the environment."""
    files = FileServer()
    monkeypatch.setenv("NEVISBENCH_WAYBACK", files.url("/web"))
    yield files
    files.close()
