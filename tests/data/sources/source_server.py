"""The sources tests' kit: a local HTTP server (scripted failures, redirects, pages, Range, HEAD) and a toy spec."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import http.server
import json
import re
import socket
import struct
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nevisbench.data.sources import LEDGER_NAME
from nevisbench.data.spec import Artefact, DatasetSpec
from nevisbench.values import TaskKind

PAYLOAD = bytes(range(256)) * 40  # 10 kB, every byte value
MD5 = hashlib.md5(PAYLOAD).hexdigest()
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
ERROR_PAGE = b"<!DOCTYPE html>\n<html><body><h1>Sorry, this page has moved</h1></body></html>\n"


@dataclasses.dataclass
class Route:
    """What the server answers at one path."""

    body: bytes = PAYLOAD
    # How the first requests fail, one entry each: "503", "reset" (close without an answer),
    # "drop" (half the body, then close) or "slow" (answer after ``delay`` seconds); then it serves.
    script: list[str] = dataclasses.field(default_factory=list)
    ignore_range: bool = False
    content_type: str = "application/octet-stream"
    status: int = 200  # 3xx sends ``location``; 4xx and 5xx send an error
    location: str = ""
    head: bool = True  # False: HEAD is answered 405, as some servers do
    delay: float = 1.0


Dynamic = Callable[["Handler", dict[str, list[str]]], Route | None]
"""A route computed per request: returns what to serve, or None once it has answered itself."""


class Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.answer(head=False)

    def do_HEAD(self) -> None:
        self.answer(head=True)

    def answer(self, head: bool) -> None:
        files = self.server.files
        parts = urllib.parse.urlsplit(self.path)
        with files.lock:
            files.requests.append(
                (parts.path, self.headers.get("Range"), self.headers.get("Cookie"))
            )
            files.methods.append(self.command)
        route = files.routes.get(parts.path)
        if route is None:
            self.send_error(404)
            return
        if callable(route):
            route = route(self, urllib.parse.parse_qs(parts.query))
        if route is not None:
            self.serve(route, head)

    def serve(self, route: Route, head: bool) -> None:
        if head and not route.head:
            self.send_error(405)
            return
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
            self.server.files.stop.wait(
                route.delay
            )  # the fixture's stop event cuts it short at teardown
        if 300 <= route.status < 400:
            self.send_response(route.status)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.status >= 400:
            self.send_error(route.status)
            return
        body, start = route.body, 0
        wanted = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range") or "")
        end = len(body)
        if wanted and not route.ignore_range:
            start = int(wanted.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if wanted.group(2):
                end = min(end, int(wanted.group(2)) + 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(body)}")
        else:
            self.send_response(200)
        payload = body[start:end]
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if head:
            return
        # HTTP/1.0: returning closes the connection, so "drop" ends the body half-way.
        with contextlib.suppress(OSError):  # a client that gave up (a timeout test) needs no answer
            self.wfile.write(payload[: len(payload) // 2] if failure == "drop" else payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read self.server.files.requests instead


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads: nothing outlives a test
    request_queue_size = (
        128  # the check's concurrent probes; a full backlog drops connections for a second
    )
    files: FileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out leaves a broken pipe behind; that is the test's point


class FileServer:
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) that counts the requests it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Dynamic] = {}
        self.requests: list[tuple[str, str | None, str | None]] = []
        self.methods: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), Handler)
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


def toy_spec(*artefacts: Artefact) -> DatasetSpec:
    """A two-class dataset ``toy`` made of ``artefacts`` (never converted)."""
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


def url_artefact(
    server: FileServer, *paths: str, md5: str | None = MD5, name: str = "data.bin"
) -> Artefact:
    """A URL artefact served at ``paths[0]``, with the other paths as its mirrors."""
    urls = [server.url(path) for path in paths]
    return Artefact(name, "url", urls[0], md5=md5, mirrors=tuple(urls[1:]))


def ledger_files(raw: Path, section: str = "files") -> dict[str, Any]:
    """One section of the downloads ledger of ``raw``."""
    return json.loads((raw / LEDGER_NAME).read_text()).get(section, {})


FILE_ID = "1AbC-d_E"


def drive_routes(server: FileServer, style: str) -> Dynamic:
    """Drive's /uc: the file, after a confirmation page of the given style (``quota``: pages only)."""

    served = Route()

    def page(handler: Handler, html: str, cookie: str | None = None) -> None:
        body = html.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        if cookie:
            handler.send_header("Set-Cookie", cookie)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def uc(handler: Handler, params: dict[str, list[str]]) -> Route | None:
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

    def usercontent(handler: Handler, params: dict[str, list[str]]) -> Route | None:
        if params != {"id": [FILE_ID], "export": ["download"], "confirm": ["t"], "uuid": ["u-1"]}:
            handler.send_error(403)
            return None
        return served

    server.routes["/download"] = usercontent
    return uc
