"""HTTP downloads: a ``.part`` file resumed with Range requests, transient errors retried with backoff."""

from __future__ import annotations

import http.client
import logging
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nevisbench import __version__
from nevisbench.data.sources.errors import DownloadError, WebPageError

log = logging.getLogger(__name__)

ATTEMPTS = 5
"""Tries per URL before moving on to the next source; the count restarts whenever a try made progress."""

BACKOFF_S = 1.0
"""Wait before the first retry; it doubles with each further retry, up to ``MAX_BACKOFF_S``."""

MAX_BACKOFF_S = 60.0
TIMEOUT_S = 60.0
"""Seconds without a byte (connect or read) after which a try counts as failed."""

USER_AGENT = f"nevisbench/{__version__}"

_CHUNK = 1 << 20
_MAX_PAGE = 1 << 20  # error and warning pages are a few kB; never read a large body as a page
_sleep = time.sleep  # tests replace it to record the backoff without waiting

Progress = Callable[[int, int | None], None]
"""``on_progress(done, total)``: bytes of the file on disk so far and its size (None if unknown).

``done`` counts a resumed file's earlier bytes and drops back to 0 when a server ignores the resume."""


class _Truncated(ConnectionError):
    """The body ended before Content-Length; a ConnectionError, so it is retried (and resumed)."""


def is_transient(error: BaseException) -> bool:
    """Whether trying again may help: 5xx, 408, 429, timeouts, resets, truncated bodies; not 404."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    # Not DNS failures (socket.gaierror) or TLS certificate errors: retrying those only wastes time.
    return isinstance(
        error, TimeoutError | ConnectionError | http.client.IncompleteRead | ssl.SSLEOFError
    )


def describe(error: BaseException) -> str:
    """A short text for a network error: ``HTTP 404 Not Found``, ``timed out``, the OS's reason."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def looks_like_html(head: bytes) -> bool:
    """Whether a body served as ``text/html`` starts like markup (a mislabelled binary does not)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def _resume_offset(headers: Any) -> int | None:
    # "Content-Range: bytes 100-199/200" -> 100
    match = re.match(r"\s*bytes\s+(\d+)-", headers.get("Content-Range") or "")
    return int(match.group(1)) if match else None


def _attempt(
    url: str,
    part: Path,
    timeout: float,
    opener: urllib.request.OpenerDirector,
    refuse_html: bool,
    on_progress: Progress | None,
    on_bytes: Callable[[int], None] | None,
) -> str:
    """One request: appends to ``part`` if the server resumes it, else rewrites it; returns the final URL."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection; an unclosed one is a ResourceWarning
        if error.code == 416 and have:
            # Nothing lies past what we have: the partial file is complete (the checksum decides).
            return url
        raise
    with response:
        head = b""
        if refuse_html and response.headers.get_content_type() == "text/html":
            # Decided before the partial file is touched: a page must never become its content.
            head = response.read(_MAX_PAGE)
            # A resumed (206) body starts mid-file, where sniffing proves nothing: its type decides.
            if response.status == 206 or looks_like_html(head):
                raise WebPageError(response.geturl(), head.decode("utf-8", "replace"))
        resumed = bool(have) and response.status == 206 and _resume_offset(response.headers) == have
        if have and not resumed:
            log.info("%s ignored the request to resume at byte %d; starting over", url, have)
        done = have if resumed else 0
        length = response.headers.get("Content-Length", "")
        total = done + int(length) if length.isdigit() else None
        with open(part, "ab" if resumed else "wb") as handle:
            while block := head or response.read(_CHUNK):
                head = b""
                handle.write(block)
                done += len(block)
                if on_bytes is not None:
                    on_bytes(len(block))
                if on_progress is not None:
                    on_progress(done, total)
        # http.client returns a short body without an error when the connection closes early.
        if total is not None and done < total:
            raise _Truncated(f"the connection closed after {done} of {total} bytes")
        return response.geturl()


def download_url(
    url: str,
    dest: Path,
    *,
    timeout: float | None = None,
    attempts: int | None = None,
    on_progress: Progress | None = None,
    on_bytes: Callable[[int], None] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    refuse_html: bool = False,
) -> str:
    """Downloads ``url`` to ``dest`` through ``dest.part``, resuming and retrying.

    A partial ``dest.part`` (from an interrupted try or an earlier run) is resumed with a Range
    request; a server that ignores it sends the whole file, which replaces the partial one.
    Transient failures (timeouts, resets, truncated bodies, HTTP 5xx/408/429) are retried with
    exponential backoff; others (e.g. 404) fail at once.

    Args:
        url: what to fetch (http or https).
        dest: where the complete file goes.
        timeout: seconds without data before a try fails (default ``TIMEOUT_S``).
        attempts: tries before giving up (default ``ATTEMPTS``).
        on_progress: called as ``on_progress(done, total)`` after each block.
        on_bytes: called with the size of each block received (a network byte counter).
        opener: the urllib opener to use (e.g. one that keeps cookies).
        refuse_html: raise WebPageError, writing nothing, if the answer is an HTML page.

    Returns:
        the URL that served the file, after redirects.

    Raises:
        DownloadError: the URL failed for good; the partial file stays for a later resume.
    """
    # Not files.atomic_path: the partial file must outlive a failed try (and the process) to be resumed,
    # so it has a fixed name beside ``dest``, and only a complete body is renamed into place.
    part = dest.with_name(dest.name + ".part")
    attempts = attempts or ATTEMPTS
    opener = opener or urllib.request.build_opener()
    best = part.stat().st_size if part.exists() else 0
    failures = 0
    while True:
        try:
            served = _attempt(
                url, part, timeout or TIMEOUT_S, opener, refuse_html, on_progress, on_bytes
            )
            break
        except (OSError, http.client.HTTPException, ValueError) as error:
            status = error.code if isinstance(error, urllib.error.HTTPError) else None
            if not is_transient(error):
                raise DownloadError(url, describe(error), status) from error
            size = part.stat().st_size if part.exists() else 0
            if size > best:
                # Progress was made: a long download over a flaky link gets its tries afresh. Bounded,
                # because ``best`` only grows up to the file's size.
                best, failures = size, 0
            failures += 1
            if failures >= attempts:
                message = f"{describe(error)} (gave up after {attempts} tries)"
                raise DownloadError(url, message, status) from error
            delay = min(BACKOFF_S * 2 ** (failures - 1), MAX_BACKOFF_S)
            log.warning("%s: %s; retrying in %.1f s", url, describe(error), delay)
            _sleep(delay)
    part.replace(dest)
    return served
