"""Helpers shared by the dataset-handler tests: prepare a handler's fixture, convert it, edit archives,
skip what needs an optional tool that is not installed.

A ``dataset`` argument is a dataset id (looked up with ``get_dataset``) or a handler module (its
``SPEC`` is used).
"""

from __future__ import annotations

import hashlib
import importlib.util
import tarfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from nevisbench.data.extract import MissingToolError
from nevisbench.data.handlers import _voc
from nevisbench.data.handlers._fixtures import write_tar, write_zip
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import ConvertResult, DatasetSpec, Example, extracted_dir, get_dataset

SPLITS = ("train", "dev", "dev_test", "test")


# ------------------------------------------------------------------------------- optional tools
#
# The `rar` and `lzw` extras are optional (a bare `pip install -e ".[test]"` has neither, nor a
# system RAR tool), so the tests that unpack a RAR or read a .Z file skip, saying what to install.


def _rar_missing() -> str | None:
    """Why RAR archives cannot be unpacked here, with the install hint; None when they can."""
    hint = "pip install 'nevisbench[rar]' and apt-get install unar (or libarchive-tools)"
    try:
        import rarfile
    except ImportError:
        return f"the RAR reader is not installed (no rarfile package): {hint}"
    try:
        rarfile.tool_setup()
    except rarfile.RarCannotExec:
        return f"the RAR reader has no tool (none of unrar, unar, 7z, bsdtar on the PATH): {hint}"
    return None


def _lzw_missing() -> str | None:
    """Why .Z (LZW) data cannot be read here, with the install hint; None when it can."""
    if importlib.util.find_spec("ncompress") is None:
        return "the ncompress package is not installed: pip install 'nevisbench[lzw]'"
    return None


RAR_MISSING = _rar_missing()
LZW_MISSING = _lzw_missing()
needs_rar = pytest.mark.skipif(RAR_MISSING is not None, reason=RAR_MISSING or "")
"""Marks a test that unpacks a RAR archive (rarfile and a RAR tool)."""
needs_lzw = pytest.mark.skipif(LZW_MISSING is not None, reason=LZW_MISSING or "")
"""Marks a test that writes or reads .Z (LZW) data (ncompress)."""


@contextmanager
def optional_tools() -> Iterator[None]:
    """Skips the test when its block needs an optional tool that is missing here.

    For tests parametrized over the whole registry, which cannot know each dataset's tools: a
    ``MissingToolError`` becomes a skip with its message (which says what to install), but only
    when one of the optional tools is in fact missing; otherwise it is a failure like any other.
    """
    try:
        yield
    except MissingToolError as error:
        if RAR_MISSING is None and LZW_MISSING is None:
            raise
        pytest.skip(str(error))


def spec_of(dataset: str | ModuleType) -> DatasetSpec:
    """The spec of a dataset id or of a handler module."""
    return get_dataset(dataset) if isinstance(dataset, str) else dataset.SPEC


def prepared(dataset: str | ModuleType, raw: Path) -> Path:
    """Writes the dataset's fixture into ``raw`` and unpacks its artefacts; returns ``raw``."""
    spec = spec_of(dataset)
    spec.make_fixture(raw)
    unpack_artefacts(spec, raw)
    return raw


def materialise(
    result: ConvertResult, splits: Iterable[str] | None = None
) -> dict[str, list[Example]]:
    """A converter's result with every split's examples in a list.

    With ``splits``, only those splits, in that order (a missing one raises KeyError).
    """
    if splits is None:
        return {split: list(examples) for split, examples in result.items()}
    return {split: list(result[split]) for split in splits}


def converted(
    dataset: str | ModuleType, raw: Path, splits: Iterable[str] | None = None
) -> dict[str, list[Example]]:
    """The dataset converted from ``raw``, materialised (see ``materialise``)."""
    return materialise(spec_of(dataset).convert(raw), splits)


def prepared_and_converted(
    dataset: str | ModuleType, raw: Path
) -> tuple[Path, dict[str, list[Example]]]:
    """``raw`` and the splits converted from the dataset's fixture prepared there."""
    return raw, converted(dataset, prepared(dataset, raw))


def unpacked_and_converted(name: str, raw: Path) -> dict[str, list[Example]]:
    """Unpacks the artefacts already in ``raw`` (a fixture or a handmade layout) and converts."""
    unpack_artefacts(get_dataset(name), raw)
    return converted(name, raw)


def split_sizes(splits: dict[str, list[Example]]) -> dict[str, int]:
    """The number of examples of each of the four splits."""
    return {split: len(splits[split]) for split in SPLITS}


def names_in(out: dict[str, list[Example]], *splits: str) -> set[str]:
    """The names of the examples of ``splits``."""
    return {example.name for split in splits for example in out[split]}


def tar_member_name(example: Example) -> str:
    """The member name of a tar-streamed example (its name is ``<archive>:<member>``)."""
    return example.name.split(":", 1)[1]


def example_names(examples: Iterable[Example]) -> list[str]:
    """The examples' names, in order."""
    return [example.name for example in examples]


def everything(splits: Mapping[str, list[Example]]) -> list[Example]:
    """The examples of the four splits, in ``SPLITS`` order."""
    return [example for split in SPLITS for example in splits[split]]


def example_index(example: Example) -> int:
    """The index in the official file or set, from a name ending in ``[<index>]``."""
    return int(example.name.rsplit("[", 1)[1].rstrip("]"))


def tfds_stored_order(split: str, count: int) -> list[int]:
    """TFDS's stored order of a split whose example i has the int key i.

    TFDS sorts by md5(split name + str(key)); computed here independently of ``splits.tfds_order``.
    """
    return sorted(range(count), key=lambda i: hashlib.md5(f"{split}{i}".encode()).digest())


def tfds_md5_rank(split: str, key: str) -> str:
    """The hex MD5 by which TFDS stores the example ``key`` of ``split`` (sorted by it)."""
    return hashlib.md5(split.encode() + key.encode()).hexdigest()


# TFDS's mnist, svhn, cifar and stl10 builders key example i of a split by the int i (see
# tfds_stored_order; for CIFAR-10 running on across data_batch_1..5). The stored orders of the
# fixtures' splits (20 or 30 train, 10 test images), pinned: a change here moves images between
# train, dev and dev_test.
TFDS_PINNED_ORDER = {
    ("train", 20): [6, 16, 19, 12, 14, 18, 5, 13, 15, 4, 10, 17, 0, 8, 3, 1, 9, 7, 11, 2],
    ("train", 30): [
        28, 6, 16, 19, 12, 14, 25, 18, 5, 27, 26, 13, 15, 21, 4, 29, 10, 22, 17, 0, 8, 23, 3, 1,
        24, 20, 9, 7, 11, 2,
    ],
    ("test", 10): [6, 1, 8, 9, 4, 3, 2, 7, 5, 0],
}  # fmt: skip
TFDS_TRAIN_ORDER = TFDS_PINNED_ORDER[("train", 20)]
"""The CIFAR and STL-10 fixtures' 20 train images in TFDS's stored order."""
TFDS_TEST_ORDER = TFDS_PINNED_ORDER[("test", 10)]
"""The CIFAR and STL-10 fixtures' 10 test images in TFDS's stored order."""
CIFAR_STL10_ARCHIVES = {
    "cifar10": "cifar-10-python.tar.gz",
    "cifar100": "cifar-100-python.tar.gz",
    "stl10": "stl10_binary.tar.gz",
}
"""The archive of each TFDS object dataset, by dataset id."""


def voc_multi_hot(raw: Path, archive: str, year: int, example: Example) -> list[int]:
    """The labels of a VOC example, read here from its annotation file."""
    image_id = Path(example.name).stem
    xml = extracted_dir(raw, archive) / f"VOCdevkit/VOC{year}/Annotations/{image_id}.xml"
    return sorted({_voc.VOC_CLASSES.index(n) for n in _voc.object_names(xml)})


def tar_members(path: Path) -> dict[str, bytes]:
    """The regular-file members of a tar (any compression), in order."""
    with tarfile.open(path, "r:*") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def rewrite_tar(path: Path, change: Mapping[str, bytes | None], compression: str = "gz") -> None:
    """Rewrites a tar with members replaced or added (bytes) or removed (None; absent is ignored).

    ``compression`` is the new tar's: ``""``, ``gz``, ``bz2`` or ``xz``.
    """
    write_tar(path, _changed(tar_members(path), change), compression)


def zip_members(path: Path) -> dict[str, bytes]:
    """Every member of a zip as bytes, in order."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite_zip(path: Path, change: Mapping[str, bytes | None]) -> None:
    """Rewrites a zip (deflated) with members changed as in ``rewrite_tar``."""
    members = _changed(zip_members(path), change)
    path.unlink()
    write_zip(path, members)


def _changed(members: dict[str, bytes], change: Mapping[str, bytes | None]) -> dict[str, bytes]:
    """``members`` with ``change`` applied, in place."""
    for name, data in change.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    return members
