"""TRANCOS: traffic-camera images classed by their vehicle count into 10 equal-count buckets."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._buckets import count_buckets
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_val_split
from nevisbench.values import TaskKind

_FILE = "TRANCOS_v3.tar.gz"
_ROOT = "TRANCOS_v3"
NUM_BUCKETS = 10
MAX_COUNT = 200  # the reference's histogram size; larger counts share its last cell
CLASS_NAMES = tuple(f"count_bucket_{k}" for k in range(NUM_BUCKETS))


def count_lines(data: bytes) -> int:
    """Lines of a dot file as Python's readlines counts them (a last line without newline counts)."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    images = require(root / _ROOT / "images", "trancos", _FILE, root)
    # Every images/<name>.txt lists one vehicle per line; its image is images/<name>.jpg.
    counts = {
        path.stem + ".jpg": count_lines(path.read_bytes()) for path in list_files(images, (".txt",))
    }
    if not counts:
        raise layout_error("trancos", _FILE, f"{_ROOT}/images/*.txt vehicle annotations")
    table = count_buckets(list(counts.values()), MAX_COUNT, "trancos", NUM_BUCKETS)
    by_name = {path.name: path for path in list_files(images, (".jpg",))}

    def image_set(filename: str) -> list[Example]:
        listed = require(root / _ROOT / "image_sets" / filename, "trancos", _FILE, root)
        names = {line.strip() for line in listed.read_text("utf-8").splitlines() if line.strip()}
        examples = []
        # Listed images in sorted name order (the reference: tar member order).
        for name in sorted(names):
            if name not in by_name or name not in counts:
                raise layout_error(
                    "trancos", _FILE, f"{_ROOT}/images/{name} and its .txt ({filename})"
                )
            label = table[min(counts[name], MAX_COUNT - 1)]
            examples.append(Example(by_name[name], label, f"{_ROOT}/images/{name}"))
        return examples

    return official_train_val_split(
        image_set("training.txt"), image_set("validation.txt"), image_set("test.txt")
    )


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    names = []
    for k in range(40):
        name = f"image-{1 + k % 3}-{k:06d}"
        names.append(name)
        count = (k * 13) % 37  # spread over 0..36 vehicles
        members[f"{_ROOT}/images/{name}.jpg"] = encode_image(fixture_image(k, 8, 8), "JPEG")
        members[f"{_ROOT}/images/{name}.txt"] = "".join(
            f"{x}\t{x + 1}\n" for x in range(count)
        ).encode()
        members[f"{_ROOT}/images/{name}dots.png"] = encode_image(fixture_image(k, 8, 8, 1))
    for filename, chosen in (
        ("training.txt", names[:24]),
        ("validation.txt", names[24:32]),
        ("test.txt", names[32:]),
    ):
        members[f"{_ROOT}/image_sets/{filename}"] = "".join(f"{n}.jpg\n" for n in chosen).encode()
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="trancos",
        title="TRANCOS (vehicle-count buckets)",
        num_classes=NUM_BUCKETS,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://gram.web.uah.es/data/datasets/trancos/index.html",
        paper_title="Extremely Overlapping Vehicle Counting (Guerrero-Gómez-Olmedo, Torre-Jiménez, "
        "López-Sastre, Maldonado-Bascón & Oñoro-Rubio, IbPRIA 2015)",
        paper_url="https://doi.org/10.1007/978-3-319-19390-8_48",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://universidaddealcala-my.sharepoint.com/:u:/g/personal/gram_uah_es/"
                "Eank6osXQgxEqa-1bb0nVsoBc3xO4XDwENc_g0nc6t58BA?&Download=1",
                md5="e9b4d5a62ab1fe5f542ec8326f2d4fda",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T2: image_sets/training.txt drawn train .80 / dev .20 "
        "(RandomState(0)) in sorted file-name order; validation.txt → dev_test; test.txt → test",
        notes="Label = bucket of the vehicle count (lines of images/<name>.txt): the reference's "
        "equal-frequency quantisation over all annotated images (histogram of 200 cells, 10 "
        "buckets), so class k spans a data-dependent count range (count_bucket_0 = fewest "
        "vehicles). Image-set lines are stripped of whitespace (the reference cuts the last "
        "character). The reference draws in tar member order; we use sorted names, so membership "
        "may differ from the paper's.",
    )
)
