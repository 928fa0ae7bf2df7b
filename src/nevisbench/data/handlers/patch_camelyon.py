"""PatchCamelyon: 327,680 96×96 colour patches of lymph-node scans, tumour or not, from the official HDF5 files.

h5py is not a dependency: a small reader of the HDF5 format (the subset these files and h5py's
defaults use) lives here, with a writer of the same subset for the fixture and tests.
"""

from __future__ import annotations

import dataclasses
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nevisbench.data.handlers._common import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.types import TaskKind

_ID = "patch_camelyon"
_BASE = "https://zenodo.org/record/2546921/files/"
_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_UNDEFINED = 0xFFFFFFFFFFFFFFFF

CLASS_NAMES = ("no_metastatic_tissue", "metastatic_tissue")

# The official files (x: N×96×96×3 uint8 images; y: N×1×1×1 uint8 labels), with TFDS's SHA-256s.
# Ours: train, dev_test (the official validation set) and test.
FILES = {
    "train": {
        "x": ("camelyonpatch_level_2_split_train_x.h5.gz",
              "d619e741468a7ab35c7e4a75e6821b7e7e6c9411705d45708f2a0efc8960656c"),
        "y": ("camelyonpatch_level_2_split_train_y.h5.gz",
              "b74126d2c01b20d3661f9b46765d29cf4e4fba6faba29c8e0d09d406331ab75a"),
    },
    "valid": {
        "x": ("camelyonpatch_level_2_split_valid_x.h5.gz",
              "f82ee1670d027b4ec388048d9eabc2186b77c009655dae76d624c0ecb053ccb2"),
        "y": ("camelyonpatch_level_2_split_valid_y.h5.gz",
              "ce1ae30f08feb468447971cfd0472e7becd0ad96d877c64120c72571439ae48c"),
    },
    "test": {
        "x": ("camelyonpatch_level_2_split_test_x.h5.gz",
              "79174c2201ad521602a5888be8f36ee10875f37403dd3f2086caf2182ef87245"),
        "y": ("camelyonpatch_level_2_split_test_y.h5.gz",
              "0a522005fccc8bbd04c5a117bfaf81d8da2676f03a29d7499f71d0a0bd6068ef"),
    },
}
# TFDS's split names (the salt of its stored order) for the official sets.
_TFDS_SPLIT = {"train": "train", "valid": "validation", "test": "test"}


class HDF5Error(ValueError):
    """The file is no HDF5 file, or uses a part of the format this reader does not implement."""


# ------------------------------------------------------------------------------------ HDF5 reader


@dataclasses.dataclass
class H5Dataset:
    """A dataset's shape, element type and storage, as read from its object header."""

    shape: tuple[int, ...]
    dtype: np.dtype
    layout: str  # compact | contiguous | chunked
    address: int = _UNDEFINED  # contiguous data or the chunk B-tree
    compact: bytes = b""
    chunk: tuple[int, ...] = ()
    filters: tuple[tuple[int, tuple[int, ...]], ...] = ()


class H5File:
    """Reads datasets of an HDF5 file: superblock 0–3, object headers 1–2, groups as symbol tables
    or compact links, compact / contiguous / chunked (v1 B-tree) storage, deflate, shuffle and
    Fletcher-32 filters, integer and float elements."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 (closed by close/__exit__)
        try:
            self._root = self._superblock()
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> H5File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    # -- low level

    def _read(self, address: int, size: int) -> bytes:
        self._file.seek(self.base + address)
        data = self._file.read(size)
        if len(data) != size:
            raise HDF5Error(f"{self.path.name}: ends within a structure at {address} (truncated?)")
        return data

    def _uint(self, data: bytes, pos: int, size: int) -> int:
        return int.from_bytes(data[pos:pos + size], "little")

    def _superblock(self) -> int:
        size = self.path.stat().st_size
        start = 0
        while start < size and start <= 2**30:
            self._file.seek(start)
            if self._file.read(8) == _SIGNATURE:
                break
            start = 512 if start == 0 else start * 2
        else:
            raise HDF5Error(f"{self.path.name}: no HDF5 signature (not an HDF5 file)")
        self.base = 0
        head = self._read(start, 64)
        version = head[8]
        if version in (0, 1):
            self.o, self.l = head[13], head[14]
            pos = 24 + (4 if version == 1 else 0)
            self.base = self._uint(head, pos, self.o) if self._uint(head, pos, self.o) else start
            entry = self._read(start + pos + 4 * self.o - self.base, 2 * self.o + 24)
            return self._uint(entry, self.o, self.o)
        if version in (2, 3):
            self.o, self.l = head[9], head[10]
            base = self._uint(head, 12, self.o)
            self.base = base if base else start
            return self._uint(head, 12 + 3 * self.o, self.o)
        raise HDF5Error(f"{self.path.name}: superblock version {version} is not supported")

    def _messages(self, address: int) -> list[tuple[int, bytes]]:
        """``(type, data)`` of every message of the object header at ``address``."""
        out: list[tuple[int, bytes]] = []
        if self._read(address, 4) == b"OHDR":
            head = self._read(address, 16)
            flags = head[5]
            pos = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 3)
            prefix = self._read(address, pos + width)
            size = self._uint(prefix, pos, width)
            blocks = [(address + pos + width, size)]
            while blocks:
                start, length = blocks.pop(0)
                data = self._read(start, length)
                at = 4 if data[:4] == b"OCHK" else 0
                end = length - 4 if at else length  # an OCHK block ends in its checksum
                step = 6 if flags & 0x04 else 4
                while at + step <= end:
                    kind, msize = data[at], self._uint(data, at + 1, 2)
                    body = data[at + step:at + step + msize]
                    at += step + msize
                    if kind == 0x10:
                        blocks.append((self._uint(body, 0, self.o), self._uint(body, self.o, self.l)))
                    elif kind:
                        out.append((kind, body))
            return out
        head = self._read(address, 16)
        if head[0] != 1:
            raise HDF5Error(f"{self.path.name}: object header version {head[0]} is not supported")
        count = self._uint(head, 2, 2)
        blocks = [(address + 16, self._uint(head, 8, 4))]
        while blocks and len(out) < count:
            start, length = blocks.pop(0)
            data = self._read(start, length)
            at = 0
            while at + 8 <= length:
                kind, msize = self._uint(data, at, 2), self._uint(data, at + 2, 2)
                body = data[at + 8:at + 8 + msize]
                at += 8 + msize
                if kind == 0x10:
                    blocks.append((self._uint(body, 0, self.o), self._uint(body, self.o, self.l)))
                out.append((kind, body))
        return out

    # -- groups

    def _links(self, address: int) -> dict[str, int]:
        """``{name: object header address}`` of a group's members."""
        out: dict[str, int] = {}
        for kind, body in self._messages(address):
            if kind == 0x11:  # symbol table: a v1 B-tree of symbol-table nodes + a local heap
                out.update(self._symbol_table(self._uint(body, 0, self.o), self._uint(body, self.o, self.o)))
            elif kind == 0x06:  # link message (compact storage)
                flags, at = body[1], 2
                link_type = 0
                if flags & 0x08:
                    link_type, at = body[at], at + 1
                at += (8 if flags & 0x04 else 0) + (1 if flags & 0x10 else 0)
                width = 1 << (flags & 3)
                length = self._uint(body, at, width)
                name = body[at + width:at + width + length].decode("utf-8", "replace")
                if link_type == 0:
                    out[name] = self._uint(body, at + width + length, self.o)
            elif kind == 0x02 and self._uint(body, 2 + (8 if body[1] & 1 else 0), self.o) != _UNDEFINED:
                raise HDF5Error(f"{self.path.name}: groups in dense (fractal heap) storage are not supported")
        return out

    def _symbol_table(self, btree: int, heap: int) -> dict[str, int]:
        head = self._read(heap, 8 + 2 * self.l + self.o)
        if head[:4] != b"HEAP":
            raise HDF5Error(f"{self.path.name}: no local heap at {heap}")
        heap_data = self._read(self._uint(head, 8 + 2 * self.l, self.o), self._uint(head, 8, self.l))
        out: dict[str, int] = {}
        for node in self._btree_children(btree, 0):
            head = self._read(node, 8)
            if head[:4] != b"SNOD":
                raise HDF5Error(f"{self.path.name}: no symbol-table node at {node}")
            entry = 2 * self.o + 24
            data = self._read(node + 8, self._uint(head, 6, 2) * entry)
            for k in range(self._uint(head, 6, 2)):
                offset = self._uint(data, k * entry, self.o)
                name = heap_data[offset:heap_data.index(b"\0", offset)].decode("utf-8", "replace")
                out[name] = self._uint(data, k * entry + self.o, self.o)
        return out

    def _btree_children(self, address: int, node_type: int, rank: int = 0) -> Iterator[Any]:
        """Leaf children of a v1 B-tree: addresses (groups) or ``(offsets, size, mask, address)``."""
        key = self.l if node_type == 0 else 8 + 8 * (rank + 1)
        head = self._read(address, 8 + 2 * self.o)
        if head[:4] != b"TREE" or head[4] != node_type:
            raise HDF5Error(f"{self.path.name}: no B-tree node at {address}")
        level, entries = head[5], self._uint(head, 6, 2)
        data = self._read(address + 8 + 2 * self.o, entries * (key + self.o) + key)
        for k in range(entries):
            at = k * (key + self.o)
            child = self._uint(data, at + key, self.o)
            if level:
                yield from self._btree_children(child, node_type, rank)
            elif node_type == 0:
                yield child
            else:
                size, mask = self._uint(data, at, 4), self._uint(data, at + 4, 4)
                offsets = tuple(self._uint(data, at + 8 + 8 * d, 8) for d in range(rank))
                yield offsets, size, mask, child

    # -- datasets

    def dataset(self, name: str) -> H5Dataset:
        """The dataset ``name`` (a path from the root group, e.g. ``x`` or ``group/x``)."""
        address = self._root
        for part in name.strip("/").split("/"):
            links = self._links(address)
            if part not in links:
                raise KeyError(f"{self.path.name}: no member {name!r} (has {sorted(links)})")
            address = links[part]
        messages = dict(self._messages(address))
        if 0x01 not in messages or 0x03 not in messages or 0x08 not in messages:
            raise HDF5Error(f"{self.path.name}: {name!r} is not a dataset")
        out = H5Dataset(self._dataspace(messages[0x01]), self._datatype(messages[0x03]), "")
        self._layout(messages[0x08], out)
        if 0x0B in messages:
            out.filters = self._filters(messages[0x0B])
        return out

    def _dataspace(self, body: bytes) -> tuple[int, ...]:
        version, rank = body[0], body[1]
        at = 8 if version == 1 else 4
        return tuple(self._uint(body, at + k * self.l, self.l) for k in range(rank))

    def _datatype(self, body: bytes) -> np.dtype:
        kind, bits, size = body[0] & 0x0F, body[1], self._uint(body, 4, 4)
        order = ">" if bits & 1 else "<"
        if kind == 0 and size in (1, 2, 4, 8):
            return np.dtype(f"{order}{'i' if bits & 0x08 else 'u'}{size}")
        if kind == 1 and size in (2, 4, 8):
            return np.dtype(f"{order}f{size}")
        raise HDF5Error(f"{self.path.name}: element type class {kind} of {size} bytes is not supported")

    def _layout(self, body: bytes, out: H5Dataset) -> None:
        version, kind = body[0], body[1]
        if version in (1, 2):  # version, dimensionality, class, 5 reserved, [address], dims
            dims, kind = body[1], body[2]
            at = 8 + (self.o if kind else 0)
            if kind == 0:
                size_at = at + 4 * dims
                out.layout = "compact"
                out.compact = body[size_at + 4:size_at + 4 + self._uint(body, size_at, 4)]
            elif kind == 1:
                out.layout, out.address = "contiguous", self._uint(body, 8, self.o)
            else:
                out.layout, out.address = "chunked", self._uint(body, 8, self.o)
                out.chunk = tuple(self._uint(body, at + 4 * k, 4) for k in range(dims - 1))
            return
        if version not in (3, 4):
            raise HDF5Error(f"{self.path.name}: data layout version {version} is not supported")
        if kind == 0:
            out.layout, out.compact = "compact", body[4:4 + self._uint(body, 2, 2)]
        elif kind == 1:
            out.layout, out.address = "contiguous", self._uint(body, 2, self.o)
        elif kind == 2 and version == 3:
            dims = body[2]
            out.layout, out.address = "chunked", self._uint(body, 3, self.o)
            out.chunk = tuple(self._uint(body, 3 + self.o + 4 * k, 4) for k in range(dims - 1))
        else:
            raise HDF5Error(f"{self.path.name}: layout class {kind} (version {version}) is not supported")

    def _filters(self, body: bytes) -> tuple[tuple[int, tuple[int, ...]], ...]:
        version, count = body[0], body[1]
        at = 8 if version == 1 else 2
        out = []
        for _ in range(count):
            ident = self._uint(body, at, 2)
            named = version == 1 or ident >= 256
            name_length = self._uint(body, at + 2, 2) if named else 0
            at += 4 if named else 2
            values = self._uint(body, at + 2, 2)
            at += 4
            at += ((name_length + 7) // 8 * 8) if version == 1 else name_length
            client = tuple(self._uint(body, at + 4 * k, 4) for k in range(values))
            at += 4 * values + (4 if version == 1 and values % 2 else 0)
            out.append((ident, client))
        return tuple(out)

    def _decode_chunk(self, data: bytes, dataset: H5Dataset, mask: int) -> bytes:
        for position in reversed(range(len(dataset.filters))):
            if mask & (1 << position):
                continue
            ident, client = dataset.filters[position]
            if ident == 1:
                data = zlib.decompress(data)
            elif ident == 2:
                size = client[0] if client else dataset.dtype.itemsize
                whole = len(data) // size * size
                planes = np.frombuffer(data[:whole], np.uint8).reshape(size, -1)
                data = planes.T.tobytes() + data[whole:]
            elif ident == 3:
                data = data[:-4]
            else:
                raise HDF5Error(f"{self.path.name}: filter {ident} is not supported")
        return data

    def rows(self, dataset: H5Dataset, batch: int = 256) -> Iterator[np.ndarray]:
        """The dataset's items along its first axis, in order (memory bounded by a chunk band)."""
        shape, dtype = dataset.shape, dataset.dtype
        if not shape:
            raise HDF5Error(f"{self.path.name}: a scalar dataset has no rows")
        if dataset.layout == "compact" or dataset.address == _UNDEFINED:
            data = dataset.compact or bytes(int(np.prod(shape)) * dtype.itemsize)
            yield from np.frombuffer(data, dtype).reshape(shape)
            return
        if dataset.layout == "contiguous":
            array = np.memmap(self.path, dtype, "r", offset=self.base + dataset.address, shape=shape)
            for start in range(0, shape[0], batch):
                yield from np.array(array[start:start + batch])
            return
        rank, chunk = len(shape), dataset.chunk
        bands: dict[int, list[tuple[tuple[int, ...], int, int, int]]] = {}
        for offsets, size, mask, address in self._btree_children(dataset.address, 1, rank):
            bands.setdefault(offsets[0], []).append((offsets, size, mask, address))
        for first in range(0, shape[0], chunk[0]):
            band = np.zeros((min(chunk[0], shape[0] - first), *shape[1:]), dtype)
            for offsets, size, mask, address in bands.get(first, []):
                raw = self._decode_chunk(self._read(address, size), dataset, mask)
                block = np.frombuffer(raw, dtype, count=int(np.prod(chunk))).reshape(chunk)
                where = tuple(slice(o, min(o + c, s)) for o, c, s in zip(offsets, chunk, shape, strict=True))
                where = (slice(0, where[0].stop - first), *where[1:])
                band[where] = block[tuple(slice(0, w.stop - w.start) for w in where)]
            yield from band


# ------------------------------------------------------------------------------------ HDF5 writer


def write_hdf5(path: Path, datasets: dict[str, np.ndarray]) -> None:
    """A minimal HDF5 file (superblock 0, root symbol table, contiguous datasets), as h5py writes
    with its default settings; integer arrays only."""
    names = sorted(datasets)
    heap_names = b"\0" * 8
    name_offsets = {}
    for name in names:
        name_offsets[name] = len(heap_names)
        encoded = name.encode() + b"\0"
        heap_names += encoded + b"\0" * (-len(encoded) % 8)
    root_header, heap_header, btree, snod = 96, 136, 168 + len(heap_names), 0
    snod = btree + 48
    objects_at = snod + 8 + 40 * len(names)
    headers, raws = {}, {}
    at = objects_at
    for name in names:
        array = np.ascontiguousarray(datasets[name])
        if array.dtype.kind not in "iu":
            raise TypeError("write_hdf5 writes integer arrays only")
        dims = b"".join(struct.pack("<Q", d) for d in array.shape)
        space = struct.pack("<BBBB4x", 1, array.ndim, 0, 0) + dims
        bits = 0x08 if array.dtype.kind == "i" else 0
        dtype = struct.pack("<BBBBIHH4x", 0x10, bits, 0, 0, array.dtype.itemsize, 0, 8 * array.dtype.itemsize)
        fill = struct.pack("<BBBB4x", 2, 2, 2, 0)
        header_size = 16 + (8 + len(space)) + (8 + len(dtype)) + (8 + len(fill)) + (8 + 24)
        data_at = at + header_size
        layout = struct.pack("<BBQQ6x", 3, 1, data_at, array.nbytes)
        body = b"".join(
            struct.pack("<HHB3x", kind, len(msg), 1 if kind == 3 else 0) + msg
            for kind, msg in ((1, space), (3, dtype), (5, fill), (8, layout))
        )
        headers[name] = (at, struct.pack("<BBHII4x", 1, 0, 4, 1, len(body)) + body)
        raws[name] = array.tobytes()
        at = data_at + array.nbytes + (-array.nbytes % 8)
    out = bytearray(at)

    def put(address: int, data: bytes) -> None:
        out[address:address + len(data)] = data

    put(0, _SIGNATURE + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + struct.pack("<HHI", 4, 16, 0))
    put(24, struct.pack("<QQQQ", 0, _UNDEFINED, at, _UNDEFINED))
    put(56, struct.pack("<QQII", 0, root_header, 1, 0) + struct.pack("<QQ", btree, heap_header))
    symbol_table = struct.pack("<QQ", btree, heap_header)
    put(root_header, struct.pack("<BBHII4x", 1, 0, 1, 1, 24) + struct.pack("<HHB3x", 0x11, 16, 0) + symbol_table)
    put(heap_header, b"HEAP" + bytes(4) + struct.pack("<QQQ", len(heap_names), _UNDEFINED, 168))
    put(168, heap_names)
    last = name_offsets[names[-1]] if names else 0
    put(btree, b"TREE" + struct.pack("<BBH", 0, 0, 1) + struct.pack("<QQ", _UNDEFINED, _UNDEFINED)
        + struct.pack("<QQQ", 0, snod, last))
    entries = b"".join(struct.pack("<QQII16x", name_offsets[n], headers[n][0], 0, 0) for n in names)
    put(snod, b"SNOD" + struct.pack("<BBH", 1, 0, len(names)) + entries)
    for name in names:
        address, header = headers[name]
        put(address, header)
        put(address + len(header), raws[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))


# ----------------------------------------------------------------------------------------- handler


def _h5_path(raw_dir: Path, filename: str) -> Path:
    path = extracted_dir(raw_dir, filename) / filename.removesuffix(".gz")
    if not path.is_file():
        raise layout_error(_ID, filename, filename.removesuffix(".gz"))
    return path


def _open(raw_dir: Path, part: str, which: str) -> tuple[H5File, H5Dataset]:
    filename = FILES[part][which][0]
    h5 = H5File(_h5_path(raw_dir, filename))
    try:
        return h5, h5.dataset(which)
    except KeyError:
        h5.close()
        raise layout_error(_ID, filename, f"HDF5 dataset '{which}'") from None
    except BaseException:
        h5.close()
        raise


def read_labels(raw_dir: Path, part: str) -> np.ndarray:
    """The labels of one official set (the y file's N×1×1×1 array, flattened)."""
    h5, dataset = _open(raw_dir, part, "y")
    with h5:
        labels = np.array(list(h5.rows(dataset))).reshape(dataset.shape[0], -1)[:, 0].astype(np.int64)
    if len(labels) and (labels.min() < 0 or labels.max() > 1):
        raise layout_error(_ID, FILES[part]["y"][0], "labels 0 or 1")
    return labels


def _stream(raw_dir: Path, part: str, labels: np.ndarray, indices: list[int]) -> Iterator[Example]:
    """Images ``indices`` of one official set, read in file order (sequential through the file)."""
    wanted = set(indices)
    h5, dataset = _open(raw_dir, part, "x")
    with h5:
        if dataset.shape[0] != len(labels) or len(dataset.shape) != 4 or dataset.shape[3] != 3:
            raise layout_error(_ID, FILES[part]["x"][0], f"{len(labels)} RGB images (N×H×W×3)")
        for index, image in enumerate(h5.rows(dataset)):
            if index in wanted:
                yield Example(np.ascontiguousarray(image, dtype=np.uint8), int(labels[index]),
                              f"{part}[{index}]")


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    labels = {part: read_labels(raw_dir, part) for part in FILES}

    def ordered(part: str) -> list[int]:
        # TFDS's stored order: keys '<set>_<index>' (valid, not validation) salted by its split name.
        return tfds_order(range(len(labels[part])), _TFDS_SPLIT[part], lambda i: f"{part}_{i}")

    cut = contiguous_split(ordered("train"), [("train", 0.8), ("dev", 1.0)])
    return {
        "train": _stream(raw_dir, "train", labels["train"], cut["train"]),
        "dev": _stream(raw_dir, "train", labels["train"], cut["dev"]),
        "dev_test": _stream(raw_dir, "valid", labels["valid"], ordered("valid")),
        "test": _stream(raw_dir, "test", labels["test"], ordered("test")),
    }


def make_fixture(raw_dir: Path) -> None:
    import gzip

    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for part, count in (("train", 20), ("valid", 6), ("test", 6)):
        x = rng.integers(0, 256, size=(count, 8, 8, 3), dtype=np.uint8)
        y = (np.arange(count) % 2).astype(np.uint8).reshape(count, 1, 1, 1)
        for which, array in (("x", x), ("y", y)):
            filename = FILES[part][which][0]
            plain = raw_dir / filename.removesuffix(".gz")
            write_hdf5(plain, {which: array})
            with gzip.open(raw_dir / filename, "wb") as handle:
                handle.write(plain.read_bytes())
            plain.unlink()


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="PatchCamelyon (PCam)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://github.com/basveeling/pcam",
        paper_title="Rotation Equivariant CNNs for Digital Pathology (Veeling, Linmans, Winkens, "
        "Cohen & Welling, MICCAI 2018)",
        paper_url="https://arxiv.org/abs/1806.03962",
        license="CC0 1.0 (as Camelyon16)",
        artefacts=tuple(
            Artefact(filename, "url", _BASE + filename, sha256=sha256, extract=True)
            for part in FILES.values()
            for filename, sha256 in part.values()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over the official sets: train = first int(.8N) of the official "
        "train set in TFDS's stored order, dev = the rest; dev_test = the official validation set; "
        "test = the official test set (209,715 / 52,429 / 32,768 / 32,768)",
        notes="The .h5.gz files are unpacked (extract) and read by our own HDF5 reader (h5py is "
        "not a dependency). TFDS's stored order (sorted by MD5 of split name + 'train_<i>', its "
        "key) decides the train/dev cut, so membership matches the reference; each split is then "
        "read in file order. Class 1 = metastatic tissue in the centre 32×32 px (the y file).",
    )
)
