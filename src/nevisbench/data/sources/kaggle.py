"""Kaggle downloads through the official client (extra ``kaggle``), with credentials checked first."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from nevisbench.data.sources.errors import SourceError


def kaggle_page(kind: str, name: str) -> str:
    """The web page of a Kaggle dataset (``kind`` ``kaggle_dataset``) or competition."""
    if kind == "kaggle_dataset":
        return f"https://www.kaggle.com/datasets/{name}"
    return f"https://www.kaggle.com/competitions/{name}"


def kaggle_download(kind: str, name: str, directory: Path) -> None:
    """The one call into the Kaggle client (tests replace it): the dataset's or competition's zip.

    Args:
        kind: ``kaggle_dataset`` or ``kaggle_competition``.
        name: ``owner/dataset`` or the competition's name.
        directory: an empty directory that receives the zip.
    """
    # Importing the client authenticates; kaggle_ready() checked the credentials before.
    from kaggle.api.kaggle_api_extended import KaggleApi

    api = KaggleApi()
    try:
        api.authenticate()
    except SystemExit:  # the client calls exit(1) when it finds no credentials
        raise SourceError(kaggle_credentials_help()) from None
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


def kaggle_credentials_help() -> str:
    """How to give the client credentials, naming the file where it looks."""
    where = _kaggle_config_dirs()[0] / "kaggle.json"
    return (
        f"Kaggle credentials are missing: create an API token at https://www.kaggle.com/settings "
        f"(API, Create New Token) and save the downloaded kaggle.json as {where} (chmod 600 {where}), "
        f"or set the environment variables KAGGLE_USERNAME and KAGGLE_KEY"
    )


def kaggle_ready() -> None:
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
    raise SourceError(kaggle_credentials_help())


def download_kaggle(kind: str, name: str, dest: Path) -> None:
    """Downloads a Kaggle dataset's or competition's zip to ``dest`` with the official client.

    Raises:
        SourceError: no client, no credentials, or the client failed (its message included).
    """
    kaggle_ready()
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
                hint = f"; accept the rules at {kaggle_page(kind, name)}/rules first"
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
