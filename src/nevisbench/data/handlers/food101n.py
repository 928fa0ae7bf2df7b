"""Food-101N (Lee et al.): web food images in Food-101's classes; the human-verified subset is used."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from nevisbench.data.handlers._archives import zip_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.handlers.food101 import CLASS_NAMES
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "food101n"
_FILE = "Food-101N_release.zip"
_TOP = "Food-101N_release"
_TRAIN_TSV = f"{_TOP}/meta/verified_train.tsv"
_TEST_TSV = f"{_TOP}/meta/verified_val.tsv"
_IMAGES = f"{_TOP}/images"


def listed(data: bytes) -> set[str]:
    """The ``<class>/<file>`` keys of a verified_*.tsv, read as the reference does: the text split
    at newlines, the first line (header) and the last piece dropped, the first tab-separated field
    of each line kept. Every listed image is used, whatever its verification label (0 or 1)."""
    lines = data.decode("utf-8").split("\n")[1:-1]
    return {line.strip().split("\t")[0] for line in lines}


def select(names: list[str], wanted: set[str], root: Path) -> list[Example]:
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    out = []
    for name in names:
        if not name.startswith(_IMAGES) or name.endswith("/"):
            continue
        member = PurePosixPath(name)
        if f"{member.parent.name}/{member.name}" not in wanted:
            continue
        if member.parent.name not in index:
            raise layout_error(
                DATASET, _FILE, f"class {member.parent.name!r} (of {name}) among Food-101's classes"
            )
        out.append(Example(root / name, index[member.parent.name], name))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    train = listed(require(root / _TRAIN_TSV, DATASET, _FILE, root).read_bytes())
    test = listed(require(root / _TEST_TSV, DATASET, _FILE, root).read_bytes())
    # The zip's central-directory order, as the reference's namelist().
    names = zip_names(raw_dir / _FILE, DATASET)
    pool, official_test = select(names, train, root), select(names, test, root)
    if not pool or not official_test:
        raise layout_error(
            DATASET, _FILE, f"images under {_IMAGES}/ named in the verified_*.tsv lists"
        )
    return official_train_split(pool, official_test)


def make_fixture(raw_dir: Path) -> None:
    classes = ("pizza", "sushi", "ramen")
    members: dict[str, bytes] = {}
    train = ["class_name/key\tverification_label"]
    test = ["class_name/key\tverification_label"]
    for k in range(40):
        label = classes[k % 3]
        key = f"{label}/{(k * 2654435761) % 2**32:08x}.jpg"
        members[f"{_IMAGES}/{key}"] = encode_image(fixture_image(1100 + k, 9, 11), "JPEG")
        (test if k % 7 == 3 else train).append(f"{key}\t{k % 2}")
    # The reference drops the last piece after splitting at newlines: with a trailing newline that
    # is the empty string, so every row counts.
    members[_TRAIN_TSV] = ("\n".join(train) + "\n").encode()
    members[_TEST_TSV] = ("\n".join(test) + "\n").encode()
    members[f"{_IMAGES}/pizza/unlisted.jpg"] = encode_image(fixture_image(1099, 9, 11), "JPEG")
    members[f"{_TOP}/meta/classes.txt"] = ("class_name\n" + "\n".join(CLASS_NAMES) + "\n").encode()
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Food-101N (verified subset)",
        num_classes=101,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://kuanghuei.github.io/Food-101N/",
        paper_title="CleanNet: Transfer Learning for Scalable Image Classifier Training with Label Noise "
        "(Lee, He, Zhang & Yang, CVPR 2018)",
        paper_url="https://arxiv.org/abs/1711.07131",
        license="unknown: see the homepage (web images, released for research)",
        artefacts=(
            Artefact(
                _FILE,
                "gdrive",
                "1s9NyXpi9bO-UZUvk65WVvEUExNkZ1v9V",
                md5="596b41b48de43342ef1efbb2fd508e06",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the images listed in meta/verified_train.tsv drawn train .70 / dev .15 / "
        "dev_test .15 (RandomState(0), in the zip's member order, as the reference); the images listed in "
        "meta/verified_val.tsv → test",
        notes="As in the reference, every image listed in the verified_*.tsv files is used, whether its "
        "verification label says the class is right (1) or wrong (0); label = the image's class folder, in "
        "Food-101's reference label order. The lists are read as the reference does (text split at "
        "newlines, first and last pieces dropped), so a list without a final newline loses its last row. "
        "Order = the zip's central-directory order, so membership matches the reference's.",
    )
)
