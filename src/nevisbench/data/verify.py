"""Verifying a converted store: meta.json against the spec, every file against meta.json, every label."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.home import DataHome
from nevisbench.data.meta import (
    NPY_ERRORS,
    StoreError,
    file_sha256,
    header_problem,
    label_problem,
    read_meta,
    registered_spec,
    spec_problems,
    store_files,
)
from nevisbench.values import STORED_SPLITS, TaskKind


def verify_dataset(name: str, home: DataHome | Path | None = None) -> list[str]:
    """Rechecks the store of ``name``; returns the problems found (none = ok).

    Checked: meta.json's keys and types; against the registered spec its num_classes, kind,
    channels, class names count and split names; every file's size and SHA-256 against meta.json;
    every array's header (count, shape, dtype) against the counts; every label within the classes.
    """
    path = DataHome.of(home).dataset_dir(name)
    if not (path / "READY").exists():
        return [f"{path} is not a complete converted dataset (no READY file); "
                f"run `nevisbench datasets prepare {name}`"]
    try:
        meta = read_meta(path)
    except StoreError as error:
        return [str(error)]  # nothing further can be trusted
    problems = []
    if meta["spec"]["id"] != name:
        problems.append(f"{path / 'meta.json'}: the store of {name} says it holds {meta['spec']['id']!r}; "
                        f"prepare it again with `nevisbench datasets prepare {name} --force`")
    spec = registered_spec(name)
    if spec is not None:
        problems += spec_problems(path, meta, spec, full=True)
    intact = set()
    for filename, record in sorted(meta["files"].items()):
        file = path / filename
        if not file.exists():
            problems.append(f"{file}: missing")
        elif file.stat().st_size != record["bytes"]:
            problems.append(f"{file}: {file.stat().st_size} bytes, expected {record['bytes']} (truncated?)")
        else:
            intact.add(filename)  # its header can be read, even if its content was edited
            if file_sha256(file) != record["sha256"]:
                problems.append(f"{file}: content differs from meta.json (edited or corrupted)")
    kind, num_classes = TaskKind(meta["task"]["kind"]), meta["task"]["num_classes"]
    for split in STORED_SPLITS:
        for filename in store_files(split.value):
            if filename not in meta["files"]:
                problems.append(f"{path / filename}: not recorded in meta.json; prepare it again with "
                                f"`nevisbench datasets prepare {name} --force`")
                continue
            if filename not in intact:
                continue
            problem = header_problem(path, split.value, filename, meta)
            if problem is None and filename.endswith("_labels.npy"):
                try:
                    labels = np.load(path / filename, allow_pickle=False)
                except NPY_ERRORS as error:  # a header can parse while the data cannot
                    problem = f"{path / filename} is unreadable ({error})"
                else:
                    problem = label_problem(path / filename, labels, kind, num_classes)
            if problem:
                problems.append(problem)
    return problems
