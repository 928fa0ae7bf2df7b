"""The errors of getting raw files: a file cannot be had, fails its checksum, or one URL failed for good."""

from __future__ import annotations


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


class WebPageError(DownloadError):
    """A web page came back where a file was expected (e.g. Google Drive's confirmation step).

    Attributes:
        body: the page's text (its first MiB).
    """

    def __init__(self, url: str, body: str) -> None:
        super().__init__(url, "the server sent a web page instead of the file")
        self.body = body
