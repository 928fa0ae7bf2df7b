"""Every registered dataset: fixture (real raw layout) → convert → store → read back."""

from __future__ import annotations

import sys
from pathlib import Path

import handler_fixtures
import numpy as np
import pytest
from handler_fixtures import optional_tools

from nevisbench.data.extract import MissingToolError
from nevisbench.data.prepare import unpack_artefacts
from nevisbench.data.spec import get_dataset, list_datasets
from nevisbench.data.store import open_dataset, verify_dataset, write_dataset
from nevisbench.values import STORED_SPLITS, Split, TaskKind


@pytest.mark.parametrize("name", list_datasets())
def test_fixture_converts_and_reads_back(name: str, tmp_path: Path, home: Path) -> None:
    spec = get_dataset(name)
    raw = tmp_path / "raw"
    with optional_tools():  # RAR and .Z sources need optional extras
        spec.make_fixture(raw)
        unpack_artefacts(spec, raw)
        stored = write_dataset(spec, spec.convert(raw), home / "datasets" / name)
    assert stored.task == spec.task_key
    assert open_dataset(name).meta["spec"]["id"] == name
    assert verify_dataset(name) == []
    total = 0
    for split in STORED_SPLITS:
        data = stored.split(split)
        assert data.images.dtype == np.uint8
        assert data.images.ndim == 4 and data.images.shape[3] == spec.channels
        assert len(data.images) == len(data.labels) == stored.num_examples(split)
        assert len(data) > 0, f"the fixture of {name} leaves split {split.value} empty"
        if spec.kind is TaskKind.SINGLE_LABEL:
            assert data.labels.dtype == np.int64
            assert data.labels.min() >= 0 and data.labels.max() < spec.num_classes
        else:
            assert data.labels.dtype == np.uint8
            assert data.labels.shape == (len(data), spec.num_classes)
        total += len(data)
    both = stored.split(Split.TRAIN_AND_DEV)
    assert len(both) == len(stored.split(Split.TRAIN)) + len(stored.split(Split.DEV))
    assert sum(stored.meta["corrupt_images"][s.value]["count"] for s in STORED_SPLITS) == 0
    assert total > 0


@pytest.mark.parametrize("rar_missing", [True, False])
def test_a_missing_rar_reader_skips_with_the_install_hint(
    rar_missing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a bare machine: no rarfile package. The contract test then skips a RAR dataset, saying
    # what to install; where every optional tool is present, the same error is a failure.
    monkeypatch.setitem(sys.modules, "rarfile", None)
    monkeypatch.setattr(handler_fixtures, "RAR_MISSING", "no rarfile" if rar_missing else None)
    monkeypatch.setattr(handler_fixtures, "LZW_MISSING", None)
    spec = get_dataset("tid2008")
    spec.make_fixture(tmp_path)
    expected = pytest.skip.Exception if rar_missing else MissingToolError
    hint = r"pip install 'nevisbench\[rar\]'.*apt-get install unar"
    with pytest.raises(expected, match=hint), optional_tools():
        unpack_artefacts(spec, tmp_path)


@pytest.mark.parametrize("name", list_datasets())
def test_spec_is_complete(name: str) -> None:
    spec = get_dataset(name)
    assert spec.title and spec.homepage and spec.paper_title and spec.paper_url
    assert spec.artefacts, f"{name} names no raw files"
    assert spec.split_rule, f"{name} does not say how its splits are made"
    assert len(spec.class_names) == spec.num_classes


def test_docs_datasets_md_is_generated_from_the_specs() -> None:
    from nevisbench.reporting.catalog import render_markdown

    path = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"
    assert path.read_text() == render_markdown(), (
        "docs/datasets.md is out of date: run `nevisbench datasets doc -o docs/datasets.md`"
    )


def test_every_reference_full_stream_row_has_a_handler() -> None:
    from nevisbench.streams.table import reference_rows

    rows = reference_rows("full")
    assert len(rows) == 106
    assert sorted({row.dataset for row in rows} - set(list_datasets())) == []
