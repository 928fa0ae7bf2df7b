"""Getting a dataset's raw files (downloads cache, local copies, packages, URLs, Drive, Kaggle, Wayback), verified."""

# Tunables stay in their modules, where tests and callers set them (http.TIMEOUT_S, ATTEMPTS, BACKOFF_S,
# drive.DRIVE_URL, kaggle.kaggle_download): a copy re-exported here would not change what the code reads.

from __future__ import annotations

from nevisbench.data.sources.check import STATUSES, SourceRow, artefact_rows, check_sources
from nevisbench.data.sources.drive import download_gdrive, drive_file_id
from nevisbench.data.sources.errors import ChecksumError, DownloadError, SourceError, WebPageError
from nevisbench.data.sources.fetch import accepted_files, fetch_artefacts
from nevisbench.data.sources.http import Progress, download_url
from nevisbench.data.sources.kaggle import download_kaggle
from nevisbench.data.sources.ledger import (
    LEDGER_NAME,
    file_digests,
    file_md5,
    non_reference_files,
    read_ledger,
    served_from,
    verify,
)
from nevisbench.data.sources.package import package_file
from nevisbench.data.sources.wayback import (
    WAYBACK_ENV,
    WAYBACK_TIMESTAMP,
    WAYBACK_URL,
    snapshot_url,
    wayback_base,
)

__all__ = [
    "STATUSES",
    "SourceRow",
    "artefact_rows",
    "check_sources",
    "LEDGER_NAME",
    "WAYBACK_ENV",
    "WAYBACK_TIMESTAMP",
    "WAYBACK_URL",
    "ChecksumError",
    "DownloadError",
    "Progress",
    "SourceError",
    "WebPageError",
    "accepted_files",
    "download_gdrive",
    "download_kaggle",
    "download_url",
    "drive_file_id",
    "fetch_artefacts",
    "file_digests",
    "file_md5",
    "non_reference_files",
    "package_file",
    "read_ledger",
    "served_from",
    "snapshot_url",
    "verify",
    "wayback_base",
]
