"""The Internet Archive's Wayback Machine as a last source: a file's raw snapshot from around June 2022."""

from __future__ import annotations

import os

WAYBACK_URL = "https://web.archive.org/web"
"""The Wayback Machine's base; ``NEVISBENCH_WAYBACK`` (or a function argument) replaces it, ``off`` disables it."""

WAYBACK_ENV = "NEVISBENCH_WAYBACK"

WAYBACK_TIMESTAMP = "20220601"
"""The snapshot date asked for (the Archive serves the nearest one): when the NEVIS'22 reference was written."""


def wayback_base(wayback: str | None = None) -> str | None:
    """The Wayback base URL to use, or None when it is off.

    Args:
        wayback: an explicit base URL, or ``off``; None reads ``$NEVISBENCH_WAYBACK``, then ``WAYBACK_URL``.

    Raises:
        ValueError: the value is neither ``off`` nor an http(s) URL.
    """
    value = wayback if wayback is not None else os.environ.get(WAYBACK_ENV) or WAYBACK_URL
    value = value.strip()
    if value.lower() == "off":
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError(
            f"the Wayback base {value!r} (from {'the argument' if wayback is not None else WAYBACK_ENV}) "
            f"is not an http(s) URL; give e.g. {WAYBACK_URL}, or 'off' to never use the Wayback Machine"
        )
    return value.rstrip("/")


def snapshot_url(base: str, url: str) -> str:
    """The raw (``id_``: the file's bytes, no Archive banner) snapshot of ``url`` under ``base``."""
    return f"{base}/{WAYBACK_TIMESTAMP}id_/{url}"
