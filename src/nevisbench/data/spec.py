"""What a dataset is: its spec (provenance, classes, artefacts), its converter and its fixture writer."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nevisbench.registry import Registry
from nevisbench.values import TaskKey, TaskKind

ImageSource = Any
"""An example's image: an ``H×W[×C]`` uint8 array, a PIL image, encoded bytes, a file path, or a
``Crop`` of one of those.

Encoded bytes, paths and crops are decoded by the store, which counts and skips the ones that fail."""


@dataclasses.dataclass(frozen=True)
class Crop:
    """A rectangle of an image, cut by the store after decoding (so a corrupt file is counted, not fatal).

    Attributes:
        source: the image (any other ``ImageSource``).
        box: ``(left, top, right, bottom)`` in pixels, right and bottom exclusive; clipped to the
            image. A box with no pixels inside the image makes the example count as corrupt.
    """

    source: Any
    box: tuple[int, int, int, int]


@dataclasses.dataclass(frozen=True)
class Example:
    """One labelled image as a handler yields it.

    Attributes:
        image: see ``ImageSource``.
        label: the class index (single-label) or the positive class indices (multi-label).
        name: where the image came from (a member path), used when reporting a corrupt image.
    """

    image: ImageSource
    label: int | Sequence[int]
    name: str = ""


ArtefactKind = Literal["url", "kaggle_dataset", "kaggle_competition", "gdrive", "manual", "package"]


@dataclasses.dataclass(frozen=True)
class Artefact:
    """One raw file a dataset is converted from.

    Attributes:
        filename: the name the file has in the dataset's raw directory.
        kind: where it comes from: ``url`` (HTTP(S), with ``mirrors``), ``kaggle_dataset`` /
            ``kaggle_competition`` (``source`` = the Kaggle name), ``gdrive`` (``source`` = file id),
            ``manual`` (the user places it; ``instructions`` say how), or ``package`` (``source`` =
            ``distribution:path/inside/package``, a file an installed package ships).
        source: the URL, Kaggle name, Drive id or package path.
        md5: the known MD5 (or every known version's, e.g. an official file and a distribution's
            recompressed copy); verified before the file is used.
        sha256: a stronger checksum, when known.
        mirrors: further URLs tried in order after ``source``.
        instructions: for manual artefacts, how to get the file.
        local_paths: places on this machine where the file may already be (e.g. a Debian package).
        extract: unpack the file (safely, once) into ``extracted_dir(raw_dir, filename)`` before
            ``convert`` runs, for converters that read a directory tree rather than the archive.
    """

    filename: str
    kind: ArtefactKind
    source: str
    md5: str | tuple[str, ...] | None = None
    sha256: str | None = None
    mirrors: tuple[str, ...] = ()
    instructions: str = ""
    local_paths: tuple[str, ...] = ()
    extract: bool = False


def extracted_dir(raw_dir: Path, filename: str) -> Path:
    """Where an artefact with ``extract=True`` is unpacked: ``<raw_dir>/extracted/<filename>``."""
    return Path(raw_dir) / "extracted" / filename


ConvertResult = Mapping[str, Iterable[Example]]
"""A converter's output: for each stored split name (train, dev, dev_test, test), its examples."""


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """A dataset of the catalogue.

    Attributes:
        id: the snake_case id (the stream tables refer to it).
        title: display title.
        num_classes: number of classes (labels); for multi-label, number of labels.
        kind: single- or multi-label.
        channels: 1 (grey) or 3 (RGB); every stored image is converted to this.
        class_names: one name per class, in label order.
        homepage: the dataset's web page.
        paper_title: the paper that introduced it.
        paper_url: where to read the paper.
        license: the license or terms of use the source states, when known.
        artefacts: the raw files ``convert`` reads.
        convert: ``convert(raw_dir) -> {split: examples}``; reads files, never writes any.
        make_fixture: ``make_fixture(raw_dir)`` writes a tiny fake of the real raw layout.
        split_rule: how the splits are made, in words (shown by ``datasets info``).
        version: bump when ``convert`` changes what it produces; recorded in the store.
        notes: decisions that depart from or settle the reference for this dataset (its quirks,
            dropped files, label fixes); shown by ``datasets info`` and in docs/datasets.md.
    """

    id: str
    title: str
    num_classes: int
    kind: TaskKind
    channels: int
    class_names: tuple[str, ...]
    homepage: str
    paper_title: str
    paper_url: str
    artefacts: tuple[Artefact, ...]
    convert: Callable[[Path], ConvertResult]
    make_fixture: Callable[[Path], None]
    license: str = "unknown: see the homepage"
    split_rule: str = ""
    version: int = 1
    notes: str = ""

    def __post_init__(self) -> None:
        if self.channels not in (1, 3):
            raise ValueError(f"dataset {self.id}: channels must be 1 or 3, not {self.channels}")
        if self.class_names and len(self.class_names) != self.num_classes:
            raise ValueError(
                f"dataset {self.id}: {len(self.class_names)} class names for {self.num_classes} classes"
            )

    @property
    def task_key(self) -> TaskKey:
        return TaskKey(self.id, self.kind, self.num_classes)

    def describe(self) -> dict[str, Any]:
        """The JSON-able part of the spec (everything but the functions)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            if field.name in ("convert", "make_fixture"):
                continue
            value = getattr(self, field.name)
            if field.name == "artefacts":
                value = [dataclasses.asdict(a) for a in value]
            elif field.name == "kind":
                value = value.value
            elif isinstance(value, tuple):
                value = list(value)
            out[field.name] = value
        return out


_DATASETS: Registry[DatasetSpec] = Registry("dataset")
_handlers_loaded = False


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Adds ``spec`` to the catalogue; handler modules call this at import."""
    return _DATASETS.register(spec.id, spec)


def _load_handlers() -> None:
    # Handlers register themselves on import; import them all once, on first use, so that
    # `import nevisbench` stays cheap.
    global _handlers_loaded
    if _handlers_loaded:
        return
    _handlers_loaded = True
    from nevisbench.data import handlers

    for info in pkgutil.iter_modules(handlers.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{handlers.__name__}.{info.name}")


def list_datasets(pattern: str = "*") -> list[str]:
    """Ids of the registered datasets that match the fnmatch ``pattern``."""
    _load_handlers()
    return _DATASETS.names(pattern)


def get_dataset(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; an unknown name raises KeyError with close matches."""
    _load_handlers()
    return _DATASETS.get(name)


def as_label_array(labels: Sequence[int | Sequence[int]], kind: TaskKind, num_classes: int) -> np.ndarray:
    """Stored label array: int64 ``N`` (single-label) or multi-hot uint8 ``N×K`` (multi-label)."""
    if kind is TaskKind.SINGLE_LABEL:
        return np.asarray(labels, dtype=np.int64).reshape(len(labels))
    out = np.zeros((len(labels), num_classes), dtype=np.uint8)
    for row, positives in enumerate(labels):
        out[row, list(positives)] = 1
    return out
