"""A converted store's meta.json and the checks that hold it to its arrays, its labels and its spec.

``StoredDataset.open`` runs the cheap checks (meta.json's keys and types, num_classes and kind
against the registered spec, every array's size and ``.npy`` header against the counts); reading a
split checks its labels; ``verify_dataset`` runs everything, checksums included. Every message
names the file at fault and says how to recover.
"""

from __future__ import annotations

import hashlib
import json
import tokenize
from pathlib import Path
from typing import Any

import numpy as np

from nevisbench.data.spec import DatasetSpec, get_dataset
from nevisbench.values import STORED_SPLITS, TaskKind

STORE_FORMAT = 1

# What numpy can raise on a corrupt .npy header: it parses the header with ast.literal_eval and
# retries unparsable ones through tokenize (a TokenError, which is no ValueError).
NPY_ERRORS = (ValueError, OSError, EOFError, SyntaxError, tokenize.TokenError)

# (key, type) pairs a reader relies on, parents before children; written by every format-1 store.
_REQUIRED: tuple[tuple[str, type], ...] = (
    ("spec", dict),
    ("spec.id", str),
    ("spec.num_classes", int),
    ("spec.kind", str),
    ("spec.channels", int),
    ("spec.class_names", list),
    ("task", dict),
    ("task.name", str),
    ("task.kind", str),
    ("task.num_classes", int),
    ("counts", dict),
    *((f"counts.{split.value}", int) for split in STORED_SPLITS),
    ("image_shape", list),
    ("resolution_policy", dict),
    ("resolution_policy.resolution", int),
    ("resolution_policy.mode", str),
    ("corrupt_images", dict),
    ("files", dict),
    ("converter_version", int),
)
_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


class StoreError(ValueError):
    """A converted dataset is missing, incomplete, truncated or edited."""


def prepare_again(name: str) -> str:
    """The recovery advice every store error ends with."""
    return f"prepare it again with `nevisbench datasets prepare {name} --force`"


def non_reference(meta: dict[str, Any]) -> list[str]:
    """The raw files a store was converted from although their checksum differs from the spec's.

    Stores written before the field existed have none (their files all matched).
    """
    files = meta.get("non_reference", [])
    return [str(name) for name in files] if isinstance(files, list) else []


def file_sha256(path: Path) -> str:
    """The SHA-256 of ``path``'s content, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_files(split: str) -> tuple[str, str]:
    """The images and labels file names of a stored split."""
    return f"{split}_images.npy", f"{split}_labels.npy"


def _typed(value: Any, kind: type) -> bool:
    # JSON true/false load as bool, which Python counts as an int: not a count.
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def read_meta(path: Path) -> dict[str, Any]:
    """Reads ``<path>/meta.json`` and checks that every key a reader uses is there, typed, and consistent.

    Raises:
        StoreError: unreadable, another store format, a key missing or mistyped, or values that
            contradict each other; the message names meta.json, the key and the fix.
    """
    file, name = path / "meta.json", path.name
    try:
        meta = json.loads(file.read_text())
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise StoreError(f"{file} is unreadable ({error}); prepare the dataset again with "
                         f"`nevisbench datasets prepare {name} --force`") from None
    if not isinstance(meta, dict):
        raise StoreError(f"{file} holds a JSON {type(meta).__name__}, not an object; {prepare_again(name)}")
    if "format" not in meta:
        raise StoreError(f"{file} has no key 'format' (edited by hand, or written by another tool); "
                         f"{prepare_again(name)}")
    if meta["format"] != STORE_FORMAT:
        raise StoreError(f"{path} has store format {meta['format']!r}, this nevisbench reads "
                         f"{STORE_FORMAT}; run `nevisbench datasets prepare {name} --force`")
    for key, kind in _REQUIRED:
        parent, _, leaf = key.rpartition(".")
        holder = meta[parent] if parent else meta  # a parent comes first in _REQUIRED, so it is a dict
        if leaf not in holder:
            raise StoreError(f"{file} has no key {key!r} (edited by hand, or written by another tool); "
                             f"{prepare_again(name)}")
        if not _typed(holder[leaf], kind):
            raise StoreError(f"{file}: {key!r} is {holder[leaf]!r}, expected {_TYPE_NAMES[kind]}; "
                             f"{prepare_again(name)}")
    problem = _value_problem(meta)
    if problem:
        raise StoreError(f"{file}: {problem}; {prepare_again(name)}")
    return meta


def _value_problem(meta: dict[str, Any]) -> str | None:
    """The first value of a well-typed meta.json that contradicts another or cannot be right."""
    spec, task = meta["spec"], meta["task"]
    kinds = {kind.value for kind in TaskKind}
    for key, value in (("spec.kind", spec["kind"]), ("task.kind", task["kind"])):
        if value not in kinds:
            return f"{key!r} is {value!r}, expected one of {sorted(kinds)}"
    if task["num_classes"] < 1:
        return f"'task.num_classes' is {task['num_classes']}, expected at least 1"
    for key in ("num_classes", "kind"):
        if task[key] != spec[key]:
            return f"'task.{key}' is {task[key]!r} but 'spec.{key}' is {spec[key]!r}"
    if task["name"] != spec["id"]:
        return f"'task.name' is {task['name']!r} but 'spec.id' is {spec['id']!r}"
    shape = meta["image_shape"]
    if len(shape) != 3 or not all(_typed(side, int) and side > 0 for side in shape):
        return f"'image_shape' is {shape!r}, expected [height, width, channels] of positive integers"
    for split, count in meta["counts"].items():
        if _typed(count, int) and count < 0:
            return f"'counts.{split}' is {count}, a negative count"
    for filename, record in meta["files"].items():
        if not (isinstance(record, dict) and _typed(record.get("bytes"), int)
                and isinstance(record.get("sha256"), str)):
            return f"'files.{filename}' is {record!r}, expected {{'bytes': int, 'sha256': str}}"
    return None


def registered_spec(name: str) -> DatasetSpec | None:
    """The registered spec of dataset ``name``, or None (a store written for tests or benchmarks)."""
    try:
        return get_dataset(name)
    except KeyError:
        return None


def spec_problems(path: Path, meta: dict[str, Any], spec: DatasetSpec, *, full: bool) -> list[str]:
    """Where meta.json disagrees with the registered ``spec``.

    Args:
        path: the store directory.
        meta: its meta.json, already through ``read_meta``.
        spec: the registered spec of the dataset.
        full: also compare channels, class names count and split names (``verify``); otherwise only
            num_classes and kind, which decide a model's head and loss (``open``).
    """
    file, name = path / "meta.json", path.name
    stale = meta["converter_version"] != spec.version
    advice = (f"converted by converter version {meta['converter_version']}, the handler is now "
              f"version {spec.version}: run `nevisbench datasets prepare {name}` to convert it again"
              if stale else f"edited by hand? {prepare_again(name)}")
    found = [("num_classes", meta["spec"]["num_classes"], spec.num_classes),
             ("kind", meta["spec"]["kind"], spec.kind.value)]
    if full:
        found.append(("channels", meta["spec"]["channels"], spec.channels))
        if any(meta["counts"].values()):
            found.append(("image_shape channels", meta["image_shape"][2], spec.channels))
        if spec.class_names:
            found.append(("class names count", len(meta["spec"]["class_names"]), len(spec.class_names)))
        found.append(("split names", sorted(meta["counts"]), sorted(s.value for s in STORED_SPLITS)))
    return [f"{file}: {key} is {value!r}, the registered spec of {spec.id} says {expected!r} ({advice})"
            for key, value, expected in found if value != expected]


def size_problem(path: Path, filename: str, meta: dict[str, Any]) -> str | None:
    """Whether a store file is missing or has another size than meta.json records (truncated)."""
    file, name = path / filename, path.name
    expected = meta["files"].get(filename, {}).get("bytes")
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        return (f"{file} is missing; prepare the dataset again with "
                f"`nevisbench datasets prepare {name} --force`")
    if expected is not None and size != expected:
        return (f"{file} has {size} bytes, meta.json records {expected} (truncated or "
                f"edited); prepare again with `nevisbench datasets prepare {name} --force`")
    return None


def header_problem(path: Path, split: str, filename: str, meta: dict[str, Any]) -> str | None:
    """Whether a store array's ``.npy`` header disagrees with meta.json (count, shape, dtype).

    Only the header is read (the array is memory-mapped, not loaded).
    """
    file, name = path / filename, path.name
    try:
        array = np.load(file, mmap_mode="r", allow_pickle=False)
    except NPY_ERRORS as error:
        return (f"{file} is unreadable: not a valid .npy file ({type(error).__name__}: {error}); "
                f"{prepare_again(name)}")
    shape, dtype = tuple(array.shape), array.dtype
    del array
    count, num_classes = meta["counts"][split], meta["task"]["num_classes"]
    if filename.endswith("_images.npy"):
        expected, expected_dtype = (count, *meta["image_shape"]), np.dtype(np.uint8)
    elif meta["task"]["kind"] == TaskKind.SINGLE_LABEL.value:
        expected, expected_dtype = (count,), np.dtype(np.int64)
    else:
        expected, expected_dtype = (count, num_classes), np.dtype(np.uint8)
    if shape != expected or dtype != expected_dtype:
        return (f"{file} holds a {dtype} array of shape {shape}, meta.json says {expected_dtype} "
                f"{expected} (counts.{split}={count}); {prepare_again(name)}")
    return None


def label_problem(file: Path, labels: np.ndarray, kind: TaskKind, num_classes: int) -> str | None:
    """Whether stored labels fall outside the classes: ``0..num_classes-1``, or multi-hot 0/1."""
    if len(labels) == 0:
        return None
    name = file.parent.name
    if kind is TaskKind.SINGLE_LABEL:
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            return (f"{file} holds label {bad}, outside 0..{num_classes - 1} (num_classes={num_classes} "
                    f"in meta.json); {prepare_again(name)}")
    elif labels.ndim != 2 or labels.shape[1] != num_classes or int(labels.max()) > 1:
        return (f"{file} is not multi-hot over {num_classes} labels (shape {labels.shape}, largest "
                f"value {int(labels.max())}); {prepare_again(name)}")
    return None
