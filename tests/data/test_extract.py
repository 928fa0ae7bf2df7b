"""Safe extraction: every supported format, refused members, the size cap, idempotence, rar and .Z tools."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import json
import lzma
import re
import stat
import sys
import tarfile
import types
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from nevisbench.data import formats
from nevisbench.data.extract import (
    MARKER_SUFFIX,
    MissingToolError,
    UnsafeArchiveError,
    archive_format,
    decompress_z,
    extract,
    skipped_links,
)

TREE = {
    "a.txt": b"alpha\n",
    "sub/b.bin": bytes(range(256)) * 4,
    "sub/deeper/c.txt": b"gamma\n",
}
SINGLE = b"one file, compressed\n" * 50


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sub/", "")  # an explicit directory entry
        for name, data in TREE.items():
            archive.writestr(name, data)


def _add(tar: tarfile.TarFile, name: str, data: bytes = b"", **fields: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def _tar(path: Path, mode: str = "w") -> None:
    with tarfile.open(path, mode) as tar:
        _add(tar, "./", type=tarfile.DIRTYPE)  # `tar -C dir .` starts with the root entry
        _add(tar, "./sub", type=tarfile.DIRTYPE, mode=0o755)
        for name, data in TREE.items():
            _add(tar, f"./{name}", data, mode=0o4755)  # a setuid bit the data filter drops


def _compressed(opener: Callable[..., io.BufferedIOBase]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with opener(path, "wb") as handle:
            handle.write(SINGLE)

    return write


def _ncompress() -> types.ModuleType:
    try:
        import ncompress
    except ImportError:
        pytest.skip("ncompress is not installed: pip install 'nevisbench[lzw]'")
    return ncompress


def _z_file(path: Path) -> None:
    path.write_bytes(_ncompress().compress(SINGLE))


def _tar_z(path: Path) -> None:
    plain = path.with_name("plain.tar")
    _tar(plain)
    path.write_bytes(_ncompress().compress(plain.read_bytes()))
    plain.unlink()


@pytest.mark.parametrize(
    ("name", "make", "fmt", "expected"),
    [
        ("data.zip", _zip, "zip", TREE),
        ("data.tar", _tar, "tar", TREE),
        ("data.tar.gz", lambda p: _tar(p, "w:gz"), "gz", TREE),
        ("data.tgz", lambda p: _tar(p, "w:gz"), "gz", TREE),
        ("data.tar.bz2", lambda p: _tar(p, "w:bz2"), "bz2", TREE),
        ("data.tar.xz", lambda p: _tar(p, "w:xz"), "xz", TREE),
        ("data.tar.Z", _tar_z, "Z", TREE),
        ("usps.t.gz", _compressed(gzip.open), "gz", {"usps.t": SINGLE}),
        ("usps.bz2", _compressed(bz2.open), "bz2", {"usps": SINGLE}),
        ("usps.xz", _compressed(lzma.open), "xz", {"usps": SINGLE}),
        ("img.ppm.Z", _z_file, "Z", {"img.ppm": SINGLE}),
        ("download", lambda p: _tar(p, "w:gz"), "gz", TREE),  # the content decides, not the name
    ],
)
def test_good_archives_extract(
    tmp_path: Path, name: str, make: Callable[[Path], None], fmt: str, expected: dict[str, bytes]
) -> None:
    archive = tmp_path / name
    make(archive)
    assert archive_format(archive) == fmt
    target = tmp_path / "out" / "data"
    assert extract(archive, target) == target
    assert _files(target) == expected
    assert sorted(p.name for p in target.parent.iterdir()) == [f".data{MARKER_SUFFIX}", "data"]
    if fmt != "zip" and "sub/b.bin" in expected:
        assert not (target / "sub" / "b.bin").stat().st_mode & stat.S_ISUID


def test_not_an_archive_is_named(tmp_path: Path) -> None:
    page = tmp_path / "data.zip"
    page.write_text("<html>Not Found</html>")
    with pytest.raises(ValueError, match=r"data\.zip: not an archive .*error page"):
        extract(page, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.zip"]


def test_truncated_archive_is_refused_cleanly(tmp_path: Path) -> None:
    archive = tmp_path / "data.tar.gz"
    _tar(archive, "w:gz")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        extract(archive, tmp_path / "out" / "data")
    assert list((tmp_path / "out").iterdir()) == []


# ---------------------------------------------------------------------------------------- refusals


def _zip_member(name: str, external_attr: int = 0, data: bytes = b"evil") -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("fine.txt", "fine")
            info = zipfile.ZipInfo(name)
            info.external_attr = external_attr
            archive.writestr(info, data)

    return write


def _zip_members(*members: tuple[str, bytes]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("fine.txt", "fine")
            for name, data in members:
                archive.writestr(name, data)

    return write


def _tar_members(*members: tuple[str, dict]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with tarfile.open(path, "w:gz") as tar:
            _add(tar, "fine.txt", b"fine")  # written before the bad member comes
            for name, fields in members:
                _add(tar, name, fields.pop("data", b""), **fields)

    return write


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_zip_member("../evil"), r"'\.\./evil' would land outside the target"),
        (_zip_member("sub/../../evil"), "would land outside the target"),
        (_zip_member("/tmp/evil_absolute"), "'/tmp/evil_absolute' has an absolute path"),
        (
            _zip_member("evil_link", (stat.S_IFLNK | 0o777) << 16, b"/etc/passwd"),
            "'evil_link' is a link",
        ),
        (_tar_members(("../evil", {"data": b"x"})), r"'\.\./evil' would land outside"),
        (_tar_members(("/evil_absolute", {"data": b"x"})), "has an absolute path"),
        (
            _tar_members(
                ("evil_link", {"type": tarfile.SYMTYPE, "linkname": "../../outside"}),
                ("evil_link/evil", {"data": b"x"}),
            ),
            r"'evil_link' is a link \(to '\.\./\.\./outside'\)",
        ),
        (_tar_members(("evil_link", {"type": tarfile.SYMTYPE, "linkname": "/etc"})), "is a link"),
        (
            _tar_members(("evil_hard", {"type": tarfile.LNKTYPE, "linkname": "../outside"})),
            "'evil_hard' is a link",
        ),
        (
            _tar_members(("sub/evil_link", {"type": tarfile.SYMTYPE, "linkname": "../../outside"})),
            "'sub/evil_link' is a link .* pointing outside the target",
        ),
        (
            _zip_member("sub/evil_link", (stat.S_IFLNK | 0o777) << 16, b"../sub/../../outside"),
            "'sub/evil_link' is a link .* pointing outside the target",
        ),
        # A file `a` and a file `a/b`, in either order, or a directory and a file of one name: the
        # second cannot be written (a bare FileExistsError before); a hostile or broken archive.
        (_zip_members(("a", b"file"), ("a/b", b"x")), r"'a/b' conflicts with an earlier member: it "
                                                      r"needs 'a' to be a directory, but an earlier "
                                                      r"member made it a file"),
        (_zip_members(("a/b", b"x"), ("a", b"file")), r"'a' conflicts with an earlier member: it is a "
                                                      r"file, but an earlier member made 'a' a directory"),
        (_zip_members(("a/", b""), ("a", b"file")), "'a' conflicts with an earlier member"),
        (_tar_members(("a", {"data": b"file"}), ("a/b", {"data": b"x"})), "'a/b' conflicts"),
        (
            _tar_members(("a/b", {"data": b"x"}), ("a", {"data": b"file"})),
            "'a' conflicts with an earlier member",
        ),
        (  # a member beneath a skipped link would land in a directory the archive never made
            _tar_members(
                ("sub/x", {"data": b"x"}),
                ("link", {"type": tarfile.SYMTYPE, "linkname": "sub"}),
                ("link/y", {"data": b"y"}),
            ),
            "'link/y' conflicts with an earlier member: it needs 'link' to be a directory, but an "
            "earlier member made it a link",
        ),
        (_tar_members(("evil_fifo", {"type": tarfile.FIFOTYPE})), "special file"),
        (
            _tar_members(("evil_device", {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3})),
            "special file",
        ),
    ],
)
def test_malicious_members_are_refused(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    box = (
        tmp_path / "box"
    )  # everything happens two levels down, so escapes stay visible under tmp_path
    (box / "archives").mkdir(parents=True)
    archive = box / "archives" / "bad.archive"
    make(archive)
    target = box / "out" / "data"
    with pytest.raises(UnsafeArchiveError, match=message):
        extract(archive, target)
    assert list((box / "out").iterdir()) == []  # no target, no marker, no temporary directory
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert written == ["box", "box/archives", "box/archives/bad.archive", "box/out"]


def _tar_with_inside_links(path: Path) -> None:
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "./sub", type=tarfile.DIRTYPE)
        _add(tar, "./sub/real.txt", b"real")
        _add(tar, "./sub/link", type=tarfile.SYMTYPE, linkname="real.txt")
        _add(tar, "./sub/up_and_back", type=tarfile.SYMTYPE, linkname="../sub/./real.txt")
        _add(tar, "./top_link", type=tarfile.SYMTYPE, linkname="sub")
        _add(tar, "./hard", type=tarfile.LNKTYPE, linkname="./sub/real.txt")  # from the root


def _zip_with_inside_links(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sub/real.txt", b"real")
        for name, target in (("sub/link", b"real.txt"), ("sub/up_and_back", b"../sub/real.txt"),
                             ("top_link", b"sub")):
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16  # how `zip -y` stores a symlink
            archive.writestr(info, target)


@pytest.mark.parametrize(
    ("make", "skipped"),
    [
        (_tar_with_inside_links, ["sub/link", "sub/up_and_back", "top_link", "hard"]),
        (_zip_with_inside_links, ["sub/link", "sub/up_and_back", "top_link"]),
    ],
)
def test_links_pointing_inside_are_skipped_and_recorded(
    tmp_path: Path, make: Callable[[Path], None], skipped: list[str]
) -> None:
    # Before, any link refused the whole archive; links that stay inside are harmless: nothing is
    # created for them, and the caller learns their names.
    archive = tmp_path / "links.archive"
    make(archive)
    target = extract(archive, tmp_path / "out" / "data")
    assert _files(target) == {"sub/real.txt": b"real"}
    assert not any(p.is_symlink() for p in target.rglob("*"))
    assert skipped_links(target) == skipped
    marker = json.loads((tmp_path / "out" / f".data{MARKER_SUFFIX}").read_text())
    assert marker["skipped_links"] == skipped
    extract(archive, target)  # already done: the record stays
    assert skipped_links(target) == skipped


@pytest.mark.parametrize("suffix", ["zip", "tar.gz", "gz"])
def test_archive_over_the_cap_is_refused_leaving_nothing(tmp_path: Path, suffix: str) -> None:
    archive = tmp_path / f"bomb.{suffix}"
    zeros = bytes(100_000)  # compresses a thousandfold
    if suffix == "zip":
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("zeros", zeros)
    elif suffix == "tar.gz":
        with tarfile.open(archive, "w:gz") as tar:
            _add(tar, "small", b"small")
            _add(tar, "zeros", zeros)
    else:
        archive.write_bytes(gzip.compress(zeros))
    with pytest.raises(UnsafeArchiveError, match="more than max_total_bytes=10,000 bytes"):
        extract(archive, tmp_path / "out" / "bomb", max_total_bytes=10_000)
    assert list((tmp_path / "out").iterdir()) == []
    extract(archive, tmp_path / "out" / "bomb", max_total_bytes=200_000)  # a larger cap admits it


# ---------------------------------------------------------------------------------------- idempotence


def test_second_call_is_a_no_op_and_a_changed_archive_extracts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "data.zip"
    _zip(archive)
    target = tmp_path / "out" / "data"
    extract(archive, target)
    (target / "added-later").write_text("kept")
    with monkeypatch.context() as patch:
        patch.setattr(formats, "unpack", lambda *args: pytest.fail("unpacked twice"))
        extract(archive, target)
    assert (target / "added-later").exists()

    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("new.txt", "a new version")
    extract(archive, target)
    assert _files(target) == {"new.txt": b"a new version"}
    assert sorted(p.name for p in target.parent.iterdir()) == [f".data{MARKER_SUFFIX}", "data"]


def test_interrupted_extraction_leaves_nothing_and_restarts_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "data.tar"
    _tar(archive)
    target = tmp_path / "out" / "data"
    real_unpack = formats.unpack

    def interrupted(*args: object) -> None:
        real_unpack(*args)
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(formats, "unpack", interrupted)
        with pytest.raises(KeyboardInterrupt):
            extract(archive, target)
    assert list((tmp_path / "out").iterdir()) == []
    # A kill -9 leaves its temporary directory behind; the next call removes it.
    (tmp_path / "out" / ".data.extract-killed" / "content").mkdir(parents=True)
    extract(archive, target)
    assert _files(target) == TREE
    assert sorted(p.name for p in target.parent.iterdir()) == [f".data{MARKER_SUFFIX}", "data"]


def test_killed_between_marker_and_rename_does_not_count_as_done(tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    _zip(archive)
    target = tmp_path / "out" / "data"
    extract(archive, target)
    marker = tmp_path / "out" / f".data{MARKER_SUFFIX}"
    recorded = json.loads(marker.read_text())
    # The state a kill right before the rename leaves: the content still in the work directory.
    (tmp_path / "out" / recorded["work"] / "content").mkdir(parents=True)
    (target / "a.txt").unlink()
    extract(archive, target)
    assert _files(target) == TREE


def test_target_made_by_someone_else_is_not_touched(tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    _zip(archive)
    target = tmp_path / "out" / "data"
    target.mkdir(parents=True)
    extract(archive, target)  # an empty directory is fine
    assert _files(target) == TREE
    other = tmp_path / "other"
    other.mkdir()
    (other / "precious.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="was not made by extract"):
        extract(archive, other)
    assert _files(other) == {"precious.txt": b"mine"}


def test_tar_extraction_uses_the_data_filter_where_python_has_it() -> None:
    options = dict(formats._TAR_OPTIONS)
    if sys.version_info >= (3, 11, 4):  # filters arrived in 3.12 and were backported to 3.11.4
        assert options == {"filter": "data"}
    else:  # older patch releases: no filter, our own checks only, and no owners or modes restored
        assert options in ({"filter": "data"}, {"set_attrs": False})


# ---------------------------------------------------------------------------------------- .Z and rar


def test_missing_ncompress_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ncompress", None)  # import then fails
    archive = tmp_path / "img.ppm.Z"
    archive.write_bytes(b"\x1f\x9d\x90" + bytes(20))
    with pytest.raises(MissingToolError, match=re.escape("pip install 'nevisbench[lzw]'")):
        extract(archive, tmp_path / "out" / "img")
    with pytest.raises(MissingToolError, match=re.escape("nevisbench[lzw]")):
        decompress_z(archive.read_bytes())
    assert list((tmp_path / "out").iterdir()) == []


def test_decompress_z_reads_lzw_bytes() -> None:
    assert decompress_z(_ncompress().compress(SINGLE)) == SINGLE


# Tiny RAR archives from the test suite of rarfile 4.5 (ISC license, (c) Marko Kreen): no free tool
# writes RAR, so these are the fixtures. rar5-times.rar: one compressed member, stest1.txt.
RAR5_COMPRESSED = """
UmFyIRoHAQDz4YLrCwEFBwAGAQGAgIAAWZ3nQygCAwu3AASAEKSDAqLmt8WAAwEKc3Rlc3QxLnR4dAoDC52M9E0E
eEFXxKo0RDQk+jLrR/rETX295gWAggqMwQMqlcoim1Aak91A/ABAAgDUYAQ27RX5t1SDKmROzXwf4B13VlEDBQQA
"""
STEST1 = "".join(f"{i:03d}\n" for i in range(512)).encode()
# rar3-subdirs.rar: stored members in nested (and empty, and non-ASCII) directories.
RAR3_SUBDIRS = """
UmFyIRoHAM+QcwAADQAAAAAAAADiw3QgkDcABgAAAAYAAAADx6QEyTao9FAdMBIApIEAAHN1YlxkaXIyXGZpbGUy
LnR4dACwfLUwZmlsZTIK+lF0IJA/AAgAAAAIAAAAA30kt3FIqPRQHTAaAKSBAABzdWJcd2l0aCBzcGFjZVxsb25n
IGZuLnR4dADwCEdMbG9uZyBmbgojwXQgklcABQAAAAUAAAADwYnsL+Co9FAdMDIApIEAAHN1YlzDvMi1xKnDtuG4
i8OoXGZpbGUudHh0AALGAvw1KQEg9gse6FwAZmlsZQAudHh0ALByoRVmaWxlChRcdCCQNwAGAAAABgAAAAME9yni
MKj0UB0wEgCkgQAAc3ViXGRpcjFcZmlsZTEudHh0APAChIVmaWxlMQrRdXTgkC0AAAAAAAAAAAADAAAAADao9FAU
MAgA7UEAAHN1YlxkaXIyALB/JjP75XTgkDMAAAAAAAAAAAADAAAAAEio9FAUMA4A7UEAAHN1Ylx3aXRoIHNwYWNl
APDLG06903TgkC4AAAAAAAAAAAADAAAAACSo9FAUMAkA7UEAAHN1YlxlbXB0eQDwcNkb8Ed04JJDAAAAAAAAAAAA
AwAAAADgqPRQFDAeAO1BAABzdWJcw7zItcSpw7bhuIvDqAACxgL8NSkBIPYLHugAsDR2F89rdOCQLQAAAAAAAAAA
AAMAAAAAMKj0UBQwCADtQQAAc3ViXGRpcjEA8MVYh6xSdOCQKAAAAAAAAAAAAAMAAAAA1aj0UBQwAwDtQQAAc3Vi
ALAO1STEPXsAQAcA
"""
# rar3-symlink-unix.rar: two symbolic links beside a file.
RAR3_SYMLINKS = """
UmFyIRoHAM+QcwAADQAAAAAAAAAmGHTAkC4ACAAAAAgAAAADCXk4i725+lAUMAkA/6EAAGRhdGFfbGluawCwgyQT
ZGF0YS50eHTWnHTAkC0ABQAAAAUAAAADgsXB5rC5+lAdMAgAtIEAAGRhdGEudHh0APC4t1ZkYXRhClRjdMCQMAAM
AAAADAAAAAMFdrbPBLz6UBQwCwD/oQAAcmFuZG9tX2xpbmsAsH7OiC4uL3JhbmRvbTEyM8Q9ewBABwA=
"""
# rar5-hlink.rar: a file and two hard links to it.
RAR5_HARDLINKS = """
UmFyIRoHAQDz4YLrCwEFBwAGAQGAgIAAYRz1tiACArcABoAQtIMCnYz0TaLmt8WAAwEKc3Rlc3QxLnR4dMSqNEQ0
JPoy60f6xE19veYFgIIKjMEDKpXKIptQGpPdQPwAQAIA1GAENu0V+bdUgypkTs18H+C32RN0MAIDD4AABoAQtIMC
nYz0TQAAAACAAAEKc3Rlc3QyLnR4dA4FBAAKc3Rlc3QxLnR4dPHidBEwAgMPgAAGgBC0gwKdjPRNAAAAAIAAAQpz
dGVzdDMudHh0DgUEAApzdGVzdDEudHh0HXdWUQMFBAA=
"""


def _rar(tmp_path: Path, encoded: str, name: str = "data.rar") -> Path:
    path = tmp_path / name
    path.write_bytes(base64.b64decode("".join(encoded.split())))
    return path


def _rar_tool_missing_reason() -> str | None:
    try:
        import rarfile
    except ImportError:
        return "rarfile is not installed: pip install 'nevisbench[rar]'"
    try:
        rarfile.tool_setup()
    except rarfile.RarCannotExec:
        return "no RAR tool on the PATH: apt-get install unar (or libarchive-tools)"
    return None


needs_rar = pytest.mark.skipif(
    _rar_tool_missing_reason() is not None, reason=_rar_tool_missing_reason() or ""
)


def test_missing_rarfile_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rarfile", None)
    archive = _rar(tmp_path, RAR5_COMPRESSED)
    assert archive_format(archive) == "rar"
    with pytest.raises(
        MissingToolError,
        match=re.escape("pip install 'nevisbench[rar]'") + ".*apt-get install unar",
    ):
        extract(archive, tmp_path / "out" / "data")
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_rar_tool_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for rarfile whose tool lookup fails as the real one does on a bare machine.
    fake = types.ModuleType("rarfile")

    class RarCannotExec(Exception):
        pass

    def tool_setup() -> None:
        raise RarCannotExec("Cannot find working tool")

    fake.RarCannotExec = RarCannotExec  # type: ignore[attr-defined]
    fake.tool_setup = tool_setup  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rarfile", fake)
    with pytest.raises(MissingToolError, match="apt-get install unar.*found none of unrar, unar"):
        extract(_rar(tmp_path, RAR5_COMPRESSED), tmp_path / "out" / "data")
    assert list((tmp_path / "out").iterdir()) == []


@needs_rar
def test_rar_archives_extract(tmp_path: Path) -> None:
    target = extract(_rar(tmp_path, RAR5_COMPRESSED), tmp_path / "out" / "times")
    assert _files(target) == {"stest1.txt": STEST1}
    target = extract(_rar(tmp_path, RAR3_SUBDIRS, "subdirs.rar"), tmp_path / "out" / "subdirs")
    assert _files(target) == {
        "sub/dir1/file1.txt": b"file1\n",
        "sub/dir2/file2.txt": b"file2\n",
        "sub/with space/long fn.txt": b"long fn\n",
        "sub/üȵĩöḋè/file.txt": b"file\n",
    }
    assert (target / "sub" / "empty").is_dir()


@needs_rar
def test_rar_links_inside_are_skipped_and_links_out_refused(tmp_path: Path) -> None:
    # rar5-hlink.rar: two hard links to stest1.txt, inside: skipped, recorded.
    target = extract(_rar(tmp_path, RAR5_HARDLINKS), tmp_path / "out" / "hard")
    assert sorted(_files(target)) == ["stest1.txt"]
    assert skipped_links(target) == ["stest2.txt", "stest3.txt"]
    # rar3-symlink-unix.rar: data_link -> data.txt stays inside; random_link -> ../random123 leaves.
    with pytest.raises(UnsafeArchiveError, match=r"'random_link' is a link \(to '\.\./random123'\) "
                                                 r"pointing outside the target"):
        extract(_rar(tmp_path, RAR3_SYMLINKS), tmp_path / "out" / "data")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f".hard{MARKER_SUFFIX}", "hard"]


@needs_rar
def test_rar_over_the_cap_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeArchiveError, match="max_total_bytes=1,000"):
        extract(_rar(tmp_path, RAR5_COMPRESSED), tmp_path / "out" / "data", max_total_bytes=1000)
    assert list((tmp_path / "out").iterdir()) == []


def test_unpack_artefacts_unpacks_the_marked_ones_once(tmp_path: Path) -> None:
    from nevisbench.data.handlers._fixtures import write_zip
    from nevisbench.data.prepare import unpack_artefacts
    from nevisbench.data.spec import Artefact, DatasetSpec, extracted_dir
    from nevisbench.values import TaskKind

    spec = DatasetSpec(
        id="toy", title="Toy", num_classes=1, kind=TaskKind.SINGLE_LABEL, channels=1,
        class_names=("a",), homepage="-", paper_title="-", paper_url="-",
        artefacts=(Artefact("a.zip", "manual", "-", extract=True), Artefact("b.zip", "manual", "-")),
        convert=lambda raw: {}, make_fixture=lambda raw: None, split_rule="-",
    )
    raw = tmp_path / "raw"
    write_zip(raw / "a.zip", {"top/x.txt": b"x"})
    write_zip(raw / "b.zip", {"y.txt": b"y"})
    unpack_artefacts(spec, raw)
    assert (extracted_dir(raw, "a.zip") / "top" / "x.txt").read_bytes() == b"x"
    assert not extracted_dir(raw, "b.zip").exists()
    unpack_artefacts(spec, raw)  # a second call finds it done
    (raw / "a.zip").unlink()
    with pytest.raises(FileNotFoundError, match="datasets prepare toy"):
        unpack_artefacts(spec, raw)
    (raw / "a.zip").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="toy: artefact a.zip"):
        unpack_artefacts(spec, raw)


def test_prepare_records_skipped_links_in_meta_and_names_a_conflicting_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from nevisbench.data import prepare
    from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir
    from nevisbench.values import TaskKind

    def convert(raw: Path) -> dict[str, list[Example]]:
        pixels = np.frombuffer((extracted_dir(raw, "a.zip") / "sub" / "real.txt").read_bytes(), np.uint8)
        image = np.resize(pixels, (2, 2, 1))
        return {s: [Example(image, 0)] for s in ("train", "dev", "dev_test", "test")}

    spec = DatasetSpec(
        id="toy_links", title="Toy", num_classes=1, kind=TaskKind.SINGLE_LABEL, channels=1,
        class_names=("a",), homepage="-", paper_title="-", paper_url="-",
        artefacts=(Artefact("a.zip", "manual", "-", extract=True),), convert=convert,
        make_fixture=lambda raw: None, split_rule="-",
    )
    monkeypatch.setattr(prepare, "get_dataset", lambda name: spec)
    monkeypatch.setattr(prepare, "fetch_artefacts", lambda *args, **kwargs: {})
    home = tmp_path / "home"
    raw = home / "downloads" / "toy_links"
    raw.mkdir(parents=True)
    _zip_with_inside_links(raw / "a.zip")
    stored, _ = prepare.prepare_dataset("toy_links", home=home)
    assert stored.meta["skipped_links"] == {"a.zip": ["sub/link", "sub/up_and_back", "top_link"]}

    # A conflicting archive through prepare: one clear error naming the dataset, the archive and
    # the member, and no extracted directory that reads as done.
    _zip_members(("a", b"file"), ("a/b", b"x"))(raw / "a.zip")
    with pytest.raises(ValueError, match=r"dataset toy_links: artefact a\.zip cannot be unpacked: .*a\.zip: "
                                         r"member 'a/b' conflicts with an earlier member"):
        prepare.prepare_dataset("toy_links", home=home, force=True)
    assert not extracted_dir(raw, "a.zip").exists()
    assert sorted(p.name for p in (raw / "extracted").iterdir()) == []
