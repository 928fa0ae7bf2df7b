"""Datasets: specs and registry, downloads, conversion into the store, splits and batches."""

from __future__ import annotations

from nevisbench.data.spec import (
    Artefact,
    DatasetSpec,
    Example,
    get_dataset,
    list_datasets,
    register_dataset,
)

__all__ = ["Artefact", "DatasetSpec", "Example", "get_dataset", "list_datasets", "register_dataset"]
