"""INRIA annotations for Graz-02 (IG02): bikes, cars and people images, deduplicated."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, relative_name, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "ig02"
CLASS_NAMES = ("bikes", "cars", "people")
ZIPS = {name: f"ig02-v1.0-{name}.zip" for name in CLASS_NAMES}
_MD5 = {
    "bikes": "13266fdf968176fa3aebdd439184254f",
    "cars": "34de933832755ee009c6f0e9d9c6426e",
    "people": "f80d8d21f018197979c72b977986fd2f",
}
IMAGE_SUFFIX = ".image.png"


def _images(raw_dir: Path) -> tuple[list[tuple[Path, str, int]], set[str]]:
    """Every ``*.image.png`` as (path, member name, label), zip by zip in sorted member order, and
    the member names the ``<class>_train.txt`` lists name."""
    images: list[tuple[Path, str, int]] = []
    listed: set[str] = set()
    for label, class_name in enumerate(CLASS_NAMES):
        filename = ZIPS[class_name]
        root = require(extracted_dir(raw_dir, filename), DATASET, filename)
        train_list = require(root / f"{class_name}_train.txt", DATASET, filename, root)
        listed.update(f"{class_name}/{line}{IMAGE_SUFFIX}" for line in iter_lines(train_list.read_bytes()))
        for path in list_files(root, (".png",)):
            name = relative_name(path, root)
            if not name.endswith(IMAGE_SUFFIX):
                continue  # the masks
            folder = path.parent.relative_to(root).as_posix()
            if folder not in CLASS_NAMES:
                raise layout_error(DATASET, filename, f"a class folder (bikes, cars, people) for {name}")
            images.append((path, name, CLASS_NAMES.index(folder)))
        if not any(label_ == label for _, _, label_ in images):
            raise layout_error(DATASET, filename, f"{class_name}/*{IMAGE_SUFFIX}")
    return images, listed


def ordered_unique(raw_dir: Path) -> list[Example]:
    """The reference's example order: the images its train lists name, then every image (its
    'test' pass reads all of them), each zip in sorted order, dropping repeats of pixels+label."""
    images, listed = _images(raw_dir)
    in_train = [image for image in images if image[1] in listed]
    return unique_by_pixels(Example(path, label, name) for path, name, label in in_train + images)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return random_split(ordered_unique(raw_dir), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    seed = 0
    for class_name in CLASS_NAMES:
        members: dict[str, bytes] = {}
        train, test = [], []
        for k in range(12):
            stem = f"{class_name}_{k:03d}"
            (train if k % 2 == 0 else test).append(stem)
            seed += 1
            members[f"{class_name}/{stem}{IMAGE_SUFFIX}"] = encode_image(fixture_image(seed))
            members[f"{class_name}/{stem}.mask.0.png"] = encode_image(fixture_image(seed, channels=1))
        # One exact copy of an image under another name: it is kept once.
        members[f"{class_name}/{class_name}_copy{IMAGE_SUFFIX}"] = members[
            f"{class_name}/{class_name}_001{IMAGE_SUFFIX}"
        ]
        members[f"{class_name}_train.txt"] = "".join(f"{s}\n" for s in train).encode()
        members[f"{class_name}_test.txt"] = "".join(f"{s}\n" for s in test).encode()
        write_zip(raw_dir / ZIPS[class_name], members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Graz-02 (INRIA annotations, IG02)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://lear.inrialpes.fr/people/marszalek/data/ig02/",
        paper_title="Generic Object Recognition with Boosting (Opelt, Pinz, Fussenegger & Auer, "
        "IEEE TPAMI 2006); IG02 annotations: Accurate Object Localization with Shape Masks "
        "(Marszałek & Schmid, CVPR 2007)",
        paper_url="https://doi.org/10.1109/TPAMI.2006.54",
        artefacts=tuple(
            Artefact(
                ZIPS[name],
                "url",
                "http://lear.inrialpes.fr/people/marszalek/data/ig02/" + ZIPS[name],
                md5=_MD5[name],
                extract=True,
            )
            for name in CLASS_NAMES
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 after deduplication: each unique image drawn train .56 / dev .12 "
        "/ dev_test .12 / test .20 (RandomState(0)); official train/test lists are not kept",
        notes="Order as the reference builds it: first the images named by <class>_train.txt "
        "(bikes, cars, people zips, each in sorted member order), then every *.image.png (the "
        "reference's 'test' pass matches no list and so reads all images), dropping any image "
        "whose decoded pixels and label repeat an earlier one (MD5 of the pixel bytes, as the "
        "reference). The official test list therefore plays no part. Masks (*.mask.*.png) are "
        "not images of the task. Decoding for the duplicate check makes conversion read each "
        "image twice.",
    )
)
