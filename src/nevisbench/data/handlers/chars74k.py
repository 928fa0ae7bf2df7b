"""Chars74K (English): 62 characters (0-9, A-Z, a-z) from natural images, hand writing and computer
fonts, deduplicated and split at random."""

from __future__ import annotations

import io
import string
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "chars74k"
_BASE = "http://www.ee.surrey.ac.uk/CVSSP/demos/chars74k/"
_LISTS = "Lists.tgz"
# Category → (archive, the path part an image must contain). Img holds good and bad natural images
# (Bmp/; the Msk/ masks are not used), Hnd the tablet images (Img/; Trj/ holds trajectories), Fnt fonts.
CATEGORIES = {
    "Fnt": ("EnglishFnt.tgz", ""),
    "Hnd": ("EnglishHnd.tgz", "Img"),
    "Img": ("EnglishImg.tgz", "Bmp"),
}
_MD5 = {
    "EnglishImg.tgz": "85d157e0c58f998e1cda8def62bcda0d",
    "EnglishHnd.tgz": "95e9ee6d929809ef4c2f509f86388c72",
    "EnglishFnt.tgz": "f6710b1302a7e9693d904b16389d9d8a",
    _LISTS: "8dfe916169fa10b86466776a4a1d7c5f",
}

# SampleNNN → label NNN - 1: digits, upper case, lower case.
CLASS_NAMES = tuple(string.digits + string.ascii_uppercase + string.ascii_lowercase)


def label_of(relative: str) -> int:
    """``.../Sample012/img012-00001.png`` → 11 (the three digits after "Sample", minus one)."""
    start = relative.find("Sample")
    if start < 0:
        raise ValueError(f"dataset {DATASET}: {relative} is not in a SampleNNN folder")
    label = int(relative[start + 6 : start + 9]) - 1
    if not 0 <= label < len(CLASS_NAMES):
        raise ValueError(f"dataset {DATASET}: {relative}: sample {label + 1} outside 1..62")
    return label


def test_names(raw_dir: Path) -> dict[str, set[str]]:
    """``{category: names of its official test images}`` from ``Lists/English/<category>/lists.mat``.

    The names are paths without extension relative to the category folder; the test indices are the
    last column of ``TSTind`` (1-based into ``ALLnames``). For Img, ``lists.mat`` is used (the
    archive also has ``lists_var_size.mat``; which one the reference ends up with depends on member
    order).
    """
    wanted = {c: f"Lists/English/{c}/lists.mat" for c in CATEGORIES}
    members = read_members(require(raw_dir / _LISTS, DATASET, _LISTS), DATASET, wanted.values())
    out: dict[str, set[str]] = {}
    for category, member in wanted.items():
        try:
            record = scipy.io.loadmat(io.BytesIO(members[member]))["list"].ravel()[0]
            names = np.asarray(record["ALLnames"]).ravel()
            test = np.asarray(record["TSTind"])
        except (KeyError, ValueError, IndexError, TypeError) as error:
            raise layout_error(DATASET, _LISTS, f"the ALLnames/TSTind lists of {member} ({error})") from None
        indices = (test if test.ndim == 2 else test.reshape(-1, 1))[:, -1].astype(np.int64) - 1
        out[category] = {str(names[i]).strip() for i in indices}
    return out


def _is_test(relative: str, names: set[str]) -> bool:
    # The reference tests "name in path" against every name; names are paths relative to the
    # category folder, so it is enough to look up each trailing part of the path without extension.
    parts = relative.rsplit(".", 1)[0].split("/")
    return any("/".join(parts[k:]) in names for k in range(len(parts)))


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    tests = test_names(raw_dir)
    pools: dict[bool, list[tuple[Path, int, str]]] = {False: [], True: []}
    for category, (artefact, marker) in CATEGORIES.items():
        root = require(extracted_dir(raw_dir, artefact), DATASET, artefact)
        folder = require(root / "English" / category, DATASET, artefact, root)
        for path in list_files(folder, (".png",)):
            relative = path.relative_to(folder).as_posix()
            if marker and marker not in relative:
                continue
            name = f"English/{category}/{relative}"
            pools[_is_test(relative, tests[category])].append((path, label_of(relative), name))
    # The reference chains the train images then the test images (each over the categories) and drops
    # repeated (pixels, label) pairs, keeping the first; then R4 over what is left.
    examples = [Example(path, label, name) for path, label, name in pools[False] + pools[True]]
    return random_split(unique_by_pixels(examples, "RGB"), FRACTIONS_ALL_DATA)


def _lists_mat(names: list[str], test_indices: list[int]) -> bytes:
    record = {
        "ALLnames": np.array(names),
        "ALLlabels": np.zeros((len(names), 1)),
        "TSTind": np.array([[i, i] for i in test_indices], dtype=np.float64),
        "TRNind": np.array([[1, 1]], dtype=np.float64),
    }
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"list": record})
    return buffer.getvalue()


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    seed = 0
    lists: dict[str, bytes] = {}
    layouts = {"Fnt": "Sample{s:03d}/img{s:03d}-{k:05d}", "Hnd": "Img/Sample{s:03d}/img{s:03d}-{k:03d}",
               "Img": "GoodImg/Bmp/Sample{s:03d}/img{s:03d}-{k:05d}"}
    for category, (artefact, _) in CATEGORIES.items():
        members: dict[str, bytes] = {}
        names = []
        for sample in (1, 12, 62):
            for k in range(1, 5):
                seed += 1
                name = layouts[category].format(s=sample, k=k)
                names.append(name)
                image = fixture_image(seed, 12, 10, 1 if category == "Fnt" else 3)
                members[f"English/{category}/{name}.png"] = encode_image(image)
        # A duplicate of the first image of the category (same pixels, same label): dropped.
        members[f"English/{category}/{layouts[category].format(s=1, k=99)}.png"] = members[
            f"English/{category}/{names[0]}.png"]
        if category == "Img":
            members["English/Img/GoodImg/Msk/Sample001/img001-00001.png"] = encode_image(fixture_image(0, 12, 10))
        if category == "Hnd":
            members["English/Hnd/Trj/Sample001/img001-001.txt"] = b"0 0\n"
        write_tar(raw_dir / artefact, members)
        lists[f"Lists/English/{category}/lists.mat"] = _lists_mat(names, [2, 5, 11])
    lists["Lists/English/Img/lists_var_size.mat"] = lists["Lists/English/Img/lists.mat"]
    write_tar(raw_dir / _LISTS, lists)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Chars74K (English)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://teodecampos.github.io/chars74k/",
        paper_title="Character Recognition in Natural Images (de Campos, Babu & Varma, VISAPP 2009)",
        paper_url="https://doi.org/10.5220/0001770102730280",
        artefacts=tuple(
            Artefact(name, "url", _BASE + name, md5=_MD5[name], extract=name != _LISTS)
            for name in ("EnglishImg.tgz", "EnglishHnd.tgz", "EnglishFnt.tgz", _LISTS)
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 after deduplication: the official non-test images then the official "
        "test images (lists.mat TSTind, last column), each over the categories Fnt, Hnd, Img in "
        "sorted path order, with repeated (RGB pixels, label) pairs dropped; each image left drawn "
        "train .56 / dev .12 / dev_test .12 / test .20 (RandomState(0))",
        notes="All three English sets (natural images good and bad, hand-written, fonts), as RGB. The "
        "reference walks the categories in a frozenset's order (which changes between runs) and each "
        "tar in member order; we use Fnt, Hnd, Img and sorted paths, so membership may differ. The "
        "test lists only order the examples (test images come after the others before the random "
        "split). For Img the test list is lists.mat, not lists_var_size.mat.",
    )
)
