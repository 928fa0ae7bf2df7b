"""The sources table and its check: each raw file's origin and fallbacks probed concurrently, in bounded time."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nevisbench.data.sources.drive import (
    drive_confirmation,
    drive_download_url,
    drive_file_id,
    drive_view_url,
)
from nevisbench.data.sources.errors import SourceError
from nevisbench.data.sources.http import USER_AGENT, describe, looks_like_html
from nevisbench.data.sources.kaggle import kaggle_page
from nevisbench.data.sources.ledger import read_ledger, read_unverified
from nevisbench.data.sources.package import package_file
from nevisbench.data.sources.wayback import snapshot_url, wayback_base
from nevisbench.data.spec import Artefact, get_dataset

STATUSES = ("reachable", "moved", "gone", "needs_login", "manual", "unreachable")
"""What a check finds: served; served after a redirect to another host or path; 404/410 or a page instead of
the file; 401/403, Kaggle or a Drive quota page; fetched by hand; no answer (timeout, DNS, refused, 5xx)."""

_MAX_HOPS = 10
_PAGE = (
    64 << 10
)  # enough of an HTML answer to tell a login or a quota page from a confirmation step
# A word of a redirect target's host or path that says "sign in first" (accounts.google.com, /login?next=...).
_LOGIN = re.compile(
    r"(?:^|[/.])(?:log-?in|sign-?in|sign_in|auth|accounts?|sso|cas)(?:[/._?-]|$)", re.IGNORECASE
)
_QUOTA = re.compile(r"quota|too many users", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class SourceRow:
    """One raw file of the sources table.

    Attributes:
        dataset: the dataset's id.
        file: the artefact's filename.
        kind: ``url``, ``drive``, ``kaggle``, ``manual`` or ``package``.
        url: where it comes from: its URL, Drive or Kaggle page, manual instructions' page, or
            ``distribution:path`` of a package.
        size: its size in bytes, when a downloads ledger knows it (a check fills it from the server).
        mirrors: the further URLs the spec lists.
    """

    dataset: str
    file: str
    kind: str
    url: str
    size: int | None = None
    mirrors: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-able values."""
        return {**dataclasses.asdict(self), "mirrors": list(self.mirrors)}


def artefact_rows(
    dataset_names: Iterable[str], *, downloads: Path | None = None
) -> list[SourceRow]:
    """One row per raw file of each dataset (repeated names count once), in the order given.

    Args:
        dataset_names: dataset ids (e.g. a stream's rows); an unknown id raises KeyError.
        downloads: a downloads folder (``<home>/downloads``); the sizes its ledgers record fill ``size``.
    """
    rows = []
    for name in dict.fromkeys(dataset_names):
        spec = get_dataset(name)
        sizes: dict[str, Any] = {}
        if downloads is not None:
            for files in (read_unverified(downloads / name), read_ledger(downloads / name)):
                sizes.update({key: entry.get("size") for key, entry in files.items()})
        for artefact in spec.artefacts:
            kind, url = _kind_and_url(artefact)
            size = sizes.get(artefact.filename)
            rows.append(
                SourceRow(
                    name,
                    artefact.filename,
                    kind,
                    url,
                    size if isinstance(size, int) else None,
                    artefact.mirrors,
                )
            )
    return rows


def _kind_and_url(artefact: Artefact) -> tuple[str, str]:
    if artefact.kind == "url":
        return ("drive" if drive_file_id(artefact.source) else "url"), artefact.source
    if artefact.kind == "gdrive":
        return "drive", drive_view_url(artefact.source)
    if artefact.kind in ("kaggle_dataset", "kaggle_competition"):
        return "kaggle", kaggle_page(artefact.kind, artefact.source)
    return artefact.kind, artefact.source


def check_sources(
    rows: Sequence[SourceRow],
    *,
    timeout: float = 15.0,
    workers: int = 16,
    wayback: str | None = None,
    all_fallbacks: bool = False,
) -> list[dict[str, Any]]:
    """Probes each row's origin, then the fallbacks of those it cannot be had from, ``workers`` at a time.

    A probe asks with HEAD (following redirects itself, at most 10), then with a one-byte Range GET when
    HEAD gets an HTTP error (some servers refuse HEAD) or a web page (the first bytes tell an error or
    login page from a mislabelled file); it gives up after ``timeout`` seconds in all.

    Args:
        rows: from ``artefact_rows``.
        timeout: the most seconds one probe takes.
        workers: probes running at once.
        wayback: the Wayback Machine's base URL, or ``off`` (default ``$NEVISBENCH_WAYBACK``).
        all_fallbacks: probe the fallbacks of every row, not only of rows whose origin fails.

    Returns:
        per row, in order, its fields plus ``status`` (one of ``STATUSES``, the origin's), ``detail``,
        ``final_url`` (after redirects), ``fallback`` (the first fallback that serves the file: ``via``
        and ``url``, or None) and ``probes`` (each URL probed: ``via``, ``url``, ``status``, ``detail``,
        ``http``, ``final_url``, ``size``). JSON-able.
    """
    base = wayback_base(wayback)
    results = [row.as_dict() for row in rows]
    with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
        origins = list(pool.map(lambda row: _probe_origin(row, timeout), rows))
        for result, probe in zip(results, origins, strict=True):
            result.update(
                status=probe["status"],
                detail=probe["detail"],
                final_url=probe["final_url"],
                probes=[probe] if probe["url"] else [],
                fallback=None,
            )
            if result["size"] is None:
                result["size"] = probe["size"]
        wanted = [
            (index, via, url)
            for index, row in enumerate(rows)
            if all_fallbacks or results[index]["status"] not in ("reachable", "moved")
            for via, url in _fallbacks(row, base)
        ]
        found = pool.map(lambda item: _probe(item[2], item[1], timeout, drive=False), wanted)
        for (index, _, _), probe in zip(wanted, found, strict=True):
            result = results[index]
            result["probes"].append(probe)
            if result["fallback"] is None and probe["status"] in ("reachable", "moved"):
                result["fallback"] = {"via": probe["via"], "url": probe["url"]}
    return results


def _fallbacks(row: SourceRow, base: str | None) -> list[tuple[str, str]]:
    if row.kind == "package":
        return []
    found = [("mirror", url) for url in row.mirrors if drive_file_id(url) is None]
    if base is not None and row.kind == "url":
        found += [
            ("wayback", snapshot_url(base, url))
            for url in (row.url, *row.mirrors)
            if drive_file_id(url) is None
        ]
    return found


def _result(via: str, url: str, status: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "via": via,
        "url": url,
        "status": status,
        "detail": detail,
        "http": None,
        "final_url": None,
        "size": None,
        **extra,
    }


def _probe_origin(row: SourceRow, timeout: float) -> dict[str, Any]:
    if row.kind == "manual":
        return _result("origin", "", "manual", f"fetched by hand: {row.url}")
    if row.kind == "kaggle":
        return _result(
            "origin", "", "needs_login", f"Kaggle needs an account and an API token: {row.url}"
        )
    if row.kind == "package":
        try:
            path = package_file(row.url)
        except SourceError as error:
            return _result("origin", "", "unreachable", str(error))
        return _result("origin", "", "reachable", f"installed: {path}", size=path.stat().st_size)
    if row.kind == "drive":
        return _probe(
            drive_download_url(drive_file_id(row.url) or row.url), "origin", timeout, drive=True
        )
    return _probe(row.url, "origin", timeout, drive=False)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands each redirect back as an HTTPError, so the probe follows them itself (counted, timed)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclasses.dataclass(frozen=True)
class _Answer:
    method: str
    status: int
    headers: Any
    url: str  # after redirects
    body: bytes  # GET only: one byte, or the start of an HTML page


def _is_page(answer: _Answer) -> bool:
    if answer.status >= 300 or answer.headers.get_content_type() != "text/html":
        return False
    return answer.method == "HEAD" or looks_like_html(answer.body)


def _ask(url: str, method: str, deadline: float) -> _Answer:
    """One request and its redirects, each with what is left of the probe's time."""
    opener = urllib.request.build_opener(_NoRedirect())
    for _ in range(_MAX_HOPS + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        if method == "GET":
            request.add_header("Range", "bytes=0-0")
        try:
            response = opener.open(request, timeout=left)
        except urllib.error.HTTPError as error:
            with error:
                headers = error.headers if error.headers is not None else http.client.HTTPMessage()
                location = headers.get("Location")
                if 300 <= error.code < 400 and location:
                    url = urllib.parse.urljoin(url, location)
                    continue
                return _Answer(method, error.code, headers, url, b"")
        with response:
            page = method == "GET" and response.headers.get_content_type() == "text/html"
            body = response.read(_PAGE if page else 1) if method == "GET" else b""
            return _Answer(method, response.status, response.headers, url, body)
    raise urllib.error.URLError(f"more than {_MAX_HOPS} redirects")


def _size(answer: _Answer) -> int | None:
    match = re.search(r"/(\d+)\s*$", answer.headers.get("Content-Range") or "")
    if match:
        return int(match.group(1))
    length = answer.headers.get("Content-Length") or ""
    return int(length) if answer.status == 200 and length.isdigit() else None


def _probe(url: str, via: str, timeout: float, *, drive: bool) -> dict[str, Any]:
    """Where ``url`` stands (see ``STATUSES``), asked within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    try:
        # Drive answers HEAD without telling a file from a page; its page is read from a GET.
        answer = _ask(url, "GET" if drive else "HEAD", deadline)
        if answer.method == "HEAD" and (answer.status >= 400 or _is_page(answer)):
            # Some servers refuse HEAD; and a page is told from a mislabelled file by its first bytes.
            answer = _ask(url, "GET", deadline)
    except (
        OSError,
        ValueError,
        http.client.HTTPException,
    ) as error:  # timeouts, DNS, refused, resets, bad URLs
        return _result(via, url, "unreachable", describe(error))
    status, detail = _classify(url, answer, via, drive)
    return _result(
        via,
        url,
        status,
        detail,
        http=answer.status,
        final_url=answer.url if answer.url != url else None,
        size=_size(answer),
    )


def _classify(url: str, answer: _Answer, via: str, drive: bool) -> tuple[str, str]:
    code = answer.status
    if code in (401, 403):
        return "needs_login", f"HTTP {code}"
    if code in (404, 410):
        return "gone", f"HTTP {code}"
    if code >= 300 and code != 416:  # 416: a one-byte range of an empty file
        return "unreachable", f"HTTP {code}"
    if _is_page(answer):
        text = answer.body.decode("utf-8", "replace")
        if drive and drive_confirmation(answer.url, text):
            return "reachable", "Drive asks to confirm a large file's download, which fetching does"
        if drive and _QUOTA.search(text):
            return (
                "needs_login",
                "Drive's download quota for the file is exceeded; try later or use a browser",
            )
        where = urllib.parse.urlsplit(answer.url)
        if drive or _LOGIN.search(f"{where.hostname}{where.path}") or 'type="password"' in text:
            return "needs_login", f"a sign-in page answers ({answer.url})"
        return "gone", "a web page answers instead of the file"
    old, new = urllib.parse.urlsplit(url), urllib.parse.urlsplit(answer.url)
    if via != "wayback" and (old.hostname, old.path) != (new.hostname, new.path):
        return "moved", f"redirected to {answer.url}"
    return "reachable", f"HTTP {code}"
