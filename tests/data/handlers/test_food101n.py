"""Food-101N (verified subset): data/handlers/food101n.py on fixtures in the real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

from handler_fixtures import example_names, prepared_and_converted

from nevisbench.data.handlers import food101, food101n
from nevisbench.data.spec import extracted_dir
from nevisbench.data.splits import FRACTIONS_TRAIN, random_split


def test_food101n_lists_drop_header_and_last_piece() -> None:
    data = b"class_name/key\tverification_label\npizza/a.jpg\t1\nsushi/b.jpg\t0\n"
    assert food101n.listed(data) == {"pizza/a.jpg", "sushi/b.jpg"}
    # Without a final newline the last row is the dropped piece, as in the reference.
    assert food101n.listed(data.rstrip(b"\n")) == {"pizza/a.jpg"}


def test_food101n_uses_unverified_rows_and_zip_order(tmp_path: Path) -> None:
    raw, out = prepared_and_converted(food101n, tmp_path / "raw")
    root = extracted_dir(raw, food101n._FILE)
    train = food101n.listed((root / food101n._TRAIN_TSV).read_bytes())
    rows = (root / food101n._TRAIN_TSV).read_text().splitlines()[1:]
    assert {r.split("\t")[1] for r in rows} == {"0", "1"}
    pool = example_names(out["train"]) + example_names(out["dev"]) + example_names(out["dev_test"])
    assert {n.split("/", 2)[2] for n in pool} == train
    with zipfile.ZipFile(raw / food101n._FILE) as archive:
        order = [n for n in archive.namelist() if n.split("/", 2)[-1] in train]
    drawn = random_split(order, FRACTIONS_TRAIN)
    for split in ("train", "dev", "dev_test"):
        assert example_names(out[split]) == drawn[split]
    assert all(food101.CLASS_NAMES[e.label] == e.name.split("/")[2] for e in out["test"])
