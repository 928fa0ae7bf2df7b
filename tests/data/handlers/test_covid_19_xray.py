"""COVID-19 Radiography Database: data/handlers/covid_19_xray.py on fixtures in the real raw layout;
its de-duplication before the split is tested in test__dedup.py."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers import covid_19_xray


def test_covid_later_layout_reads_images_and_skips_masks(tmp_path: Path) -> None:
    relative = Path("COVID-19_Radiography_Dataset/COVID/images/COVID-1.png")
    assert covid_19_xray._class_folder(relative) == "COVID"
    assert covid_19_xray._class_folder(Path("X/Normal/masks/Normal-1.png")) is None
    assert covid_19_xray._class_folder(Path("X/Viral Pneumonia/V-1.png")) == "Viral Pneumonia"
