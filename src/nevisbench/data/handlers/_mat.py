"""MATLAB files read with scipy, every way a truncated file fails turned into one layout error."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

from nevisbench.data.handlers._layout import layout_error


def load_mat(
    source: Path | bytes, dataset: str, artefact: str, member: str = "", **options: Any
) -> dict[str, Any]:
    """The variables of a MATLAB file (a path, or the bytes of an archive member), read with
    ``scipy.io.loadmat(source, **options)``.

    Args:
        source: the file, or its bytes.
        dataset: the dataset id (for errors).
        artefact: the artefact the file is or comes from (for errors).
        member: the file's member name inside ``artefact``, when it comes from an archive.

    Raises:
        LayoutError: the file does not read as MATLAB. scipy reports a truncated or corrupt file in
            several ways depending on where the cut falls; they all become this one error, which
            says to fetch the artefact again.
    """
    import scipy.io  # imported here to keep the handlers' import cheap
    from scipy.io.matlab import MatReadError

    errors = (
        MatReadError,
        OSError,
        EOFError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        zlib.error,
    )
    readable = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return scipy.io.loadmat(readable, **options)
    except errors as error:
        what = f"a readable MATLAB file {member}".rstrip()
        raise layout_error(dataset, artefact, f"{what} ({type(error).__name__}: {error})") from None
