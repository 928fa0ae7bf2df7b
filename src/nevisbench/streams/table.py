"""The stream tables: the reference variants (from reference_streams.json), their ablations, and ours.

Display names of the reference map to our dataset ids in ``dataset_id_for`` and nowhere else.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from importlib import resources

import numpy as np

from nevisbench.registry import Registry

# Years >= this are held out by default (the reference's DEFAULT_NEVIS_STOP_YEAR; exclusive).
DEFAULT_STOP_YEAR = 2020
# A stop year before which every row lies: "every year", held-out ones included (a stop year of None
# always means the stream's own default, in a config and in build_stream alike).
ALL_YEARS = 10_000

# TFDS names whose id is not already snake_case; every other source id is kept as our id.
_RENAMED_SOURCES = {"voc/2007": "voc2007", "voc/2012": "voc2012", "emnist/balanced": "emnist_balanced"}


@dataclasses.dataclass(frozen=True)
class StreamRow:
    """One task of a stream: a dataset placed at the year of the paper that used it."""

    year: int
    dataset: str


@dataclasses.dataclass(frozen=True)
class StreamSpec:
    """A named stream.

    Attributes:
        name: the stream id.
        title: one line shown by ``streams list``.
        rows: the ordered rows over all years.
        stop_year: default exclusive stop year (None: every row).
    """

    name: str
    title: str
    rows: tuple[StreamRow, ...]
    stop_year: int | None = DEFAULT_STOP_YEAR

    def rows_before(self, stop_year: int | None) -> tuple[StreamRow, ...]:
        """The rows whose year is before ``stop_year`` (all rows for None)."""
        if stop_year is None:
            return self.rows
        return tuple(row for row in self.rows if row.year < stop_year)


@cache
def _reference() -> dict:
    text = resources.files("nevisbench.streams").joinpath("reference_streams.json").read_text()
    return json.loads(text)


def dataset_id_for(display_name: str) -> str:
    """Our dataset id for a reference display name (e.g. 'Pascal 2007' → 'voc2007')."""
    source = _reference()["display_name_to_source"][display_name]["id"]
    return _RENAMED_SOURCES.get(source, source)


def reference_rows(variant: str) -> tuple[StreamRow, ...]:
    """The rows of a reference variant (full, short, tiny, debug, imagenet_only, ...)."""
    return tuple(StreamRow(year, dataset_id_for(name)) for year, name in _reference()["streams"][variant])


# --------------------------------------------------------------------------------- ablation filters
# The reference's AblationStream variants (nevis_reference.md §1.3), as functions of rows. The
# meta-train stop year splits the rows the filter may touch from the held-out ones, which are kept.


def remove_first(rows: tuple[StreamRow, ...], count: int, meta_train_stop_year: int = DEFAULT_STOP_YEAR):
    """Drops the first ``count`` rows before ``meta_train_stop_year``."""
    early = [r for r in rows if r.year < meta_train_stop_year]
    late = [r for r in rows if r.year >= meta_train_stop_year]
    return tuple(early[count:] + late)


def remove_last(rows: tuple[StreamRow, ...], count: int, meta_train_stop_year: int = DEFAULT_STOP_YEAR):
    """Drops the last ``count`` rows before ``meta_train_stop_year``."""
    early = [r for r in rows if r.year < meta_train_stop_year]
    late = [r for r in rows if r.year >= meta_train_stop_year]
    return tuple(early[: max(0, len(early) - count)] + late)


def without_dataset(rows: tuple[StreamRow, ...], dataset: str, meta_train_stop_year: int = DEFAULT_STOP_YEAR):
    """Drops ``dataset`` from the rows before ``meta_train_stop_year`` (the reference's NO_IMAGENET)."""
    return tuple(r for r in rows if not (r.dataset == dataset and r.year < meta_train_stop_year))


def random_subset(
    rows: tuple[StreamRow, ...], count: int, seed: int = 0, meta_train_stop_year: int = DEFAULT_STOP_YEAR
) -> tuple[StreamRow, ...]:
    """The reference's RANDOM_DATASET ablation: every held-out row plus random earlier rows, in the
    original order, ``count`` rows in all (``numpy.random.default_rng(seed)`` shuffle)."""
    held_out = [r for r in rows if r.year >= meta_train_stop_year]
    early = [r for r in rows if r.year < meta_train_stop_year]
    if count <= len(held_out):
        raise ValueError(f"a random subset needs more than the {len(held_out)} held-out rows, got {count}")
    order = list(range(len(early)))
    np.random.default_rng(seed).shuffle(order)
    keep = set(order[: count - len(held_out)])
    return tuple([r for i, r in enumerate(early) if i in keep] + held_out)


# --------------------------------------------------------------------------------------- registry

_STREAMS: Registry[StreamSpec] = Registry("stream")
_loaded = False


def register_stream(spec: StreamSpec) -> StreamSpec:
    return _STREAMS.register(spec.name, spec)


# The offline demo: real data that `pip install` brings, in the years of the papers that used it.
DEMO_ROWS = (
    StreamRow(1998, "uci_digits"),
    StreamRow(1998, "mnist_5k"),
    StreamRow(2007, "lfw_faces"),
    StreamRow(2008, "skimage_textures"),
    # Repeated, as the reference stream repeats datasets (MNIST 2004 and 2015, ...).
    StreamRow(2010, "uci_digits"),
)


def _register_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    titles = {
        "full": "NEVIS'22: 106 tasks 1992-2021 (92 before the held-out years 2020-2021)",
        "short": "NEVIS'22 short: 29 tasks, mostly well-known datasets",
        "tiny": "NEVIS'22 tiny: 7 tasks",
        "debug": "NEVIS'22 debug: 2 tasks",
        "imagenet_only": "ImageNet alone (pretraining)",
        "major_domain_only": "NEVIS'22 without satellite, face, texture, shape, OCR, quality, medical",
        "large_dataset_only": "NEVIS'22 without datasets under 10,000 images",
    }
    for variant, title in titles.items():
        register_stream(StreamSpec(variant, title, reference_rows(variant)))
    full = reference_rows("full")
    # The ablations run every year (the reference's stop_year=2022); their filters only touch
    # the rows before 2020.
    register_stream(StreamSpec("full_remove_first_30", "Ablation: full without its first 30 tasks",
                               remove_first(full, 30), stop_year=None))
    register_stream(StreamSpec("full_remove_last_30", "Ablation: full without its last 30 tasks before 2020",
                               remove_last(full, 30), stop_year=None))
    register_stream(StreamSpec("full_no_imagenet", "Ablation: full without ImageNet before 2020",
                               without_dataset(full, "imagenet2012"), stop_year=None))
    register_stream(StreamSpec("demo", "Offline demo: UCI digits, MNIST 5k, LFW faces, textures (pip data)",
                               DEMO_ROWS))
    register_stream(StreamSpec("offline", "Offline: the demo stream plus Fashion-MNIST (2019)",
                               (*DEMO_ROWS, StreamRow(2019, "fashion_mnist"))))


def list_streams(pattern: str = "*") -> list[str]:
    _register_builtin()
    return _STREAMS.names(pattern)


def get_stream(name: str) -> StreamSpec:
    """The stream ``name``; an unknown name raises KeyError with close matches."""
    _register_builtin()
    return _STREAMS.get(name)
