"""Getting a dataset's raw files (user directory, local copy, package, URL, Google Drive, Kaggle), verified."""

from __future__ import annotations

import hashlib
import html.parser
import http.client
import http.cookiejar
import importlib.util
import json
import logging
import os
import re
import shutil
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nevisbench import __version__
from nevisbench.data.spec import Artefact, DatasetSpec

log = logging.getLogger(__name__)

DRIVE_URL = "https://drive.google.com/uc"
"""Google Drive's download endpoint (``?export=download&id=ID``); tests point it at a local server."""

LEDGER_NAME = "checksums.json"
"""The ledger in a dataset's downloads folder: each verified file's SHA-256, size and source."""

ATTEMPTS = 5
"""Tries per URL before moving on to the next mirror; the count restarts whenever a try made progress."""

BACKOFF_S = 1.0
"""Wait before the first retry; it doubles with each further retry, up to ``MAX_BACKOFF_S``."""

MAX_BACKOFF_S = 60.0
TIMEOUT_S = 60.0
"""Seconds without a byte (connect or read) after which a try counts as failed."""

_CHUNK = 1 << 20
_MAX_PAGE = 1 << 20  # Drive's warning pages are a few kB; never read a large body as a page
# Drive sends the file, or a warning page and then the file; a third page means it failed.
_DRIVE_STEPS = 3
_USER_AGENT = f"nevisbench/{__version__}"
_sleep = time.sleep  # tests replace it to record the backoff without waiting

Progress = Callable[[int, int | None], None]
"""``on_progress(done, total)``: bytes of the file on disk so far and its size (None if unknown).

``done`` counts a resumed file's earlier bytes and drops back to 0 when a server ignores the resume."""


class SourceError(RuntimeError):
    """A raw file cannot be had automatically; the message says what to do."""


class ChecksumError(ValueError):
    """A raw file's checksum differs from the expected one."""


class DownloadError(SourceError):
    """One URL failed for good (a permanent HTTP error, or transient ones until the tries ran out).

    Attributes:
        url: the URL that failed.
        status: its HTTP status, if the server answered.
    """

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.status = status


class _Truncated(ConnectionError):
    """The body ended before Content-Length; a ConnectionError, so it is retried (and resumed)."""


class WebPageError(DownloadError):
    """A web page came back where a file was expected (e.g. Google Drive's confirmation step).

    Attributes:
        body: the page's text (its first MiB).
    """

    def __init__(self, url: str, body: str) -> None:
        super().__init__(url, "the server sent a web page instead of the file")
        self.body = body


# ---------------------------------------------------------------------------------------- checksums


def file_digests(path: Path, *algorithms: str) -> dict[str, str]:
    """The hex digests of ``path`` for each hashlib algorithm name, in one read of the file."""
    hashes = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            for digest in hashes.values():
                digest.update(block)
    return {name: digest.hexdigest() for name, digest in hashes.items()}


def file_md5(path: Path) -> str:
    """The MD5 of ``path``, the checksum the reference lists for most artefacts."""
    return file_digests(path, "md5")["md5"]


def verify(
    path: Path,
    artefact: Artefact,
    origin: str | None = None,
    *,
    digests: Mapping[str, str] | None = None,
) -> None:
    """Raises ChecksumError unless ``path`` matches the artefact's checksums (if it has any).

    Args:
        path: the file to check.
        artefact: whose ``md5`` (one value or every known version's) and ``sha256`` to check.
        origin: where the file came from, for the message (default: ``path``).
        digests: already computed ``{"md5": ..., "sha256": ...}`` of the file, to skip a read.
    """
    where = origin or str(path)
    wanted = [name for name, value in (("md5", artefact.md5), ("sha256", artefact.sha256)) if value]
    have = dict(digests or {})
    missing = [name for name in wanted if name not in have]
    if missing:
        have.update(file_digests(path, *missing))
    if artefact.md5 is not None:
        known = (artefact.md5,) if isinstance(artefact.md5, str) else artefact.md5
        if have["md5"] not in known:
            raise ChecksumError(
                f"{where}: MD5 {have['md5']} differs from the expected {' or '.join(known)}; the file is "
                f"truncated, corrupted or a different version. Replace it with a good copy (from "
                f"{artefact.source}) and prepare again"
            )
    if artefact.sha256 is not None and have["sha256"] != artefact.sha256:
        raise ChecksumError(
            f"{where}: SHA-256 {have['sha256']} differs from the expected {artefact.sha256}"
        )


def read_ledger(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """``{filename: {"sha256", "size", "source"}}`` of the files verified in ``raw_dir`` so far."""
    path = raw_dir / LEDGER_NAME
    try:
        files = json.loads(path.read_text()).get("files")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError) as error:
        # The ledger only speeds verification up and pins first-seen files; losing it is safe.
        log.warning("%s is unreadable (%s); starting a new one", path, error)
        return {}
    return files if isinstance(files, dict) else {}


def _record(raw_dir: Path, filename: str, entry: dict[str, Any]) -> None:
    files = read_ledger(raw_dir)
    files[filename] = entry
    path = raw_dir / LEDGER_NAME
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": 1, "files": files}, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)  # atomic: a crash leaves the old ledger or the new one, never half of one


def _verified_sha256(
    path: Path, artefact: Artefact, recorded: Mapping[str, Any] | None, origin: str
) -> str:
    """Verifies ``path`` and returns its SHA-256; raises ChecksumError if it fails."""
    if recorded is not None:
        # A recorded file is checked against its SHA-256: one read, and stronger than MD5.
        sha256 = file_digests(path, "sha256")["sha256"]
        if sha256 == recorded.get("sha256"):
            return sha256
        if artefact.md5 is None and artefact.sha256 is None:
            ledger = path.parent / LEDGER_NAME
            raise ChecksumError(
                f"{origin}: SHA-256 {sha256} differs from {recorded.get('sha256')}, recorded in {ledger} "
                f"when {artefact.filename} was first verified: the file has changed (corrupted or "
                f"replaced). Delete {path} to fetch it again, or delete its entry from {ledger} to "
                f"accept the new file"
            )
        # Only the reference checksums may accept a different file (another known version).
        verify(path, artefact, origin, digests={"sha256": sha256})
        return sha256
    digests = file_digests(path, "md5", "sha256")
    verify(path, artefact, origin, digests=digests)
    return digests["sha256"]


# ---------------------------------------------------------------------------------------- local files


def package_file(source: str) -> Path:
    """Resolves ``distribution:module/path/file`` to the file an installed package ships."""
    distribution, _, inner = source.partition(":")
    module = inner.split("/", 1)[0]
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        raise SourceError(
            f"the package {distribution!r} is not installed; install it with "
            f"`pip install {distribution}`"
        )
    path = Path(found.origin).parent.parent / inner
    if not path.exists():
        raise SourceError(
            f"{path} is missing from the installed {distribution!r}; reinstall it with "
            f"`pip install --force-reinstall {distribution}`"
        )
    return path


def _place(source: Path, dest: Path) -> None:
    # A hard link costs nothing for large files; copy across file systems.
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    tmp.replace(dest)


# ---------------------------------------------------------------------------------------- HTTP


def _is_transient(error: BaseException) -> bool:
    """Whether trying again may help: 5xx, 408, 429, timeouts, resets, truncated bodies; not 404."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    # Not DNS failures (socket.gaierror) or TLS certificate errors: retrying those only wastes time.
    return isinstance(
        error, TimeoutError | ConnectionError | http.client.IncompleteRead | ssl.SSLEOFError
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


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
) -> None:
    """One request: appends to ``part`` if the server resumes it, else rewrites it from zero."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection; an unclosed one is a ResourceWarning
        if error.code == 416 and have:
            # Nothing lies past what we have: the partial file is complete (the checksum decides).
            return
        raise
    with response:
        if refuse_html and response.headers.get_content_type() == "text/html":
            # Checked before the partial file is touched: a page must never become its content.
            raise WebPageError(
                response.geturl(), response.read(_MAX_PAGE).decode("utf-8", "replace")
            )
        resumed = bool(have) and response.status == 206 and _resume_offset(response.headers) == have
        if have and not resumed:
            log.info("%s ignored the request to resume at byte %d; starting over", url, have)
        done = have if resumed else 0
        length = response.headers.get("Content-Length", "")
        total = done + int(length) if length.isdigit() else None
        with open(part, "ab" if resumed else "wb") as handle:
            while block := response.read(_CHUNK):
                handle.write(block)
                done += len(block)
                if on_bytes is not None:
                    on_bytes(len(block))
                if on_progress is not None:
                    on_progress(done, total)
        # http.client returns a short body without an error when the connection closes early.
        if total is not None and done < total:
            raise _Truncated(f"the connection closed after {done} of {total} bytes")


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
) -> None:
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

    Raises:
        DownloadError: the URL failed for good; the partial file stays for a later resume.
    """
    part = dest.with_name(dest.name + ".part")
    attempts = attempts or ATTEMPTS
    opener = opener or urllib.request.build_opener()
    best = part.stat().st_size if part.exists() else 0
    failures = 0
    while True:
        try:
            _attempt(url, part, timeout or TIMEOUT_S, opener, refuse_html, on_progress, on_bytes)
            break
        except (OSError, http.client.HTTPException, ValueError) as error:
            status = error.code if isinstance(error, urllib.error.HTTPError) else None
            if not _is_transient(error):
                raise DownloadError(url, _describe(error), status) from error
            size = part.stat().st_size if part.exists() else 0
            if size > best:
                # Progress was made: a long download over a flaky link gets its tries afresh. Bounded,
                # because ``best`` only grows up to the file's size.
                best, failures = size, 0
            failures += 1
            if failures >= attempts:
                message = f"{_describe(error)} (gave up after {attempts} tries)"
                raise DownloadError(url, message, status) from error
            delay = min(BACKOFF_S * 2 ** (failures - 1), MAX_BACKOFF_S)
            log.warning("%s: %s; retrying in %.1f s", url, _describe(error), delay)
            _sleep(delay)
    part.replace(dest)


# ---------------------------------------------------------------------------------------- Google Drive


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


def _drive_confirmation(page: WebPageError, cookies: http.cookiejar.CookieJar) -> str | None:
    """The URL that confirms a large-file download, from Drive's "can't scan for viruses" page."""
    parser = _PageParser()
    parser.feed(page.body)
    parser.close()
    # Current pages: <form id="download-form" action=".../download"> with hidden id/export/confirm/uuid.
    for form in parser.forms:
        if "download" in (form["id"] + form["action"]).lower() and form["action"]:
            return _with_query(urllib.parse.urljoin(page.url, form["action"]), **form["inputs"])
    # Older pages: a link "/uc?export=download&confirm=TOKEN&id=ID" (html.parser unescapes &amp;).
    for href in parser.links:
        if "confirm=" in href:
            return urllib.parse.urljoin(page.url, href)
    # Oldest: the token in a download_warning cookie, or anywhere in the page.
    token = next(
        (c.value for c in cookies if c.name.startswith("download_warning") and c.value), None
    )
    if token is None:
        match = re.search(r"confirm=([0-9A-Za-z_-]+)", page.body)
        token = match.group(1) if match else None
    return _with_query(page.url, confirm=token) if token else None


def download_gdrive(
    file_id: str,
    dest: Path,
    *,
    timeout: float | None = None,
    attempts: int | None = None,
    on_progress: Progress | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> None:
    """Downloads a public Google Drive file, answering the large-file confirmation page if one comes.

    Raises:
        SourceError: Drive answered with pages only (quota exceeded, not public, removed).
        DownloadError: a request failed for good.
    """
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    url = f"{DRIVE_URL}?{urllib.parse.urlencode({'export': 'download', 'id': file_id})}"
    for _ in range(_DRIVE_STEPS):
        try:
            download_url(
                url,
                dest,
                timeout=timeout,
                attempts=attempts,
                on_progress=on_progress,
                on_bytes=on_bytes,
                opener=opener,
                refuse_html=True,
            )
            return
        except WebPageError as page:
            confirmed = _drive_confirmation(page, cookies)
        if confirmed is None or confirmed == url:
            break
        log.info("Google Drive file %s: confirming the large-file download", file_id)
        url = confirmed
    raise SourceError(
        f"Google Drive file {file_id}: Drive sent a web page instead of the file (the file's download "
        f"quota may be exceeded, or it is not shared publicly). Download it in a browser from "
        f"https://drive.google.com/file/d/{file_id}/view"
    )


# ---------------------------------------------------------------------------------------- Kaggle


def kaggle_download(kind: str, name: str, directory: Path) -> None:
    """The one call into the Kaggle client (tests replace it): the dataset's or competition's zip.

    Args:
        kind: ``kaggle_dataset`` or ``kaggle_competition``.
        name: ``owner/dataset`` or the competition's name.
        directory: an empty directory that receives the zip.
    """
    # Importing the client authenticates; _kaggle_ready() checked the credentials before.
    from kaggle.api.kaggle_api_extended import KaggleApi

    api = KaggleApi()
    try:
        api.authenticate()
    except SystemExit:  # the client calls exit(1) when it finds no credentials
        raise SourceError(_kaggle_credentials_help()) from None
    if kind == "kaggle_dataset":
        api.dataset_download_files(name, path=str(directory), quiet=True, unzip=False)
    else:
        api.competition_download_files(name, path=str(directory), quiet=True)


def _kaggle_config_dirs() -> list[Path]:
    # Where the client looks (kaggle 1.6 to 2.x): $KAGGLE_CONFIG_DIR, else ~/.kaggle, else the XDG dir.
    if os.environ.get("KAGGLE_CONFIG_DIR"):
        return [Path(os.environ["KAGGLE_CONFIG_DIR"])]
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [Path.home() / ".kaggle", xdg / "kaggle"]


def _kaggle_credentials_help() -> str:
    where = _kaggle_config_dirs()[0] / "kaggle.json"
    return (
        f"Kaggle credentials are missing: create an API token at https://www.kaggle.com/settings "
        f"(API, Create New Token) and save the downloaded kaggle.json as {where} (chmod 600 {where}), "
        f"or set the environment variables KAGGLE_USERNAME and KAGGLE_KEY"
    )


def _kaggle_ready() -> None:
    """Raises SourceError unless the client is installed and credentials are where it looks."""
    if importlib.util.find_spec("kaggle") is None:
        raise SourceError(
            "Kaggle downloads need the Kaggle client: pip install 'nevisbench[kaggle]'"
        )
    env = os.environ
    if (env.get("KAGGLE_USERNAME") and env.get("KAGGLE_KEY")) or env.get("KAGGLE_API_TOKEN"):
        return
    # The API key file, an API token, and what `kaggle auth login` (OAuth) leaves.
    names = ("kaggle.json", "access_token", "credentials.json")
    if any((folder / name).is_file() for folder in _kaggle_config_dirs() for name in names):
        return
    raise SourceError(_kaggle_credentials_help())


def download_kaggle(kind: str, name: str, dest: Path) -> None:
    """Downloads a Kaggle dataset's or competition's zip to ``dest`` with the official client.

    Raises:
        SourceError: no client, no credentials, or the client failed (its message included).
    """
    _kaggle_ready()
    scratch = dest.with_name(f".{dest.name}.kaggle")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    what = "dataset" if kind == "kaggle_dataset" else "competition"
    try:
        try:
            kaggle_download(kind, name, scratch)
        except SourceError:
            raise
        except Exception as error:  # the client raises its own and requests' types
            hint = ""
            if what == "competition":
                hint = (
                    f"; accept the rules at https://www.kaggle.com/competitions/{name}/rules first"
                )
            raise SourceError(f"Kaggle {what} {name}: {error}{hint}") from error
        files = sorted(p for p in scratch.rglob("*") if p.is_file())
        if len(files) != 1:
            raise SourceError(
                f"Kaggle {what} {name}: expected one file, the client wrote "
                f"{[p.name for p in files]}"
            )
        files[0].replace(dest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------------------------------- artefacts


def fetch_artefacts(
    spec: DatasetSpec,
    raw_dir: Path,
    *,
    from_dir: Path | None = None,
    mirror: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_progress: Callable[[str, int, int | None], None] | None = None,
) -> dict[str, str]:
    """Puts every raw file of ``spec`` into ``raw_dir``, verified, and returns ``{filename: sha256}``.

    Looks, in order, in ``raw_dir`` (the download cache: a verified file there is reused), then
    ``from_dir``, the ``mirror``, the artefact's local paths, its package, and its sources (URL,
    Drive file or Kaggle) followed by its mirrors. Each file is verified against the reference checksums before
    use; the first time, its SHA-256 goes into ``raw_dir/checksums.json`` and later checks use it.

    Args:
        spec: the dataset.
        raw_dir: its downloads folder, ``<home>/downloads/<id>``.
        from_dir: a directory that already holds (some of) the files.
        mirror: a copy of a downloads folder, as a directory or a base URL (``http(s)://``): the
            file is looked for at ``<mirror>/<dataset id>/<filename>`` before the artefact's own
            sources (a cluster without internet serves one machine's ``<home>/downloads``).
        on_bytes: called with the size of each block received from the network.
        on_progress: called as ``on_progress(filename, done, total)`` during each download.

    Raises:
        SourceError: a file cannot be had; the message says how to get it by hand.
        ChecksumError: a file differs from its checksum (the bad copy is not kept).
    """
    raw_dir.mkdir(parents=True, exist_ok=True)
    ledger = read_ledger(raw_dir)
    sources: dict[str, str] = {}
    for artefact in spec.artefacts:
        dest = raw_dir / artefact.filename
        recorded = ledger.get(artefact.filename)
        origin = (recorded or {}).get("source") or str(dest)
        sha256 = _cached(dest, artefact, recorded)
        if sha256 is None:
            progress = _named(on_progress, artefact.filename)
            origin, sha256 = _obtain(spec, artefact, dest, from_dir, recorded, on_bytes, progress, mirror)
        if recorded is None or recorded.get("sha256") != sha256:
            _record(
                raw_dir,
                artefact.filename,
                {"sha256": sha256, "size": dest.stat().st_size, "source": origin},
            )
        sources[artefact.filename] = sha256
    return sources


def _named(
    on_progress: Callable[[str, int, int | None], None] | None, filename: str
) -> Progress | None:
    if on_progress is None:
        return None
    return lambda done, total: on_progress(filename, done, total)


def _cached(dest: Path, artefact: Artefact, recorded: Mapping[str, Any] | None) -> str | None:
    """The SHA-256 of a good file already in the downloads folder; None (and no file) otherwise."""
    if not dest.is_file():
        return None
    try:
        return _verified_sha256(dest, artefact, recorded, str(dest))
    except ChecksumError as error:
        if artefact.md5 is None and artefact.sha256 is None:
            raise  # only the ledger disagrees: the user decides (the message says how)
        log.warning("%s; fetching it again", error)
        dest.unlink()
        return None


def _checked(
    dest: Path, artefact: Artefact, recorded: Mapping[str, Any] | None, origin: str
) -> str:
    try:
        return _verified_sha256(dest, artefact, recorded, origin)
    except ChecksumError:
        dest.unlink()  # never keep a bad file where the next prepare would find it
        raise


def _obtain(
    spec: DatasetSpec,
    artefact: Artefact,
    dest: Path,
    from_dir: Path | None,
    recorded: Mapping[str, Any] | None,
    on_bytes: Callable[[int], None] | None,
    on_progress: Progress | None,
    mirror: str | None = None,
) -> tuple[str, str]:
    """Puts the artefact at ``dest``, verified; returns where it came from and its SHA-256."""
    mirror_url = mirror if mirror is not None and mirror.startswith(("http://", "https://")) else None
    candidates = [from_dir / artefact.filename] if from_dir is not None else []
    if mirror is not None and mirror_url is None:
        if not Path(mirror).is_dir():
            raise SourceError(f"--mirror {mirror}: no such directory (give a directory or an http(s) URL)")
        candidates += [Path(mirror) / spec.id / artefact.filename, Path(mirror) / artefact.filename]
    candidates += [Path(p) for p in artefact.local_paths]
    for candidate in candidates:
        if candidate.is_file():
            _place(candidate, dest)
            return str(candidate), _checked(dest, artefact, recorded, str(candidate))
    if from_dir is not None and not from_dir.is_dir():
        raise SourceError(f"--from {from_dir}: no such directory")
    if artefact.kind == "package":
        source = package_file(artefact.source)
        _place(source, dest)
        return str(source), _checked(dest, artefact, recorded, str(source))

    fetchers = _fetchers(artefact, dest, on_bytes, on_progress)
    if mirror_url is not None:
        url = f"{mirror_url.rstrip('/')}/{spec.id}/{artefact.filename}"
        fetchers.insert(0, (url, lambda: download_url(url, dest, on_progress=on_progress, on_bytes=on_bytes)))
    if artefact.kind == "manual":
        where = (
            f"Put it in {dest.parent} or pass `--from DIR` to `nevisbench datasets prepare {spec.id}`"
        )
        how = artefact.instructions.rstrip(". ") if artefact.instructions else f"Get it from {artefact.source}"
        by_hand = f"{artefact.filename} must be fetched by hand. {how}." + (
            "" if "--from" in artefact.instructions else f" {where}."
        )
        if not fetchers:
            raise SourceError(f"dataset {spec.id}: {by_hand}")
    else:
        by_hand = (
            f"Download it yourself and run `nevisbench datasets prepare {spec.id} --from DIR` "
            f"with DIR holding {artefact.filename}, or put it in {dest.parent}"
        )
    errors: list[str] = []
    bad_checksum = False
    for label, fetch in fetchers:
        try:
            log.info("%s: fetching %s from %s", spec.id, artefact.filename, label)
            fetch()
            return label, _checked(dest, artefact, recorded, label)
        except ChecksumError as error:
            bad_checksum = True  # a mirror with another version, or a corrupt copy: try the next
            errors.append(str(error))
        except SourceError as error:
            errors.append(str(error))
        log.warning("%s", errors[-1])
    message = (
        f"dataset {spec.id}: could not get {artefact.filename} ({'; '.join(errors)}). {by_hand}"
    )
    raise ChecksumError(message) if bad_checksum else SourceError(message)


def _fetchers(
    artefact: Artefact,
    dest: Path,
    on_bytes: Callable[[int], None] | None,
    on_progress: Progress | None,
) -> list[tuple[str, Callable[[], None]]]:
    """``(label, fetch)`` for the artefact's own source, then each mirror URL, in order."""

    def from_url(url: str) -> tuple[str, Callable[[], None]]:
        file_id = drive_file_id(url)
        if file_id is not None:  # a Drive link needs the confirmation step, whatever its kind says
            return from_drive(file_id)
        return url, lambda: download_url(url, dest, on_progress=on_progress, on_bytes=on_bytes)

    def from_drive(file_id: str) -> tuple[str, Callable[[], None]]:
        return (
            f"Google Drive file {file_id}",
            lambda: download_gdrive(file_id, dest, on_progress=on_progress, on_bytes=on_bytes),
        )

    primary: list[tuple[str, Callable[[], None]]] = []
    if artefact.kind == "url":
        primary = [from_url(artefact.source)]
    elif artefact.kind == "gdrive":
        primary = [from_drive(artefact.source)]
    elif artefact.kind in ("kaggle_dataset", "kaggle_competition"):
        what = "dataset" if artefact.kind == "kaggle_dataset" else "competition"
        primary = [
            (
                f"Kaggle {what} {artefact.source}",
                lambda: download_kaggle(artefact.kind, artefact.source, dest),
            )
        ]
    return primary + [from_url(url) for url in artefact.mirrors]
