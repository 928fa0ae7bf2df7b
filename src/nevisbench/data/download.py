"""Old import path of ``nevisbench.data.sources``, kept while the CLI (split on another branch) still imports it."""

from __future__ import annotations

from nevisbench.data.sources import (
    ChecksumError,
    DownloadError,
    SourceError,
    WebPageError,
    download_gdrive,
    download_kaggle,
    download_url,
    drive_file_id,
    fetch_artefacts,
    file_digests,
    file_md5,
    package_file,
    read_ledger,
    verify,
)

__all__ = [
    "ChecksumError",
    "DownloadError",
    "SourceError",
    "WebPageError",
    "download_gdrive",
    "download_kaggle",
    "download_url",
    "drive_file_id",
    "fetch_artefacts",
    "file_digests",
    "file_md5",
    "package_file",
    "read_ledger",
    "verify",
]
