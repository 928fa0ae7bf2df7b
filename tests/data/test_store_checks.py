"""A damaged or hand-edited store fails when opened or read, with StoreError naming the file and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nevisbench.cli import main
from nevisbench.data.prepare import prepare_dataset
from nevisbench.data.spec import Artefact, DatasetSpec, Example
from nevisbench.data.store import StoreError, open_dataset, verify_dataset, write_dataset
from nevisbench.values import TaskKind

FIX = "nevisbench datasets prepare uci_digits --force"


@pytest.fixture
def digits(home: Path) -> Path:
    """uci_digits prepared in the test's home (a real registered dataset, converted in a second)."""
    prepare_dataset("uci_digits")
    return home / "datasets" / "uci_digits"


def _edit_meta(store: Path, edit) -> None:
    meta = json.loads((store / "meta.json").read_text())
    edit(meta)
    (store / "meta.json").write_text(json.dumps(meta, indent=2))


def _replace_array(store: Path, filename: str, array: np.ndarray) -> None:
    """Writes ``array`` over a store file, keeping meta.json's byte count true (only the content lies)."""
    np.save(store / filename, array)
    _edit_meta(store, lambda meta: meta["files"][filename].update(bytes=(store / filename).stat().st_size))


# ------------------------------------------------------------------------------------------- headers


def test_a_corrupt_npy_header_fails_at_open_naming_the_file(digits: Path) -> None:
    images = digits / "train_images.npy"
    data = bytearray(images.read_bytes())
    data[20:30] = b"(" * 10  # numpy's header parser then raises tokenize.TokenError
    images.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"train_images\.npy is unreadable: not a valid \.npy file") as caught:
        open_dataset("uci_digits")
    assert FIX in str(caught.value)
    assert any("train_images.npy" in problem for problem in verify_dataset("uci_digits"))


def test_an_array_with_another_count_than_meta_fails_at_open(digits: Path) -> None:
    labels = np.load(digits / "dev_labels.npy")
    _replace_array(digits, "dev_labels.npy", labels[:-1])
    with pytest.raises(StoreError, match=r"dev_labels\.npy holds a int64 array of shape \(216,\)") as caught:
        open_dataset("uci_digits")
    assert "counts.dev=217" in str(caught.value) and FIX in str(caught.value)


# ---------------------------------------------------------------------------------------- meta.json


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("counts", "has no key 'counts'"),
        ("files", "has no key 'files'"),
        ("task", "has no key 'task'"),
        ("task.num_classes", "has no key 'task.num_classes'"),
        ("resolution_policy.mode", "has no key 'resolution_policy.mode'"),
        ("format", "has no key 'format'"),
    ],
)
def test_a_missing_meta_key_names_the_file_the_key_and_the_fix(digits: Path, key: str, message: str) -> None:
    def drop(meta: dict) -> None:
        *parents, leaf = key.split(".")
        for parent in parents:
            meta = meta[parent]
        del meta[leaf]

    _edit_meta(digits, drop)
    with pytest.raises(StoreError, match=rf"meta\.json {message}") as caught:
        open_dataset("uci_digits")
    assert str(digits / "meta.json") in str(caught.value) and FIX in str(caught.value)
    assert message in verify_dataset("uci_digits")[0]


def test_a_missing_meta_key_is_one_clear_cli_error(digits: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_meta(digits, lambda meta: meta.pop("counts"))
    assert main(["datasets", "info", "uci_digits"]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "meta.json has no key 'counts'" in err and "--force" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["counts"].update(train="1000"), r"'counts\.train' is '1000', expected an integer"),
        (lambda m: m["task"].update(num_classes=3), r"'task\.num_classes' is 3 but 'spec\.num_classes' is 10"),
        (lambda m: m["task"].update(kind="many"), r"'task\.kind' is 'many', expected one of"),
        (lambda m: m.update(image_shape=[8, 8]), r"'image_shape' is \[8, 8\]"),
        (lambda m: m.update(format=2), r"has store format 2"),
    ],
)
def test_mistyped_or_contradictory_meta_fails_at_open(digits: Path, edit, message: str) -> None:
    _edit_meta(digits, edit)
    with pytest.raises(StoreError, match=message) as caught:
        open_dataset("uci_digits")
    assert str(digits) in str(caught.value) and "--force" in str(caught.value)


def test_num_classes_edited_by_hand_fails_at_open_and_in_verify(digits: Path) -> None:
    # The case: num_classes 3 where the spec says 10, edited consistently in both places.
    assert verify_dataset("uci_digits") == []
    _edit_meta(digits, lambda meta: (meta["task"].update(num_classes=3), meta["spec"].update(num_classes=3)))
    with pytest.raises(StoreError, match=r"meta\.json: num_classes is 3, the registered spec of uci_digits "
                                         r"says 10") as caught:
        open_dataset("uci_digits")
    assert FIX in str(caught.value)
    problems = verify_dataset("uci_digits")
    assert any("meta.json: num_classes is 3" in p for p in problems)
    # Its labels (0..9) are now out of range too, and verify says which file holds them.
    assert any("train_labels.npy holds label 9, outside 0..2" in p for p in problems)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["spec"].update(channels=3), r"meta\.json: channels is 3, the registered spec .* says 1"),
        (lambda m: m["spec"]["class_names"].pop(), r"meta\.json: class names count is 9, .* says 10"),
        (lambda m: m["counts"].update(extra=0), r"meta\.json: split names is \['dev', 'dev_test', 'extra'"),
        (lambda m: m["files"].pop("test_labels.npy"), r"test_labels\.npy: not recorded in meta\.json"),
    ],
)
def test_verify_checks_meta_against_the_registered_spec(digits: Path, edit, message: str) -> None:
    _edit_meta(digits, edit)
    problems = verify_dataset("uci_digits")
    assert len(problems) == 1 and re.search(message, problems[0]), problems


def test_a_store_from_an_older_converter_is_opened_and_reconverted(digits: Path) -> None:
    # A handler change bumps its version: its old store may disagree with the new spec, and prepare
    # must still open it to see that it needs converting again, not refuse it.
    _edit_meta(digits, lambda meta: (meta.update(converter_version=0), meta["task"].update(num_classes=3),
                                     meta["spec"].update(num_classes=3)))
    assert open_dataset("uci_digits").task.num_classes == 3
    assert any("converter version 0" in problem for problem in verify_dataset("uci_digits"))
    stored, converted = prepare_dataset("uci_digits")
    assert converted and stored.task.num_classes == 10


# ------------------------------------------------------------------------------------------- labels


@pytest.mark.parametrize("bad", [12, -1])
def test_labels_outside_the_classes_fail_when_the_split_is_read(digits: Path, bad: int) -> None:
    labels = np.load(digits / "train_labels.npy")
    labels[5] = bad
    _replace_array(digits, "train_labels.npy", labels)
    stored = open_dataset("uci_digits")  # cheap checks pass: the header is right
    with pytest.raises(StoreError, match=rf"train_labels\.npy holds label {bad}, outside 0\.\.9") as caught:
        stored.split("train")
    assert str(digits / "train_labels.npy") in str(caught.value) and FIX in str(caught.value)
    with pytest.raises(StoreError, match="train_labels.npy"):
        stored.split("train_and_dev")
    assert len(stored.split("dev")) == 217  # the other splits still read
    assert any("train_labels.npy holds label" in problem for problem in verify_dataset("uci_digits"))


def test_multi_hot_labels_must_be_zero_or_one(home: Path) -> None:
    spec = DatasetSpec(
        id="toy_multi", title="Toy", num_classes=4, kind=TaskKind.MULTI_LABEL, channels=3,
        class_names=("a", "b", "c", "d"), homepage="-", paper_title="-", paper_url="-",
        artefacts=(Artefact("x", "manual", "-"),), convert=lambda raw: {}, make_fixture=lambda raw: None,
    )
    image = np.zeros((4, 4, 3), np.uint8)
    splits = {s: [Example(image, [0, 2]), Example(image, [])] for s in ("train", "dev", "dev_test", "test")}
    store = home / "datasets" / "toy_multi"
    write_dataset(spec, splits, store)
    labels = np.load(store / "test_labels.npy")
    labels[1, 3] = 2
    _replace_array(store, "test_labels.npy", labels)
    with pytest.raises(StoreError, match=r"test_labels\.npy is not multi-hot over 4 labels .*largest value 2"):
        open_dataset("toy_multi").split("test")
    assert "not multi-hot" in verify_dataset("toy_multi")[-1]
