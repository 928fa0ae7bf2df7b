"""Google Drive downloads against a local server: confirmation pages of every style, quota pages, links."""

from __future__ import annotations

from pathlib import Path

import pytest
from source_server import MD5, PAYLOAD, SHA256, Dynamic, FileServer, Handler, Route, toy_spec

from nevisbench.data.sources import (
    SourceError,
    download_gdrive,
    drive,
    drive_file_id,
    fetch_artefacts,
)
from nevisbench.data.spec import Artefact

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
            confirmed = confirmed and "download_warning_1=TOKEN" in (handler.headers.get("Cookie") or "")
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


@pytest.mark.parametrize("style", ["form", "link", "cookie"])
def test_drive_confirmation_page_is_answered(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    monkeypatch.setattr(drive, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = drive_routes(server, style)
    artefact = Artefact("drive.zip", "gdrive", FILE_ID, md5=MD5)
    assert fetch_artefacts(toy_spec(artefact), tmp_path) == {"drive.zip": SHA256}
    assert (tmp_path / "drive.zip").read_bytes() == PAYLOAD
    assert server.paths() == ["/uc", "/download" if style == "form" else "/uc"]
    assert not (tmp_path / "drive.zip.part").exists()  # the page never went into the file


def test_small_drive_file_comes_at_once(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drive, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = Route()
    download_gdrive(FILE_ID, tmp_path / "f")
    assert (tmp_path / "f").read_bytes() == PAYLOAD
    assert server.paths() == ["/uc"]


def test_drive_page_without_a_token_is_a_clear_error(
    server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drive, "DRIVE_URL", server.url("/uc"))
    server.routes["/uc"] = drive_routes(server, "quota")
    with pytest.raises(SourceError, match=f"{FILE_ID}: Drive sent a web page.*file/d/{FILE_ID}/view"):
        fetch_artefacts(toy_spec(Artefact("drive.zip", "gdrive", FILE_ID, md5=MD5)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_drive_file_ids_are_read_from_links() -> None:
    assert drive_file_id("https://drive.google.com/uc?export=download&id=13Pb&confirm=y") == "13Pb"
    assert drive_file_id("https://drive.google.com/u/0/uc?id=0B4I&export=download") == "0B4I"
    assert drive_file_id("https://drive.google.com/file/d/1xj-P/view?usp=sharing") == "1xj-P"
    assert drive_file_id("https://example.org/uc?id=13Pb") is None
