"""The sources table and its check, against a local server that plays origin, Drive and the Wayback Machine."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from pathlib import Path

import pytest
from source_server import ERROR_PAGE, FILE_ID, PAYLOAD, FileServer, Route, drive_routes

from nevisbench.data.sources import (
    STATUSES,
    SourceRow,
    artefact_rows,
    check_sources,
    drive,
    fetch_artefacts,
)
from nevisbench.data.spec import get_dataset
from nevisbench.streams.table import reference_rows

LOGIN_PAGE = Route(
    body=b'<html><form><input type="password"></form></html>', content_type="text/html"
)

# Plays each status: what the server does at a path, and what the check must say.
PLAYS: dict[str, tuple[Route, str]] = {
    "ok": (Route(), "reachable"),
    "no_head": (Route(head=False), "reachable"),  # 405 to HEAD: the one-byte GET decides
    "moved": (Route(status=301, location="/new/place.bin"), "moved"),
    "gone": (Route(status=404), "gone"),
    "removed": (Route(status=410), "gone"),
    "login": (Route(status=401), "needs_login"),
    "forbidden": (Route(status=403), "needs_login"),
    "page": (Route(body=ERROR_PAGE, content_type="text/html"), "gone"),
    "sign_in": (Route(status=302, location="/accounts/login?next=/f.bin"), "needs_login"),
    "slow": (Route(script=["slow"] * 3, delay=3.0), "unreachable"),
    "broken": (Route(status=503), "unreachable"),
}


@pytest.fixture
def plays(server: FileServer) -> FileServer:
    for name, (route, _) in PLAYS.items():
        server.routes[f"/{name}/f.bin"] = dataclasses.replace(route, script=list(route.script))
    server.routes["/new/place.bin"] = Route()
    server.routes["/accounts/login"] = LOGIN_PAGE
    return server


def test_each_status_is_told_apart_and_the_results_are_json(plays: FileServer) -> None:
    rows = [SourceRow("toy", name, "url", plays.url(f"/{name}/f.bin")) for name in PLAYS]
    results = check_sources(rows, timeout=1.0, workers=4)
    assert {r["file"]: r["status"] for r in results} == {
        name: status for name, (_, status) in PLAYS.items()
    }
    byname = {r["file"]: r for r in results}
    assert byname["moved"]["final_url"] == plays.url("/new/place.bin")
    assert byname["ok"]["size"] == len(PAYLOAD) and byname["no_head"]["size"] == len(PAYLOAD)
    assert byname["slow"]["detail"] == "timed out"
    assert "web page" in byname["page"]["detail"]
    assert json.loads(json.dumps(results)) == results
    assert set(r["status"] for r in results) <= set(STATUSES)


def test_refused_connection_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [result] = check_sources(
        [SourceRow("toy", "f.bin", "url", f"http://127.0.0.1:{port}/f.bin")], timeout=2
    )
    assert result["status"] == "unreachable" and "refused" in result["detail"].lower()


def test_fallbacks_are_probed_when_the_origin_fails(plays: FileServer, archive: FileServer) -> None:
    gone, ok = plays.url("/gone/f.bin"), plays.url("/ok/f.bin")
    archive.routes[f"/web/20220601id_/{gone}"] = Route(
        status=302, location=f"/web/20220530000000id_/{gone}"
    )
    archive.routes[f"/web/20220530000000id_/{gone}"] = Route()
    rows = [
        SourceRow("toy", "a", "url", gone, mirrors=(plays.url("/forbidden/f.bin"),)),
        SourceRow("toy", "b", "url", ok),
    ]
    first, second = check_sources(rows, timeout=2)
    assert first["status"] == "gone"
    assert [(p["via"], p["status"]) for p in first["probes"]] == [
        ("origin", "gone"),
        ("mirror", "needs_login"),
        ("wayback", "reachable"),
        ("wayback", "gone"),
    ]
    assert first["fallback"] == {
        "via": "wayback",
        "url": f"{archive.url('/web')}/20220601id_/{gone}",
    }
    assert (
        second["status"] == "reachable" and len(second["probes"]) == 1
    )  # a good origin needs no fallback
    assert not any(ok in path for path in archive.paths())


def test_drive_kaggle_manual_and_package_rows(
    server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drive, "DRIVE_URL", server.url("/uc"))
    rows = [
        SourceRow("toy", "d.zip", "drive", f"https://drive.google.com/file/d/{FILE_ID}/view"),
        *artefact_rows(["uci_digits", "imagenet2012"])[:2],
        SourceRow("toy", "k.zip", "kaggle", "https://www.kaggle.com/datasets/o/n"),
    ]
    server.routes["/uc"] = drive_routes(server, "form")
    assert [r["status"] for r in check_sources(rows, timeout=2)] == [
        "reachable",
        "reachable",
        "manual",
        "needs_login",
    ]
    server.routes["/uc"] = drive_routes(server, "quota")
    [quota] = check_sources(rows[:1], timeout=2)
    assert quota["status"] == "needs_login" and "quota" in quota["detail"]


def test_rows_list_each_artefact_once_with_known_sizes(server: FileServer, tmp_path: Path) -> None:
    rows = artefact_rows(["mnist", "caltech_birds2011", "mnist", "biwi", "uci_digits"])
    kinds = {(r.dataset, r.file): r.kind for r in rows}
    assert len(kinds) == len(rows)
    assert kinds[("uci_digits", "digits.csv.gz")] == "package"
    assert [r.dataset for r in rows].count("mnist") == len(get_dataset("mnist").artefacts)
    assert all(r.kind in ("url", "drive", "kaggle", "manual", "package") for r in rows)
    assert any(r.kind == "kaggle" and r.url.startswith("https://www.kaggle.com/") for r in rows)
    fetch_artefacts(get_dataset("uci_digits"), tmp_path / "downloads" / "uci_digits")
    [sized] = artefact_rows(["uci_digits"], downloads=tmp_path / "downloads")
    assert sized.size == (tmp_path / "downloads" / "uci_digits" / "digits.csv.gz").stat().st_size


def test_every_artefact_of_the_full_stream_is_checked_quickly(
    server: FileServer, archive: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drive, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = drive_routes(server, "quota")  # every Drive id but FILE_ID is a 404
    names = [row.dataset for row in reference_rows("full")]
    rows, wanted = [], []
    plays = list(PLAYS)
    for index, row in enumerate(artefact_rows(names)):
        if row.kind == "url":
            play = plays[index % len(plays)]
            route, status = PLAYS[play]
            path = f"/{index}/{row.file}"
            server.routes[path] = dataclasses.replace(
                route,
                script=list(route.script),
                location=route.location and f"/{index}{route.location}",
            )
            server.routes[f"/{index}/new/place.bin"] = Route()
            server.routes[f"/{index}/accounts/login"] = LOGIN_PAGE
            row = dataclasses.replace(row, url=server.url(path), mirrors=())
        elif row.kind == "drive":
            row, status = dataclasses.replace(row, mirrors=()), "gone"
        else:
            status = {"kaggle": "needs_login", "manual": "manual", "package": "reachable"}[row.kind]
        rows.append(row)
        wanted.append(status)
    assert len(rows) > 250 and len(set(r.dataset for r in rows)) == len(set(names))
    started = time.monotonic()
    results = check_sources(rows, timeout=1.0, workers=16)
    assert time.monotonic() - started < 60  # bounded probes, run concurrently: well within a minute
    assert [(r["file"], r["status"]) for r in results] == [
        (r.file, status) for r, status in zip(rows, wanted, strict=True)
    ]
    assert all(
        r["probes"][-1]["via"] == "wayback"
        for r, s in zip(results, wanted, strict=True)
        if s not in ("reachable", "moved") and r["kind"] == "url"
    )
