"""Wikipaintings: art style (WikiArt, ArtGAN split): data/handlers/wiki_paintings_style.py on
fixtures in the real raw layout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from handler_fixtures import materialise, prepared, rewrite_zip

from nevisbench.data.handlers import wiki_paintings_style
from nevisbench.data.handlers._fixtures import write_zip
from nevisbench.data.handlers._layout import LayoutError
from nevisbench.data.spec import get_dataset
from nevisbench.data.store import write_dataset


def test_wiki_csv_loses_its_first_row_like_pandas() -> None:
    data = b"Impressionism/a.jpg,12\nBaroque/b.jpg,4\n\nUkiyo_e/c.jpg,26\n"
    assert wiki_paintings_style.parse_csv(data, "style_train.csv") == [
        ("wikiart/Baroque/b.jpg", 4),
        ("wikiart/Ukiyo_e/c.jpg", 26),
    ]
    with pytest.raises(LayoutError, match="style_val.csv"):
        wiki_paintings_style.parse_csv(b"x.jpg,1\ny.jpg,27\n", "style_val.csv")


def test_wiki_splits_and_missing_image_counted(tmp_path: Path, home: Path) -> None:
    spec = get_dataset("wiki_paintings_style")
    raw = prepared("wiki_paintings_style", tmp_path / "raw")
    splits = materialise(spec.convert(raw))
    # 24 training rows and 6 validation rows, less each file's first (header) row.
    assert len(splits["test"]) == 5
    assert sum(len(splits[s]) for s in ("train", "dev", "dev_test")) == 23
    names = [e.name for e in splits["test"]]
    assert "wikiart/Abstract_Expressionism/artist-0_painting-4.jpg" not in names
    assert "wikiart/Art_Nouveau_Modern/artist-1_painting-4.jpg" in names
    # A listed painting missing from the zip is counted as corrupt, not fatal.
    gone = splits["train"][0].name
    rewrite_zip(raw / wiki_paintings_style.IMAGES, {gone: None})
    stored = write_dataset(spec, spec.convert(raw), home / "datasets" / spec.id)
    corrupt = stored.meta["corrupt_images"]["train"]
    assert corrupt["count"] == 1 and corrupt["names"][0].startswith(gone)


def test_wiki_missing_csv_is_named(tmp_path: Path) -> None:
    raw = prepared("wiki_paintings_style", tmp_path / "raw")
    path = raw / wiki_paintings_style.CSVS
    with zipfile.ZipFile(path) as archive:
        keep = {"style_train.csv": archive.read("style_train.csv")}
    path.unlink()
    write_zip(path, keep)
    with pytest.raises(LayoutError, match="style_val.csv"):
        wiki_paintings_style.convert(raw)
