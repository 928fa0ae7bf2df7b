"""The fallback chain of URL artefacts: origin, the spec's mirrors, then the Wayback Machine (a local fake)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from source_server import (
    ERROR_PAGE,
    MD5,
    SHA256,
    FileServer,
    Route,
    ledger_files,
    toy_spec,
    url_artefact,
)

from nevisbench.data.sources import (
    SourceError,
    fetch_artefacts,
    http,
    served_from,
    snapshot_url,
    wayback_base,
)
from nevisbench.data.spec import Artefact

RESOLVED = "20220530120000"  # the snapshot the Archive redirects a date to


def _snapshot(archive: FileServer, url: str) -> str:
    """Archives ``url``: the dated request redirects to the nearest snapshot, as the real Archive does."""
    resolved = f"/web/{RESOLVED}id_/{url}"
    archive.routes[f"/web/20220601id_/{url}"] = Route(status=302, location=resolved)
    archive.routes[resolved] = Route()
    return archive.url(resolved)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "failure", ["404", "403", "html", "timeout", "refused", "checksum", "redirect_to_404"]
)
def test_origin_failure_falls_back_to_the_wayback_snapshot(
    server: FileServer,
    archive: FileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    monkeypatch.setattr(
        http, "TIMEOUT_S", 0.2
    )  # a timeout is bounded: 2 short tries, then the next source
    monkeypatch.setattr(http, "ATTEMPTS", 2)
    origin = server.url("/data.bin")
    if failure == "403":
        server.routes["/data.bin"] = Route(status=403)
    elif failure == "html":
        server.routes["/data.bin"] = Route(body=ERROR_PAGE, content_type="text/html")
    elif failure == "timeout":
        server.routes["/data.bin"] = Route(script=["slow"] * 5, delay=3.0)
    elif failure == "refused":
        origin = f"http://127.0.0.1:{_closed_port()}/data.bin"
    elif failure == "checksum":
        server.routes["/data.bin"] = Route(body=b"a different file")
    elif failure == "redirect_to_404":
        server.routes["/data.bin"] = Route(status=301, location="/gone/data.bin")
    resolved = _snapshot(archive, origin)
    spec = toy_spec(Artefact("data.bin", "url", origin, md5=MD5))
    raw = tmp_path / "raw"
    assert fetch_artefacts(spec, raw) == {"data.bin": SHA256}
    wanted = snapshot_url(archive.url("/web"), origin)
    assert ledger_files(raw)["data.bin"]["final_url"] == resolved
    assert served_from(raw)["data.bin"] == {
        "via": "wayback",
        "source": wanted,
        "final_url": resolved,
        "verified": True,
    }
    assert not (raw / "data.bin.part").exists()


def test_redirect_chain_at_the_origin_needs_no_fallback(
    server: FileServer, archive: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route(status=301, location=server.url("/v2/data.bin"))
    server.routes["/v2/data.bin"] = Route(status=302, location="/v3/data.bin")
    server.routes["/v3/data.bin"] = Route()
    fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path)
    assert served_from(tmp_path)["data.bin"] == {
        "via": "origin",
        "source": server.url("/data.bin"),
        "final_url": server.url("/v3/data.bin"),
        "verified": True,
    }
    assert archive.requests == []


def test_spec_mirrors_come_before_the_wayback(
    server: FileServer, archive: FileServer, tmp_path: Path
) -> None:
    server.routes["/mirror.bin"] = Route()
    _snapshot(archive, server.url("/data.bin"))
    fetch_artefacts(toy_spec(url_artefact(server, "/data.bin", "/mirror.bin")), tmp_path)
    assert served_from(tmp_path)["data.bin"]["via"] == "mirror"
    assert archive.requests == []


def test_missing_snapshot_names_every_source_tried(
    server: FileServer, archive: FileServer, tmp_path: Path
) -> None:
    with pytest.raises(SourceError) as caught:
        fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path)
    message = str(caught.value)
    assert f"{server.url('/data.bin')}: HTTP 404" in message
    assert f"{snapshot_url(archive.url('/web'), server.url('/data.bin'))}: HTTP 404" in message
    assert "--from DIR" in message


def test_off_disables_the_wayback_and_an_argument_overrides_the_environment(
    server: FileServer, archive: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _snapshot(archive, server.url("/data.bin"))
    spec = toy_spec(url_artefact(server, "/data.bin"))
    with pytest.raises(SourceError):
        fetch_artefacts(spec, tmp_path, wayback="off")
    assert archive.requests == []
    monkeypatch.setenv("NEVISBENCH_WAYBACK", "off")
    with pytest.raises(SourceError):
        fetch_artefacts(spec, tmp_path)
    assert archive.requests == []
    assert fetch_artefacts(spec, tmp_path, wayback=archive.url("/web/")) == {"data.bin": SHA256}
    assert served_from(tmp_path)["data.bin"]["via"] == "wayback"


def test_wayback_base_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEVISBENCH_WAYBACK")
    assert wayback_base() == "https://web.archive.org/web"
    assert wayback_base("OFF") is None
    assert snapshot_url("https://web.archive.org/web", "http://a.org/f.zip") == (
        "https://web.archive.org/web/20220601id_/http://a.org/f.zip"
    )
    monkeypatch.setenv("NEVISBENCH_WAYBACK", "web.archive.org")
    with pytest.raises(ValueError, match="NEVISBENCH_WAYBACK.*not an http"):
        wayback_base()
