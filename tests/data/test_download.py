"""Downloads against a local HTTP server: resume, retries, mirrors, checksums, ledger, cache, Drive, Kaggle."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import importlib.machinery
import io
import json
import re
import socket
import struct
import sys
import threading
import types
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nevisbench.data import download
from nevisbench.data.download import (
    LEDGER_NAME,
    ChecksumError,
    DownloadError,
    SourceError,
    download_url,
    drive_file_id,
    fetch_artefacts,
)
from nevisbench.data.spec import Artefact, DatasetSpec
from nevisbench.types import TaskKind

PAYLOAD = bytes(range(256)) * 40  # 10 kB, every byte value
MD5 = hashlib.md5(PAYLOAD).hexdigest()
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


# ---------------------------------------------------------------------------------------- the server


@dataclasses.dataclass
class Route:
    """What the server answers at one path."""

    body: bytes = PAYLOAD
    # How the first requests fail, one entry each: "503", "reset" (close without an answer),
    # "drop" (half the body, then close) or "slow" (answer after a second); then it serves.
    script: list[str] = dataclasses.field(default_factory=list)
    ignore_range: bool = False
    content_type: str = "application/octet-stream"


Dynamic = Callable[["_Handler", dict[str, list[str]]], Route | None]
"""A route computed per request: returns what to serve, or None once it has answered itself."""


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        files = self.server.files
        parts = urllib.parse.urlsplit(self.path)
        with files.lock:
            files.requests.append(
                (parts.path, self.headers.get("Range"), self.headers.get("Cookie"))
            )
        route = files.routes.get(parts.path)
        if route is None:
            self.send_error(404)
            return
        if callable(route):
            route = route(self, urllib.parse.parse_qs(parts.query))
        if route is not None:
            self.serve(route)

    def serve(self, route: Route) -> None:
        failure = route.script.pop(0) if route.script else None
        if failure == "503":
            self.send_error(503)
            return
        if failure == "reset":
            # Linger 0: closing sends a TCP reset instead of a normal end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if failure == "slow":
            self.server.files.stop.wait(1.0)  # the fixture's stop event cuts it short at teardown
        body, start = route.body, 0
        wanted = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
        if wanted and not route.ignore_range:
            start = int(wanted.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        payload = body[start:]
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        # HTTP/1.0: returning closes the connection, so "drop" ends the body half-way.
        self.wfile.write(payload[: len(payload) // 2] if failure == "drop" else payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read self.server.files.requests instead


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads: nothing outlives a test
    files: FileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out leaves a broken pipe behind; that is the test's point


class FileServer:
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) that counts the requests it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Dynamic] = {}
        self.requests: list[tuple[str, str | None, str | None]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.files = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    def close(self) -> None:
        self.stop.set()  # wakes handlers that are waiting out a delay
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[FileServer]:
    files = FileServer()
    yield files
    files.close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Records the backoff delays instead of sleeping them."""
    delays: list[float] = []
    monkeypatch.setattr(download, "_sleep", delays.append)
    monkeypatch.setattr(download, "TIMEOUT_S", 5.0)
    return delays


def _spec(*artefacts: Artefact) -> DatasetSpec:
    return DatasetSpec(
        id="toy",
        title="Toy",
        num_classes=2,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=("a", "b"),
        homepage="-",
        paper_title="-",
        paper_url="-",
        artefacts=artefacts,
        convert=lambda raw: {},
        make_fixture=lambda raw: None,
    )


def _url_artefact(
    server: FileServer, *paths: str, md5: str | None = MD5, name: str = "data.bin"
) -> Artefact:
    urls = [server.url(path) for path in paths]
    return Artefact(name, "url", urls[0], md5=md5, mirrors=tuple(urls[1:]))


def _ledger(raw: Path) -> dict[str, Any]:
    return json.loads((raw / LEDGER_NAME).read_text())["files"]


# ---------------------------------------------------------------------------------------- HTTP


def test_download_records_sha256_and_a_second_fetch_makes_no_request(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route()
    raw = tmp_path / "downloads" / "toy"
    spec = _spec(_url_artefact(server, "/data.bin"))
    assert fetch_artefacts(spec, raw) == {"data.bin": SHA256}
    assert (raw / "data.bin").read_bytes() == PAYLOAD
    assert _ledger(raw)["data.bin"] == {
        "sha256": SHA256,
        "size": len(PAYLOAD),
        "source": server.url("/data.bin"),
    }
    assert len(server.requests) == 1
    assert fetch_artefacts(spec, raw) == {"data.bin": SHA256}  # the download cache
    assert len(server.requests) == 1
    assert sorted(p.name for p in raw.iterdir()) == ["checksums.json", "data.bin"]


def test_transient_errors_are_retried_with_exponential_backoff(
    server: FileServer, tmp_path: Path, no_waiting: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/data.bin"] = Route(script=["503", "reset", "503"])
    fetch_artefacts(_spec(_url_artefact(server, "/data.bin")), tmp_path)
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert len(server.requests) == 4
    assert no_waiting == [1.0, 2.0, 4.0]
    assert re.search(r"HTTP 503 .*\n.*(closed|reset).*\n.*HTTP 503", caplog.text)


def test_tries_run_out_with_a_clear_error(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "ATTEMPTS", 3)
    server.routes["/data.bin"] = Route(script=["503"] * 10)
    with pytest.raises(
        SourceError, match=r"/data\.bin: HTTP 503 .*gave up after 3 tries.*--from DIR"
    ):
        fetch_artefacts(_spec(_url_artefact(server, "/data.bin")), tmp_path)
    assert len(server.requests) == 3


def test_404_is_not_retried_and_names_the_url(
    server: FileServer, tmp_path: Path, no_waiting: list[float]
) -> None:
    url = re.escape(server.url("/missing.bin"))
    with pytest.raises(SourceError, match=url + r": HTTP 404 .*--from DIR"):
        fetch_artefacts(_spec(_url_artefact(server, "/missing.bin")), tmp_path)
    assert len(server.requests) == 1 and no_waiting == []
    assert not (tmp_path / "data.bin").exists()


def test_dropped_connection_resumes_with_a_range_request(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route(script=["drop"])
    seen: list[tuple[str, int, int | None]] = []
    received: list[int] = []
    fetch_artefacts(
        _spec(_url_artefact(server, "/data.bin")),
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
    monkeypatch.setattr(download, "TIMEOUT_S", 0.2)
    server.routes["/data.bin"] = Route(script=["slow"])
    download_url(server.url("/data.bin"), tmp_path / "data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert len(server.requests) == 2


def test_download_error_carries_the_status(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download_url(server.url("/nothing"), tmp_path / "x")
    assert caught.value.status == 404 and caught.value.url == server.url("/nothing")


def test_checksum_mismatch_raises_and_keeps_nothing(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route(body=PAYLOAD[:-1])
    with pytest.raises(ChecksumError, match=r"MD5 .* differs from the expected " + MD5):
        fetch_artefacts(_spec(_url_artefact(server, "/data.bin")), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_mirrors_are_tried_in_order(server: FileServer, tmp_path: Path) -> None:
    server.routes["/corrupt.bin"] = Route(body=b"not it")
    server.routes["/good.bin"] = Route()
    artefact = _url_artefact(server, "/gone.bin", "/corrupt.bin", "/good.bin")
    assert fetch_artefacts(_spec(artefact), tmp_path) == {"data.bin": SHA256}
    assert server.paths() == ["/gone.bin", "/corrupt.bin", "/good.bin"]
    assert _ledger(tmp_path)["data.bin"]["source"] == server.url("/good.bin")


def test_every_mirror_failing_names_each(server: FileServer, tmp_path: Path) -> None:
    server.routes["/corrupt.bin"] = Route(body=b"not it")
    artefact = _url_artefact(server, "/gone.bin", "/corrupt.bin")
    with pytest.raises(ChecksumError, match=r"gone\.bin: HTTP 404.*corrupt\.bin: MD5.*--from DIR"):
        fetch_artefacts(_spec(artefact), tmp_path)


def test_corrupted_cached_file_is_fetched_again(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route()
    spec = _spec(_url_artefact(server, "/data.bin"))
    fetch_artefacts(spec, tmp_path)
    (tmp_path / "data.bin").write_bytes(b"x" + PAYLOAD[1:])
    assert fetch_artefacts(spec, tmp_path) == {"data.bin": SHA256}
    assert len(server.requests) == 2


def test_ledger_pins_a_file_without_a_reference_checksum(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route()
    spec = _spec(_url_artefact(server, "/data.bin", md5=None))
    assert fetch_artefacts(spec, tmp_path) == {"data.bin": SHA256}
    (tmp_path / "data.bin").write_bytes(b"changed")
    with pytest.raises(ChecksumError, match=r"recorded in .*checksums\.json.*first verified"):
        fetch_artefacts(spec, tmp_path)
    assert (tmp_path / "data.bin").read_bytes() == b"changed"  # the user decides what to do with it
    assert len(server.requests) == 1


def test_files_from_dir_are_verified_and_recorded(tmp_path: Path) -> None:
    source = tmp_path / "from"
    source.mkdir()
    (source / "data.bin").write_bytes(PAYLOAD)
    raw = tmp_path / "raw"
    artefact = Artefact(
        "data.bin", "manual", "-", md5=(MD5, "0" * 32), instructions="Ask the authors"
    )
    assert fetch_artefacts(_spec(artefact), raw, from_dir=source) == {"data.bin": SHA256}
    assert _ledger(raw)["data.bin"]["source"] == str(source / "data.bin")
    (source / "data.bin").unlink()
    assert fetch_artefacts(_spec(artefact), raw) == {"data.bin": SHA256}  # cached
    (raw / "data.bin").unlink()
    with pytest.raises(SourceError, match=r"data.bin must be fetched by hand\. Ask the authors\. Put it in"):
        fetch_artefacts(_spec(artefact), raw)


# ---------------------------------------------------------------------------------------- Google Drive

FILE_ID = "1AbC-d_E"


def _drive(server: FileServer, style: str) -> Dynamic:
    """Drive's /uc: the file, after a confirmation page of the given style."""

    served = Route()

    def page(handler: _Handler, html: str, cookie: str | None = None) -> None:
        body = html.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        if cookie:
            handler.send_header("Set-Cookie", cookie)
        handler.end_headers()
        handler.wfile.write(body)

    def uc(handler: _Handler, params: dict[str, list[str]]) -> Route | None:
        if params.get("id") != [FILE_ID]:
            handler.send_error(404)
            return None
        confirmed = params.get("confirm") == ["TOKEN"]
        if style == "cookie":
            confirmed = confirmed and "download_warning_1=TOKEN" in (
                handler.headers.get("Cookie") or ""
            )
        if confirmed:
            return served
        if style == "form":
            page(
                handler,
                f"""<html><body><p>Google Drive can't scan this file for viruses.</p>
                <form id="download-form" action="{server.url("/download")}" method="get">
                <input type="submit" value="Download anyway"/>
                <input type="hidden" name="id" value="{FILE_ID}">
                <input type="hidden" name="export" value="download">
                <input type="hidden" name="confirm" value="t">
                <input type="hidden" name="uuid" value="u-1"></form></body></html>""",
            )
        elif style == "link":
            page(
                handler,
                f'<a id="uc-download-link" href="/uc?export=download&amp;confirm=TOKEN'
                f'&amp;id={FILE_ID}">Download anyway</a>',
            )
        elif style == "cookie":
            page(handler, "<p>too large to scan</p>", cookie="download_warning_1=TOKEN; Path=/")
        else:
            page(handler, "<p>Too many users have viewed or downloaded this file recently.</p>")
        return None

    def usercontent(handler: _Handler, params: dict[str, list[str]]) -> Route | None:
        if params != {"id": [FILE_ID], "export": ["download"], "confirm": ["t"], "uuid": ["u-1"]}:
            handler.send_error(403)
            return None
        return served

    server.routes["/download"] = usercontent
    return uc


@pytest.mark.parametrize("style", ["form", "link", "cookie"])
def test_drive_confirmation_page_is_answered(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    monkeypatch.setattr(download, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = _drive(server, style)
    artefact = Artefact("drive.zip", "gdrive", FILE_ID, md5=MD5)
    assert fetch_artefacts(_spec(artefact), tmp_path) == {"drive.zip": SHA256}
    assert (tmp_path / "drive.zip").read_bytes() == PAYLOAD
    assert server.paths() == ["/uc", "/download" if style == "form" else "/uc"]
    assert not (tmp_path / "drive.zip.part").exists()  # the page never went into the file


def test_small_drive_file_comes_at_once(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = Route()
    download.download_gdrive(FILE_ID, tmp_path / "f")
    assert (tmp_path / "f").read_bytes() == PAYLOAD
    assert server.paths() == ["/uc"]


def test_drive_page_without_a_token_is_a_clear_error(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = _drive(server, "quota")
    with pytest.raises(
        SourceError, match=f"{FILE_ID}: Drive sent a web page.*file/d/{FILE_ID}/view"
    ):
        fetch_artefacts(_spec(Artefact("drive.zip", "gdrive", FILE_ID, md5=MD5)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_drive_file_ids_are_read_from_links() -> None:
    assert drive_file_id("https://drive.google.com/uc?export=download&id=13Pb&confirm=y") == "13Pb"
    assert drive_file_id("https://drive.google.com/u/0/uc?id=0B4I&export=download") == "0B4I"
    assert drive_file_id("https://drive.google.com/file/d/1xj-P/view?usp=sharing") == "1xj-P"
    assert drive_file_id("https://example.org/uc?id=13Pb") is None


# ---------------------------------------------------------------------------------------- Kaggle


@pytest.fixture
def kaggle_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed (fake) client and a home without Kaggle credentials."""
    fake = types.ModuleType("kaggle")
    fake.__spec__ = importlib.machinery.ModuleSpec("kaggle", None)
    monkeypatch.setitem(sys.modules, "kaggle", fake)
    for name in (
        "KAGGLE_USERNAME",
        "KAGGLE_KEY",
        "KAGGLE_API_TOKEN",
        "KAGGLE_CONFIG_DIR",
        "XDG_CONFIG_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.setenv("HOME", str(user))

    def forbidden(kind: str, name: str, directory: Path) -> None:
        raise AssertionError("a test must never call Kaggle")

    monkeypatch.setattr(download, "kaggle_download", forbidden)
    return user


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("images/a.txt", "a")
    return buffer.getvalue()


def test_missing_kaggle_client_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kaggle", None)  # find_spec() then reports it missing
    artefact = Artefact("biwi.zip", "kaggle_dataset", "kmader/biwi")
    with pytest.raises(SourceError, match=re.escape("pip install 'nevisbench[kaggle]'")):
        fetch_artefacts(_spec(artefact), tmp_path / "raw")


def test_missing_kaggle_credentials_say_where_they_go(kaggle_home: Path, tmp_path: Path) -> None:
    artefact = Artefact("biwi.zip", "kaggle_dataset", "kmader/biwi")
    where = re.escape(str(kaggle_home / ".kaggle" / "kaggle.json"))
    with pytest.raises(
        SourceError,
        match=f"save the downloaded kaggle.json as {where}.*KAGGLE_USERNAME and KAGGLE_KEY",
    ):
        fetch_artefacts(_spec(artefact), tmp_path / "raw")


def test_kaggle_dataset_is_downloaded_through_the_client(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kaggle_home / ".kaggle").mkdir()
    (kaggle_home / ".kaggle" / "kaggle.json").write_text('{"username": "u", "key": "k"}')
    data = _zip_bytes()
    calls = []

    def client(kind: str, name: str, directory: Path) -> None:
        calls.append((kind, name))
        (directory / "biwi-kinect-head-pose-database.zip").write_bytes(data)

    monkeypatch.setattr(download, "kaggle_download", client)
    raw = tmp_path / "raw"
    artefact = Artefact(
        "biwi.zip",
        "kaggle_dataset",
        "kmader/biwi-kinect-head-pose-database",
        md5=hashlib.md5(data).hexdigest(),
    )
    assert fetch_artefacts(_spec(artefact), raw) == {"biwi.zip": hashlib.sha256(data).hexdigest()}
    assert calls == [("kaggle_dataset", "kmader/biwi-kinect-head-pose-database")]
    assert sorted(p.name for p in raw.iterdir()) == [
        "biwi.zip",
        "checksums.json",
    ]  # no scratch left
    fetch_artefacts(_spec(artefact), raw)
    assert len(calls) == 1


def test_kaggle_competition_failure_mentions_the_rules(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "u")
    monkeypatch.setenv("KAGGLE_KEY", "k")

    def client(kind: str, name: str, directory: Path) -> None:
        raise PermissionError("403 Forbidden")

    monkeypatch.setattr(download, "kaggle_download", client)
    artefact = Artefact("c.zip", "kaggle_competition", "some-comp")
    with pytest.raises(SourceError, match="403 Forbidden; accept the rules at .*/some-comp/rules"):
        fetch_artefacts(_spec(artefact), tmp_path / "raw")
