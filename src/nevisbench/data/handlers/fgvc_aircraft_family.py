"""FGVC-Aircraft 2013b at the family level: 10,000 aircraft photos in 70 families (e.g. Boeing 737)."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines, tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import IMAGE_SUFFIXES, layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "fgvc_aircraft_family"
_FILE = "fgvc-aircraft-2013b.tar.gz"
_DATA = "fgvc-aircraft-2013b/data"

# families.txt, in file order (the label order).
CLASS_NAMES = (
    "A300", "A310", "A320", "A330", "A340", "A380", "ATR-42", "ATR-72", "An-12", "BAE 146", "BAE-125",
    "Beechcraft 1900", "Boeing 707", "Boeing 717", "Boeing 727", "Boeing 737", "Boeing 747",
    "Boeing 757", "Boeing 767", "Boeing 777", "C-130", "C-47", "CRJ-200", "CRJ-700", "Cessna 172",
    "Cessna 208", "Cessna Citation", "Challenger 600", "DC-10", "DC-3", "DC-6", "DC-8", "DC-9", "DH-82",
    "DHC-1", "DHC-6", "DR-400", "Dash 8", "Dornier 328", "EMB-120", "Embraer E-Jet", "Embraer ERJ 145",
    "Embraer Legacy 600", "Eurofighter Typhoon", "F-16", "F/A-18", "Falcon 2000", "Falcon 900",
    "Fokker 100", "Fokker 50", "Fokker 70", "Global Express", "Gulfstream", "Hawk T1", "Il-76",
    "King Air", "L-1011", "MD-11", "MD-80", "MD-90", "Metroliner", "PA-28", "SR-20", "Saab 2000",
    "Saab 340", "Spitfire", "Tornado", "Tu-134", "Tu-154", "Yak-42",
)  # fmt: skip

_LINE = re.compile(r"^(\d+) (.+)$")


def read_split(path: Path, root: Path) -> dict[int, int]:
    """``{image number: family label}`` from ``images_family_<split>.txt`` ("0034309 Boeing 707")."""
    require(path, DATASET, _FILE, root)
    out: dict[int, int] = {}
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    for line in iter_lines(path.read_bytes()):
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"dataset {DATASET}: {path.name}: cannot parse the line {line!r}")
        number, family = int(match.group(1)), match.group(2)
        if family not in index:
            raise layout_error(DATASET, _FILE, f"family {family!r} (of {path.name}) in the class list")
        # The reference takes the first line that names an image.
        out.setdefault(number, index[family])
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    data = require(root / _DATA, DATASET, _FILE, root)
    families = [line for line in iter_lines(require(data / "families.txt", DATASET, _FILE, root).read_bytes())]
    if tuple(families) != CLASS_NAMES:
        raise layout_error(DATASET, _FILE, "the 70 families of families.txt (the file lists others)")
    trainval = read_split(data / "images_family_trainval.txt", root)
    test = read_split(data / "images_family_test.txt", root)
    require(data / "images", DATASET, _FILE, root)
    pools: dict[str, list[Example]] = {"trainval": [], "test": []}
    # The reference reads the images in the order the tar stores them (its T3 draw goes by
    # position in that order), each numbered by its file name.
    for name in tar_names(raw_dir / _FILE, DATASET, as_extracted=True):
        folder, _, filename = name.rpartition("/")
        stem, dot, suffix = filename.rpartition(".")
        if folder != f"{_DATA}/images" or f"{dot}{suffix}".lower() not in IMAGE_SUFFIXES:
            continue
        try:
            number = int(stem)
        except ValueError:
            continue
        for pool, labels in (("trainval", trainval), ("test", test)):
            if number in labels:
                pools[pool].append(Example(root / name, labels[number], name))
    return official_train_split(pools["trainval"], pools["test"])


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, bytes] = {}
    members[f"{_DATA}/families.txt"] = "".join(f"{n}\n" for n in CLASS_NAMES).encode()
    trainval, test = [], []
    # The images are stored in an order that is not the sorted one (last number first), so that
    # a handler that sorts them gives other splits than the reference's tar order.
    for i in reversed(range(36)):
        number = f"{1000000 + 37 * i:07d}"
        members[f"{_DATA}/images/{number}.jpg"] = encode_image(fixture_image(i, 12, 16), "JPEG")
        line = f"{number} {CLASS_NAMES[(5 * i) % len(CLASS_NAMES)]}\n"
        (test if i % 4 == 0 else trainval).append(line)
    members[f"{_DATA}/images_family_trainval.txt"] = "".join(trainval).encode()
    members[f"{_DATA}/images_family_test.txt"] = "".join(test).encode()
    # The other label levels and splits are in the archive too; the family handler ignores them.
    members[f"{_DATA}/images_variant_trainval.txt"] = trainval[0].replace("Boeing", "Other").encode()
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="FGVC-Aircraft (family)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://www.robots.ox.ac.uk/~vgg/data/fgvc-aircraft/",
        paper_title="Fine-Grained Visual Classification of Aircraft (Maji, Rahtu, Kannala, Blaschko & "
        "Vedaldi, arXiv:1306.5151, 2013)",
        paper_url="https://arxiv.org/abs/1306.5151",
        license="for non-commercial research purposes only (the images are from airliners.net, used "
        "with the photographers' permission; see the homepage)",
        artefacts=(
            Artefact(
                _FILE, "url",
                "https://www.robots.ox.ac.uk/~vgg/data/fgvc-aircraft/archives/fgvc-aircraft-2013b.tar.gz",
                md5="d4acdd33327262359767eeaa97a4f732", extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        # 2: examples follow the tar's member order (1 sorted them by image number).
        version=2,
        split_rule="reference T3: the official trainval images (images_family_trainval.txt, 6,667) "
        "drawn train .70 / dev .15 / dev_test .15 (RandomState(0), in the tar's member order); the "
        "official test images (3,333) are the test split",
        notes="Labels are the family level (families.txt order). Whole images as the reference stores "
        "them: the 20-pixel copyright banner at the bottom of each photo is not cut off. Images are "
        "read in the tar's member order, as the reference reads them, so the split draw follows the "
        "same order as the paper's.",
    )
)
