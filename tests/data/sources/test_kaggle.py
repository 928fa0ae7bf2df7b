"""Kaggle downloads through a fake client: missing client or credentials, the zip, competition rules."""

from __future__ import annotations

import hashlib
import importlib.machinery
import io
import re
import sys
import types
import zipfile
from pathlib import Path

import pytest
from source_server import toy_spec

from nevisbench.data.sources import SourceError, fetch_artefacts, kaggle
from nevisbench.data.spec import Artefact


@pytest.fixture
def kaggle_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed (fake) client and a home without Kaggle credentials."""
    fake = types.ModuleType("kaggle")
    fake.__spec__ = importlib.machinery.ModuleSpec("kaggle", None)
    monkeypatch.setitem(sys.modules, "kaggle", fake)
    for name in (
        "KAGGLE_USERNAME",
        "KAGGLE_KEY",
        "KAGGLE_API_TOKEN",
        "KAGGLE_CONFIG_DIR",
        "XDG_CONFIG_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.setenv("HOME", str(user))

    def forbidden(kind: str, name: str, directory: Path) -> None:
        raise AssertionError("a test must never call Kaggle")

    monkeypatch.setattr(kaggle, "kaggle_download", forbidden)
    return user


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("images/a.txt", "a")
    return buffer.getvalue()


def test_missing_kaggle_client_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kaggle", None)  # find_spec() then reports it missing
    artefact = Artefact("biwi.zip", "kaggle_dataset", "kmader/biwi")
    with pytest.raises(SourceError, match=re.escape("pip install 'nevisbench[kaggle]'")):
        fetch_artefacts(toy_spec(artefact), tmp_path / "raw")


def test_missing_kaggle_credentials_say_where_they_go(kaggle_home: Path, tmp_path: Path) -> None:
    artefact = Artefact("biwi.zip", "kaggle_dataset", "kmader/biwi")
    where = re.escape(str(kaggle_home / ".kaggle" / "kaggle.json"))
    with pytest.raises(
        SourceError,
        match=f"save the downloaded kaggle.json as {where}.*KAGGLE_USERNAME and KAGGLE_KEY",
    ):
        fetch_artefacts(toy_spec(artefact), tmp_path / "raw")


def test_kaggle_dataset_is_downloaded_through_the_client(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kaggle_home / ".kaggle").mkdir()
    (kaggle_home / ".kaggle" / "kaggle.json").write_text('{"username": "u", "key": "k"}')
    data = _zip_bytes()
    calls = []

    def client(kind: str, name: str, directory: Path) -> None:
        calls.append((kind, name))
        (directory / "biwi-kinect-head-pose-database.zip").write_bytes(data)

    monkeypatch.setattr(kaggle, "kaggle_download", client)
    raw = tmp_path / "raw"
    artefact = Artefact(
        "biwi.zip",
        "kaggle_dataset",
        "kmader/biwi-kinect-head-pose-database",
        md5=hashlib.md5(data).hexdigest(),
    )
    assert fetch_artefacts(toy_spec(artefact), raw) == {
        "biwi.zip": hashlib.sha256(data).hexdigest()
    }
    assert calls == [("kaggle_dataset", "kmader/biwi-kinect-head-pose-database")]
    assert sorted(p.name for p in raw.iterdir()) == [
        "biwi.zip",
        "checksums.json",
    ]  # no scratch left
    fetch_artefacts(toy_spec(artefact), raw)
    assert len(calls) == 1


def test_kaggle_competition_failure_mentions_the_rules(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "u")
    monkeypatch.setenv("KAGGLE_KEY", "k")

    def client(kind: str, name: str, directory: Path) -> None:
        raise PermissionError("403 Forbidden")

    monkeypatch.setattr(kaggle, "kaggle_download", client)
    artefact = Artefact("c.zip", "kaggle_competition", "some-comp")
    with pytest.raises(SourceError, match="403 Forbidden; accept the rules at .*/some-comp/rules"):
        fetch_artefacts(toy_spec(artefact), tmp_path / "raw")
