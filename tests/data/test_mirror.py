"""`datasets prepare --stream tiny --mirror URL|DIR`: every dataset of a stream from a copy of a downloads folder."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import nevisbench.data.spec as spec_module
from nevisbench.cli import main
from nevisbench.data.spec import get_dataset, list_datasets
from nevisbench.data.store import is_prepared
from nevisbench.streams.table import reference_rows

TINY = list(dict.fromkeys(row.dataset for row in reference_rows("tiny")))


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A downloads-folder copy holding each tiny-stream dataset's fixture files, with the specs' sources
    pointing nowhere reachable and their reference checksums dropped (fixtures are not the real files)."""
    root = tmp_path / "mirror"
    monkeypatch.setenv("NEVISBENCH_WAYBACK", "off")  # a failing copy must not send the test to the Internet Archive
    items = spec_module._DATASETS._items
    for name in TINY:
        spec = get_dataset(name)
        spec.make_fixture(root / name)
        artefacts = tuple(
            dataclasses.replace(a, kind="url", source=f"http://127.0.0.1:9/{a.filename}", md5=None,
                                sha256=None, mirrors=(), local_paths=())
            for a in spec.artefacts
        )
        monkeypatch.setitem(items, name, dataclasses.replace(spec, artefacts=artefacts))
    return root


@pytest.fixture
def http_mirror(mirror: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(mirror))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_prepare_a_stream_from_an_http_mirror(http_mirror: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert set(TINY) <= set(list_datasets())
    assert main(["datasets", "prepare", "--stream", "tiny", "--mirror", http_mirror]) == 0
    out = capsys.readouterr().out
    assert all(f"✓ {name}" in out for name in TINY)
    assert all(is_prepared(name) for name in TINY)


def test_prepare_from_a_mirror_directory_and_a_missing_one(mirror: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "prepare", "mnist", "--mirror", str(mirror)]) == 0
    assert is_prepared("mnist")
    assert main(["datasets", "prepare", "melanoma", "--mirror", str(tmp_path / "nowhere")]) == 1
    assert "--mirror" in capsys.readouterr().err
