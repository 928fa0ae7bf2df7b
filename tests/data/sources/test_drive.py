"""Google Drive downloads against a local server: confirmation pages of every style, quota pages, links."""

from __future__ import annotations

from pathlib import Path

import pytest
from source_server import FILE_ID, MD5, PAYLOAD, SHA256, FileServer, Route, drive_routes, toy_spec

from nevisbench.data.sources import (
    SourceError,
    download_gdrive,
    drive,
    drive_file_id,
    fetch_artefacts,
)
from nevisbench.data.spec import Artefact


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
    with pytest.raises(
        SourceError, match=f"{FILE_ID}: Drive sent a web page.*file/d/{FILE_ID}/view"
    ):
        fetch_artefacts(toy_spec(Artefact("drive.zip", "gdrive", FILE_ID, md5=MD5)), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_drive_file_ids_are_read_from_links() -> None:
    assert drive_file_id("https://drive.google.com/uc?export=download&id=13Pb&confirm=y") == "13Pb"
    assert drive_file_id("https://drive.google.com/u/0/uc?id=0B4I&export=download") == "0B4I"
    assert drive_file_id("https://drive.google.com/file/d/1xj-P/view?usp=sharing") == "1xj-P"
    assert drive_file_id("https://example.org/uc?id=13Pb") is None
