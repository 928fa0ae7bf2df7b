"""AnimalWeb (species of animal faces): data/handlers/animal_web.py on fixtures in the real raw
layout; its de-duplication before the split is tested in test__dedup.py."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, needs_rar, prepared_and_converted

from nevisbench.data.handlers import animal_web


@needs_rar
def test_animal_web_labels_by_file_name_prefix(tmp_path: Path) -> None:
    _, out = prepared_and_converted(animal_web, tmp_path / "raw")
    for split in SPLITS:
        for example in out[split]:
            assert animal_web.CLASS_NAMES[example.label] == Path(example.name).name.split("_")[0]
    assert animal_web.label_name("bighornsheep_12.jpg") == "bighornsheep"
