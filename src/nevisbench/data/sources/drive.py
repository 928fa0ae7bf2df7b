"""Google Drive downloads: file ids from links, and the large-file confirmation page answered."""

from __future__ import annotations

import html.parser
import http.cookiejar
import logging
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nevisbench.data.sources.errors import SourceError, WebPageError
from nevisbench.data.sources.http import Progress, download_url

log = logging.getLogger(__name__)

DRIVE_URL = "https://drive.google.com/uc"
"""Google Drive's download endpoint (``?export=download&id=ID``); tests point it at a local server."""

# Drive sends the file, or a warning page and then the file; a third page means it failed.
_DRIVE_STEPS = 3


def drive_file_id(url: str) -> str | None:
    """The file id of a Google Drive link (``uc?id=ID``, ``open?id=ID``, ``file/d/ID/view``), else None."""
    parts = urllib.parse.urlsplit(url)
    if not (parts.hostname or "").endswith("drive.google.com"):
        return None
    ids = urllib.parse.parse_qs(parts.query).get("id")
    if ids:
        return ids[0]
    match = re.search(r"/file/d/([^/]+)", parts.path)
    return match.group(1) if match else None


def drive_download_url(file_id: str) -> str:
    """The URL that downloads a Drive file (or answers with Drive's confirmation page)."""
    return f"{DRIVE_URL}?{urllib.parse.urlencode({'export': 'download', 'id': file_id})}"


def drive_view_url(file_id: str) -> str:
    """The page where a person downloads a Drive file in a browser."""
    return f"https://drive.google.com/file/d/{file_id}/view"


class _PageParser(html.parser.HTMLParser):
    """Collects a page's forms (id, action, hidden inputs) and links."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                {"id": values.get("id", ""), "action": values.get("action", ""), "inputs": {}}
            )
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["inputs"][values["name"]] = values.get("value", "")
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(params)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def drive_confirmation(
    page_url: str, body: str, cookies: http.cookiejar.CookieJar | None = None
) -> str | None:
    """The URL that confirms a large-file download, from Drive's "can't scan for viruses" page; else None.

    Args:
        page_url: where the page came from (relative links resolve against it).
        body: the page's text.
        cookies: the cookies Drive set with the page (its oldest pages put the token there).
    """
    parser = _PageParser()
    parser.feed(body)
    parser.close()
    # Current pages: <form id="download-form" action=".../download"> with hidden id/export/confirm/uuid.
    for form in parser.forms:
        if "download" in (form["id"] + form["action"]).lower() and form["action"]:
            return _with_query(urllib.parse.urljoin(page_url, form["action"]), **form["inputs"])
    # Older pages: a link "/uc?export=download&confirm=TOKEN&id=ID" (html.parser unescapes &amp;).
    for href in parser.links:
        if "confirm=" in href:
            return urllib.parse.urljoin(page_url, href)
    # Oldest: the token in a download_warning cookie, or anywhere in the page.
    token = next(
        (c.value for c in cookies or () if c.name.startswith("download_warning") and c.value), None
    )
    if token is None:
        match = re.search(r"confirm=([0-9A-Za-z_-]+)", body)
        token = match.group(1) if match else None
    return _with_query(page_url, confirm=token) if token else None


def download_gdrive(
    file_id: str,
    dest: Path,
    *,
    timeout: float | None = None,
    attempts: int | None = None,
    on_progress: Progress | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> str:
    """Downloads a public Google Drive file, answering the large-file confirmation page if one comes.

    Returns:
        the URL that served the file.

    Raises:
        SourceError: Drive answered with pages only (quota exceeded, not public, removed).
        DownloadError: a request failed for good.
    """
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    url = drive_download_url(file_id)
    for _ in range(_DRIVE_STEPS):
        try:
            return download_url(
                url,
                dest,
                timeout=timeout,
                attempts=attempts,
                on_progress=on_progress,
                on_bytes=on_bytes,
                opener=opener,
                refuse_html=True,
            )
        except WebPageError as page:
            confirmed = drive_confirmation(page.url, page.body, cookies)
        if confirmed is None or confirmed == url:
            break
        log.info("Google Drive file %s: confirming the large-file download", file_id)
        url = confirmed
    raise SourceError(
        f"Google Drive file {file_id}: Drive sent a web page instead of the file (the file's download "
        f"quota may be exceeded, or it is not shared publicly). Download it in a browser from "
        f"{drive_view_url(file_id)}"
    )
