"""PACS: 7 object classes in four domains (photo, art painting, cartoon, sketch); sketch is held out."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_TRAIN_AND_DEV, random_split
from nevisbench.values import TaskKind

_FILE = "PACS.zip"
_ROOT = "kfold"
CLASS_NAMES = ("dog", "elephant", "giraffe", "guitar", "horse", "house", "person")
TRAIN_DOMAINS = ("art_painting", "cartoon", "photo")
TEST_DOMAIN = "sketch"
# The reference's own fractions for the held-out domain.
FRACTIONS_TEST_AND_DEV_TEST = {"dev_test": 0.5, "test": 0.5}


def _domain(root: Path, domain: str) -> list[Example]:
    folder = root / _ROOT / domain
    if not folder.is_dir():
        raise layout_error("pacs", _FILE, f"folder {_ROOT}/{domain}/")
    examples = []
    for path in list_files(folder):
        name = path.relative_to(root).as_posix()
        label = path.parent.name
        if label not in CLASS_NAMES or path.parent.parent != folder:
            raise layout_error("pacs", _FILE, f"a class folder {'/'.join(CLASS_NAMES)} for {name}")
        examples.append(Example(path, CLASS_NAMES.index(label), name))
    if not examples:
        raise layout_error("pacs", _FILE, f"images under {_ROOT}/{domain}/")
    return examples


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    pool = [example for domain in TRAIN_DOMAINS for example in _domain(root, domain)]
    out = random_split(unique_by_pixels(pool, "RGB"), FRACTIONS_TRAIN_AND_DEV)
    held_out = unique_by_pixels(_domain(root, TEST_DOMAIN), "RGB")
    out.update(random_split(held_out, FRACTIONS_TEST_AND_DEV_TEST))
    return out


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    seed = 0
    for domain in (*TRAIN_DOMAINS, TEST_DOMAIN):
        suffix, fmt = (".png", "PNG") if domain == TEST_DOMAIN else (".jpg", "JPEG")
        for k in range(14):
            seed += 1
            label = CLASS_NAMES[k % 7]
            members[f"{_ROOT}/{domain}/{label}/pic_{k:03d}{suffix}"] = encode_image(
                fixture_image(seed, 8, 8), fmt
            )
    # The same photo twice in one class: the copy is dropped.
    members[f"{_ROOT}/photo/dog/pic_999.jpg"] = members[f"{_ROOT}/photo/dog/pic_000.jpg"]
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="pacs",
        title="PACS (photo, art painting, cartoon → sketch)",
        num_classes=7,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://dali-dl.github.io/project_iccv2017.html",
        paper_title="Deeper, Broader and Artier Domain Generalization "
        "(Li, Yang, Song & Hospedales, ICCV 2017)",
        paper_url="https://arxiv.org/abs/1710.03077",
        artefacts=(
            Artefact(
                _FILE,
                "gdrive",
                # The authors' image folders (kfold/<domain>/<class>/…, 227×227), the copy that
                # DomainBed downloads.
                "1JFr8f805nMUelQWWmfnJR3y4_SYoN5Pd",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: photo + art_painting + cartoon pooled and de-duplicated "
        "(MD5 of RGB pixels + label), drawn train .80 / dev .20 (RandomState(0)); sketch "
        "de-duplicated and drawn dev_test .50 / test .50 (a fresh RandomState(0)); domains in "
        "sorted order, files in sorted path order",
        notes="Source departure: the reference reads the authors' 12 HDF5 files "
        "(<domain>_{train,val,test}.hdf5 on Google Drive, 227×227 BGR), which needs h5py and whose "
        "Drive ids the reference does not tie to file names; we read the same authors' images as "
        "image files (kfold/ folders, no checksum published). The reference pools every HDF5 "
        "file of a domain and de-duplicates, i.e. uses each domain's distinct images, which is "
        "what the folders hold. Our order (sorted domains and paths) differs from the reference's "
        "(directory listing and HDF5 order), so membership may differ from the paper's.",
    )
)
