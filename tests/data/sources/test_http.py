"""HTTP downloads against a local server: resume, retries with backoff, timeouts, statuses, web pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from source_server import ERROR_PAGE, PAYLOAD, SHA256, FileServer, Route, toy_spec, url_artefact

from nevisbench.data.sources import (
    DownloadError,
    SourceError,
    WebPageError,
    download_url,
    fetch_artefacts,
    http,
)


def test_transient_errors_are_retried_with_exponential_backoff(
    server: FileServer, tmp_path: Path, no_waiting: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/data.bin"] = Route(script=["503", "reset", "503"])
    fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path)
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert len(server.requests) == 4
    assert no_waiting == [1.0, 2.0, 4.0]
    assert re.search(r"HTTP 503 .*\n.*(closed|reset).*\n.*HTTP 503", caplog.text)


def test_tries_run_out_with_a_clear_error(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "ATTEMPTS", 3)
    server.routes["/data.bin"] = Route(script=["503"] * 10)
    with pytest.raises(
        SourceError, match=r"/data\.bin: HTTP 503 .*gave up after 3 tries.*--from DIR"
    ):
        fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path)
    assert len(server.requests) == 3


def test_404_is_not_retried_and_names_the_url(
    server: FileServer, tmp_path: Path, no_waiting: list[float]
) -> None:
    url = re.escape(server.url("/missing.bin"))
    with pytest.raises(SourceError, match=url + r": HTTP 404 .*--from DIR"):
        fetch_artefacts(toy_spec(url_artefact(server, "/missing.bin")), tmp_path)
    assert len(server.requests) == 1 and no_waiting == []
    assert not (tmp_path / "data.bin").exists()


def test_dropped_connection_resumes_with_a_range_request(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route(script=["drop"])
    seen: list[tuple[str, int, int | None]] = []
    received: list[int] = []
    fetch_artefacts(
        toy_spec(url_artefact(server, "/data.bin")),
        tmp_path,
        on_progress=lambda *args: seen.append(args),
        on_bytes=received.append,
    )
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    half = len(PAYLOAD) // 2
    assert [r for _, r, _ in server.requests] == [None, f"bytes={half}-"]
    assert seen[-1] == ("data.bin", len(PAYLOAD), len(PAYLOAD))
    assert sum(received) == len(PAYLOAD)  # the resumed half was not fetched twice


def test_partial_file_of_an_earlier_run_is_resumed(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route()
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:1000])
    seen: list[tuple[int, int | None]] = []
    download_url(
        server.url("/data.bin"), tmp_path / "data.bin", on_progress=lambda *a: seen.append(a)
    )
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert server.requests[0][1] == "bytes=1000-"
    assert seen[0] == (1000 + min(len(PAYLOAD) - 1000, 1 << 20), len(PAYLOAD))
    assert not (tmp_path / "data.bin.part").exists()


def test_complete_partial_file_answered_416_is_used(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route()
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD)
    download_url(server.url("/data.bin"), tmp_path / "data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD


def test_server_that_ignores_range_restarts_the_file(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route(ignore_range=True)
    (tmp_path / "data.bin.part").write_bytes(b"stale bytes of another try")
    download_url(server.url("/data.bin"), tmp_path / "data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert server.requests[0][1] == "bytes=26-"


def test_timeout_is_retried(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "TIMEOUT_S", 0.2)
    server.routes["/data.bin"] = Route(script=["slow"])
    download_url(server.url("/data.bin"), tmp_path / "data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert len(server.requests) == 2


def test_download_error_carries_the_status(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download_url(server.url("/nothing"), tmp_path / "x")
    assert caught.value.status == 404 and caught.value.url == server.url("/nothing")


def test_redirect_chain_is_followed_and_the_final_url_returned(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/old.bin"] = Route(status=301, location=server.url("/moved.bin"))
    server.routes["/moved.bin"] = Route(status=302, location="/data.bin")
    server.routes["/data.bin"] = Route()
    assert download_url(server.url("/old.bin"), tmp_path / "data.bin") == server.url("/data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert server.paths() == ["/old.bin", "/moved.bin", "/data.bin"]


def test_html_page_is_refused_without_touching_the_partial_file(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route(
        body=ERROR_PAGE, content_type="text/html; charset=utf-8", ignore_range=True
    )
    (tmp_path / "data.bin.part").write_bytes(PAYLOAD[:100])
    with pytest.raises(WebPageError, match="sent a web page") as caught:
        download_url(server.url("/data.bin"), tmp_path / "data.bin", refuse_html=True)
    assert "has moved" in caught.value.body
    assert (tmp_path / "data.bin.part").read_bytes() == PAYLOAD[:100]
    assert not (tmp_path / "data.bin").exists()


def test_binary_mislabelled_as_html_is_still_downloaded(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route(
        content_type="text/html"
    )  # PAYLOAD starts with byte 0, not "<"
    download_url(server.url("/data.bin"), tmp_path / "data.bin", refuse_html=True)
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD


def test_fetched_file_sha256_is_what_is_returned(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route()
    assert fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path) == {
        "data.bin": SHA256
    }
