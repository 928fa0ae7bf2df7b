"""TID2008 / TID2013: distorted images classed into five equal-count buckets of their MSSIM score."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_rar
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

NUM_SUBJECTS = 25
NUM_BUCKETS = 5
CLASS_NAMES = tuple(f"mssim_quintile_{k}" for k in range(1, NUM_BUCKETS + 1))
"""Bucket 0 holds the fifth of the images with the lowest MSSIM (the most distorted), bucket 4 the
highest."""

# (distortion types, distortion levels, score file name) per edition, as the reference reads them.
EDITIONS: dict[int, tuple[int, int, str]] = {
    2008: (17, 4, "MSSIM.TXT"),
    2013: (24, 5, "MSSIM.txt"),
}


def image_names(year: int) -> list[str]:
    """The distorted images in the order of the score file: subject, then type, then level."""
    types, levels, _ = EDITIONS[year]
    return [
        f"i{subject:02d}_{kind:02d}_{level}.bmp"
        for subject in range(1, NUM_SUBJECTS + 1)
        for kind in range(1, types + 1)
        for level in range(1, levels + 1)
    ]


def bucket_labels(scores: Sequence[float], num_buckets: int = NUM_BUCKETS) -> list[int]:
    """Each score's bucket: the sorted scores are cut into ``num_buckets`` runs of ``N // num_buckets``;
    a score belongs to the first run holding its value (so ties never straddle two classes)."""
    ordered = sorted(scores)
    per_bucket = len(ordered) // num_buckets
    labels = []
    for score in scores:
        first = bisect.bisect_left(ordered, score)
        if first >= per_bucket * num_buckets:
            # Only reachable when N is not a multiple of num_buckets (never for TID: 1700, 3000).
            raise ValueError(f"score {score} falls beyond the last bucket")
        labels.append(first // per_bucket)
    return labels


def _find(root: Path, name: str, dataset: str, artefact: str) -> Path:
    # The reference unpacks with `unrar e` (no folders), so the file may sit in any folder.
    found = sorted(p for p in root.rglob(name) if p.is_file())
    if not found:
        raise layout_error(dataset, artefact, f"score file {name}")
    return found[0]


def convert(raw_dir: Path, year: int) -> dict[str, list[Example]]:
    dataset, artefact = f"tid{year}", f"tid{year}.rar"
    root = extracted_dir(raw_dir, artefact)
    names = image_names(year)
    lines = list(iter_lines(_find(root, EDITIONS[year][2], dataset, artefact).read_bytes()))
    if len(lines) < len(names):
        raise layout_error(
            dataset, artefact, f"{len(names)} scores in {EDITIONS[year][2]} (found {len(lines)})"
        )
    # The reference reads one score per distorted image in this fixed order and ignores any rest.
    scores = [float(line.split()[0]) for line in lines[: len(names)]]
    label_of = dict(zip(names, bucket_labels(scores), strict=True))
    # Distorted images only (reference images I01.BMP… have no score); names compared in lower
    # case as the reference does (TID2013 spells some in capitals). The reference lists one flat
    # folder in file-system order; we take the file names in sorted order.
    chosen: dict[str, Path] = {}
    for path in list_files(root, (".bmp",)):
        key = path.name.lower()
        if key in label_of and key not in chosen:
            chosen[key] = path
    if not chosen:
        raise layout_error(dataset, artefact, "distorted images i01_01_1.bmp …")
    examples = [
        Example(chosen[key], label_of[key], chosen[key].relative_to(root).as_posix())
        for key in sorted(chosen)
    ]
    return random_split(examples, FRACTIONS_ALL_DATA)


# ---------------------------------------------------------------------------------------- fixture


def fixture_scores(year: int) -> list[float]:
    """Distinct scores whose ranks are scattered over the images (so every bucket gets images)."""
    count = len(image_names(year))
    return [0.5 + 0.4 * ((k * 7919) % count) / count for k in range(count)]


def make_fixture(raw_dir: Path, year: int) -> None:
    names = image_names(year)
    scores = fixture_scores(year)
    members = {
        # The score file lists every distorted image; only the first 40 images exist here.
        f"metrics_values/{EDITIONS[year][2]}": "".join(f"{s:.6f}\n" for s in scores).encode(),
        "reference_images/I01.BMP": encode_image(fixture_image(0, 8, 8), "BMP"),
    }
    for k, name in enumerate(names[:40]):
        # TID2013 spells some file names in capitals; the reference lower-cases them.
        shown = name.upper() if k % 9 == 4 else name
        members[f"distorted_images/{shown}"] = encode_image(fixture_image(k + 1, 8, 8), "BMP")
    write_rar(raw_dir / f"tid{year}.rar", members)


def build_spec(year: int, md5: str, homepage: str, paper_title: str, paper_url: str) -> DatasetSpec:
    types, levels, score_file = EDITIONS[year]
    count = NUM_SUBJECTS * types * levels
    return register_dataset(
        DatasetSpec(
            id=f"tid{year}",
            title=f"TID{year} (image quality, MSSIM buckets)",
            num_classes=NUM_BUCKETS,
            kind=TaskKind.SINGLE_LABEL,
            channels=3,
            class_names=CLASS_NAMES,
            homepage=homepage,
            paper_title=paper_title,
            paper_url=paper_url,
            license="unknown: see the homepage (free for research use)",
            artefacts=(
                Artefact(
                    f"tid{year}.rar",
                    "url",
                    f"https://ponomarenko.info/{'tid' if year == 2008 else 'tid2013'}/tid{year}.rar",
                    md5=md5,
                    extract=True,
                ),
            ),
            convert=lambda raw_dir: convert(raw_dir, year),
            make_fixture=lambda raw_dir: make_fixture(raw_dir, year),
            split_rule="reference R4: each distorted image drawn train .56 / dev .12 / dev_test "
            ".12 / test .20 (RandomState(0)) in sorted lower-case file-name order",
            notes=f"Label = quality bucket: the {count} scores of {score_file} (one per distorted "
            f"image, subject × {types} distortion types × {levels} levels) sorted and cut into 5 "
            f"runs of {count // 5}; an image's class is the first run holding its score, as the "
            "reference does. The 25 reference (undistorted) images are not used. The reference "
            "draws splits in the order a flat folder lists (file-system order, unspecified); we "
            "use sorted file names, so split membership may differ from the paper's. Unpacking "
            "needs rarfile and a RAR tool (unar, bsdtar or unrar).",
        )
    )
