"""`nevisbench datasets sources`: the table, --check against a local server playing every artefact, exit codes."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from source_server import FileServer, Route

from nevisbench.cli import main
from nevisbench.data import sources
from nevisbench.data.sources import SourceRow

PLAYS = {"ok": Route(), "gone": Route(status=404), "moved": Route(status=301, location="/new/place.bin"),
         "login": Route(status=401)}


def _played(server: FileServer, monkeypatch: pytest.MonkeyPatch, plays: list[str]) -> dict[str, str]:
    """Rewrites every URL row's origin to the local server, playing ``plays`` in turn; ``{file: play}``."""
    real = sources.artefact_rows
    chosen: dict[str, str] = {}
    server.routes["/new/place.bin"] = Route()

    def rows(names: Iterable[str], **kwargs: Any) -> list[SourceRow]:
        out = []
        for index, row in enumerate(real(names, **kwargs)):
            if row.kind in ("url", "drive"):
                play = plays[index % len(plays)]
                path = f"/{index}/{row.file}"
                server.routes[path] = PLAYS[play]
                chosen[f"{row.dataset}/{row.file}"] = play
                row = dataclasses.replace(row, kind="url", url=server.url(path), mirrors=())
            out.append(row)
        return out

    monkeypatch.setattr(sources, "artefact_rows", rows)
    return chosen


def test_check_of_the_full_stream_finishes_within_a_minute(
    server: FileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = _played(server, monkeypatch, list(PLAYS))
    started = time.monotonic()
    code = main(["datasets", "sources", "--stream", "full", "--check", "--json", "--timeout", "2"])
    assert time.monotonic() - started < 60
    assert code == 1  # some origins are gone or need a login
    results = json.loads(capsys.readouterr().out)["rows"]
    assert len(results) > 250
    wanted = {"ok": "reachable", "gone": "gone", "moved": "moved", "login": "needs_login"}
    for result in results:
        play = chosen.get(f"{result['dataset']}/{result['file']}")
        if play is not None:
            assert result["status"] == wanted[play], result
        else:
            assert result["status"] in ("manual", "needs_login", "reachable")  # manual, Kaggle, package


def test_exit_code_is_zero_when_everything_is_reachable_or_manual(
    server: FileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _played(server, monkeypatch, ["ok", "moved"])
    assert main(["datasets", "sources", "mnist", "uci_digits", "--check"]) == 0
    table = capsys.readouterr().out
    assert "reachable" in table and "5 of 5 raw files can be had" in " ".join(table.split())
    _played(server, monkeypatch, ["gone"])
    assert main(["datasets", "sources", "mnist", "--check"]) == 1


def test_table_without_check_lists_kinds_and_sizes(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    assert main(["datasets", "sources", "mnist", "uci_digits", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {(r["dataset"], r["kind"]) for r in rows} == {("mnist", "url"), ("uci_digits", "package")}
    assert main(["datasets", "sources", "mnist", "--stream", "demo"]) == 2  # names or a stream, not both
