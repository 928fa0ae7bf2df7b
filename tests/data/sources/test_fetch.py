"""Fetching a dataset's files: download cache, ledger trust, --from, mirrors, and accepted checksums."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from source_server import (
    MD5,
    PAYLOAD,
    SHA256,
    FileServer,
    Route,
    ledger_files,
    toy_spec,
    url_artefact,
)

from nevisbench.data.sources import (
    LEDGER_NAME,
    ChecksumError,
    SourceError,
    fetch_artefacts,
    non_reference_files,
    served_from,
)
from nevisbench.data.spec import Artefact

REPACKED = PAYLOAD[::-1]  # what the owners serve after re-packing: same content, other bytes
REPACKED_MD5 = hashlib.md5(REPACKED).hexdigest()
REPACKED_SHA256 = hashlib.sha256(REPACKED).hexdigest()


def _manual(md5: str | tuple[str, ...] | None = (MD5, "0" * 32)) -> Artefact:
    return Artefact("data.bin", "manual", "-", md5=md5, instructions="Ask the authors")


def _given(tmp_path: Path, data: bytes, folder: str = "from") -> Path:
    source = tmp_path / folder
    source.mkdir(exist_ok=True)
    (source / "data.bin").write_bytes(data)
    return source


# ---------------------------------------------------------------------------------------- cache and ledger


def test_download_records_sha256_and_a_second_fetch_makes_no_request(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route()
    raw = tmp_path / "downloads" / "toy"
    spec = toy_spec(url_artefact(server, "/data.bin"))
    assert fetch_artefacts(spec, raw) == {"data.bin": SHA256}
    assert (raw / "data.bin").read_bytes() == PAYLOAD
    assert ledger_files(raw)["data.bin"] == {
        "sha256": SHA256,
        "md5": MD5,
        "size": len(PAYLOAD),
        "source": server.url("/data.bin"),
        "via": "origin",
    }
    assert len(server.requests) == 1
    assert fetch_artefacts(spec, raw) == {"data.bin": SHA256}  # the download cache
    assert len(server.requests) == 1
    assert sorted(p.name for p in raw.iterdir()) == ["checksums.json", "data.bin"]
    assert served_from(raw) == {
        "data.bin": {"via": "origin", "source": server.url("/data.bin"), "verified": True}
    }


def test_checksum_mismatch_raises_and_keeps_nothing(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route(body=PAYLOAD[:-1])
    with pytest.raises(ChecksumError, match=r"MD5 .* differs from the expected " + MD5):
        fetch_artefacts(toy_spec(url_artefact(server, "/data.bin")), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_mirrors_are_tried_in_order(server: FileServer, tmp_path: Path) -> None:
    server.routes["/corrupt.bin"] = Route(body=b"not it")
    server.routes["/good.bin"] = Route()
    artefact = url_artefact(server, "/gone.bin", "/corrupt.bin", "/good.bin")
    assert fetch_artefacts(toy_spec(artefact), tmp_path) == {"data.bin": SHA256}
    assert server.paths() == ["/gone.bin", "/corrupt.bin", "/good.bin"]
    assert ledger_files(tmp_path)["data.bin"]["source"] == server.url("/good.bin")
    assert served_from(tmp_path)["data.bin"]["via"] == "mirror"


def test_every_mirror_failing_names_each(server: FileServer, tmp_path: Path) -> None:
    server.routes["/corrupt.bin"] = Route(body=b"not it")
    artefact = url_artefact(server, "/gone.bin", "/corrupt.bin")
    with pytest.raises(ChecksumError, match=r"gone\.bin: HTTP 404.*corrupt\.bin: MD5.*--from DIR"):
        fetch_artefacts(toy_spec(artefact), tmp_path)


def test_corrupted_cached_file_is_fetched_again(server: FileServer, tmp_path: Path) -> None:
    server.routes["/data.bin"] = Route()
    spec = toy_spec(url_artefact(server, "/data.bin"))
    fetch_artefacts(spec, tmp_path)
    (tmp_path / "data.bin").write_bytes(b"x" + PAYLOAD[1:])
    assert fetch_artefacts(spec, tmp_path) == {"data.bin": SHA256}
    assert len(server.requests) == 2


def test_files_from_dir_are_verified_and_recorded(tmp_path: Path) -> None:
    source = _given(tmp_path, PAYLOAD)
    raw = tmp_path / "raw"
    assert fetch_artefacts(toy_spec(_manual()), raw, from_dir=source) == {"data.bin": SHA256}
    assert ledger_files(raw)["data.bin"]["source"] == str(source / "data.bin")
    assert served_from(raw)["data.bin"]["via"] == "from"
    (source / "data.bin").unlink()
    assert fetch_artefacts(toy_spec(_manual()), raw) == {"data.bin": SHA256}  # cached
    (raw / "data.bin").unlink()
    with pytest.raises(
        SourceError, match=r"data.bin must be fetched by hand\. Ask the authors\. Put it in"
    ):
        fetch_artefacts(toy_spec(_manual()), raw)


# ---------------------------------------------------------------------------------------- only verified files


def test_truncated_file_from_dir_never_enters_the_ledger_and_a_good_one_then_is_accepted(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    bad = _given(tmp_path, PAYLOAD[:5000], "bad")
    with pytest.raises(ChecksumError) as caught:
        fetch_artefacts(toy_spec(_manual()), raw, from_dir=bad)
    message = str(caught.value)
    # The advice names the file the user gave, which is still there to be replaced.
    assert message.startswith(f"{bad / 'data.bin'}: MD5 ") and f"Replace it in {bad}" in message
    assert (bad / "data.bin").exists()
    assert not (raw / "data.bin").exists()
    assert not (raw / LEDGER_NAME).exists() or ledger_files(raw) == {}
    good = _given(tmp_path, PAYLOAD, "good")
    assert fetch_artefacts(toy_spec(_manual()), raw, from_dir=good) == {"data.bin": SHA256}
    assert ledger_files(raw)["data.bin"]["sha256"] == SHA256


def test_file_without_a_reference_checksum_is_never_trusted(tmp_path: Path) -> None:
    # The case of the issue: --from gives a truncated archive that has nothing to be checked against,
    # then the good one. The first must not be pinned as trusted, and the second must win.
    raw = tmp_path / "raw"
    truncated = _given(tmp_path, PAYLOAD[:5000], "bad")
    fetch_artefacts(toy_spec(_manual(md5=None)), raw, from_dir=truncated)
    assert ledger_files(raw) == {}
    assert (
        ledger_files(raw, "unverified")["data.bin"]["sha256"]
        == hashlib.sha256(PAYLOAD[:5000]).hexdigest()
    )
    assert served_from(raw)["data.bin"]["verified"] is False
    good = _given(tmp_path, PAYLOAD, "good")
    assert fetch_artefacts(toy_spec(_manual(md5=None)), raw, from_dir=good) == {"data.bin": SHA256}
    assert (raw / "data.bin").read_bytes() == PAYLOAD
    assert ledger_files(raw, "unverified")["data.bin"]["source"] == str(good / "data.bin")


def test_pin_of_an_unverifiable_file_in_an_old_ledger_refuses_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "data.bin").write_bytes(b"changed")
    old = {"version": 1, "files": {"data.bin": {"sha256": SHA256, "size": 1, "source": "x"}}}
    (raw / LEDGER_NAME).write_text(json.dumps(old))
    fetch_artefacts(
        toy_spec(_manual(md5=None)), raw
    )  # not refused: the old pin vouched for nothing
    assert ledger_files(raw) == {}
    assert (
        ledger_files(raw, "unverified")["data.bin"]["sha256"]
        == hashlib.sha256(b"changed").hexdigest()
    )


def test_recorded_file_the_reference_no_longer_lists_is_checked_again(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    fetch_artefacts(toy_spec(_manual()), raw, from_dir=_given(tmp_path, PAYLOAD))
    # The spec now lists another version: the reference has the last word over the ledger.
    with pytest.raises(SourceError, match="must be fetched by hand"):
        fetch_artefacts(toy_spec(_manual(md5="1" * 32)), raw)
    assert not (raw / "data.bin").exists()


def test_bad_copy_in_a_mirror_directory_falls_through_to_the_next_source(
    server: FileServer, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "data.bin").write_bytes(b"another version")
    server.routes["/data.bin"] = Route()
    raw = tmp_path / "raw"
    assert fetch_artefacts(
        toy_spec(url_artefact(server, "/data.bin")), raw, mirror=str(mirror)
    ) == {"data.bin": SHA256}
    assert served_from(raw)["data.bin"] == {
        "via": "origin",
        "source": server.url("/data.bin"),
        "verified": True,
    }


# ---------------------------------------------------------------------------------------- accepted checksums


def test_repacked_file_is_refused_with_advice_then_kept_when_accepted(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route(body=REPACKED)
    spec = toy_spec(url_artefact(server, "/data.bin"))
    raw = tmp_path / "raw"
    with pytest.raises(
        ChecksumError,
        match=re.escape("accept its checksum explicitly: `nevisbench datasets prepare toy --accept-checksum toy:data.bin`"),
    ):
        fetch_artefacts(spec, raw)
    assert not (raw / "data.bin").exists()
    assert non_reference_files(raw) == {}

    assert fetch_artefacts(spec, raw, accept_checksum={"toy:data.bin", "other:x.zip"}) == {
        "data.bin": REPACKED_SHA256
    }
    entry = ledger_files(raw)["data.bin"]
    assert (
        entry["non_reference"] is True
        and entry["md5"] == REPACKED_MD5
        and entry["sha256"] == REPACKED_SHA256
    )
    assert non_reference_files(raw) == {"data.bin": entry}
    requests = len(server.requests)
    # Accepted once, it is the recorded file: used again without the flag, and without a download.
    assert fetch_artefacts(spec, raw) == {"data.bin": REPACKED_SHA256}
    assert len(server.requests) == requests


def test_accepted_file_given_with_from_is_kept(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    source = _given(tmp_path, REPACKED)
    fetch_artefacts(toy_spec(_manual()), raw, from_dir=source, accept_checksum=["toy:data.bin"])
    assert non_reference_files(raw)["data.bin"]["source"] == str(source / "data.bin")


def test_a_good_file_is_not_marked_non_reference_when_accepted(
    server: FileServer, tmp_path: Path
) -> None:
    server.routes["/data.bin"] = Route()
    fetch_artefacts(
        toy_spec(url_artefact(server, "/data.bin")), tmp_path, accept_checksum={"toy:data.bin"}
    )
    assert (
        non_reference_files(tmp_path) == {}
        and "non_reference" not in ledger_files(tmp_path)["data.bin"]
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("data.bin", "write it as DATASET:FILENAME"),
        ("toy:nope.bin", "has no raw file 'nope.bin'.*data.bin"),
    ],
)
def test_malformed_accept_checksum_entries_say_what_to_write(
    tmp_path: Path, entry: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fetch_artefacts(toy_spec(_manual()), tmp_path, accept_checksum=[entry])
