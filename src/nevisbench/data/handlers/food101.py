"""Food-101 (Bossard et al.): 101,000 food photos in 101 classes, with the official 750/250 per-class split."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from nevisbench.data.handlers._archives import iter_lines, tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "food101"
_FILE = "food-101.tar.gz"
_TRAIN_LIST = "food-101/meta/train.txt"
_TEST_LIST = "food-101/meta/test.txt"

# The reference's label order (not alphabetical); Food-101N uses the same list.
CLASS_NAMES = (
    "takoyaki", "bruschetta", "lobster_bisque", "bread_pudding", "scallops", "pancakes", "donuts",
    "ceviche", "grilled_salmon", "ravioli", "prime_rib", "waffles", "eggs_benedict", "beef_tartare",
    "chicken_wings", "clam_chowder", "panna_cotta", "ramen", "french_fries", "seaweed_salad", "lasagna",
    "fried_calamari", "deviled_eggs", "carrot_cake", "strawberry_shortcake", "chocolate_mousse", "poutine",
    "beignets", "caesar_salad", "bibimbap", "garlic_bread", "cheese_plate", "shrimp_and_grits",
    "caprese_salad", "beet_salad", "dumplings", "macarons", "churros", "samosa", "creme_brulee", "miso_soup",
    "french_onion_soup", "risotto", "pulled_pork_sandwich", "hot_and_sour_soup", "onion_rings",
    "spaghetti_bolognese", "edamame", "beef_carpaccio", "steak", "grilled_cheese_sandwich", "peking_duck",
    "frozen_yogurt", "mussels", "red_velvet_cake", "oysters", "greek_salad", "foie_gras", "pho",
    "spaghetti_carbonara", "pad_thai", "huevos_rancheros", "sashimi", "sushi", "gnocchi", "hummus",
    "pork_chop", "falafel", "chicken_curry", "breakfast_burrito", "club_sandwich", "cannoli",
    "chocolate_cake", "fried_rice", "apple_pie", "guacamole", "macaroni_and_cheese", "hot_dog", "cup_cakes",
    "paella", "ice_cream", "escargots", "spring_rolls", "crab_cakes", "croque_madame", "hamburger",
    "baby_back_ribs", "baklava", "pizza", "filet_mignon", "cheesecake", "lobster_roll_sandwich", "tiramisu",
    "omelette", "tacos", "nachos", "gyoza", "chicken_quesadilla", "french_toast", "tuna_tartare",
    "fish_and_chips",
)  # fmt: skip


def select(names: list[str], wanted: set[str], root: Path) -> list[Example]:
    """The members whose ``<class folder>/<file stem>`` is in ``wanted`` (the meta list's form), in
    ``names`` order, labelled by the class folder."""
    index = {name: label for label, name in enumerate(CLASS_NAMES)}
    out = []
    for name in names:
        member = PurePosixPath(name)
        key = f"{member.parent.name}/{member.stem}"
        if key not in wanted:
            continue
        if member.parent.name not in index:
            raise layout_error(
                DATASET, _FILE, f"class {member.parent.name!r} (of {name}) among the 101 classes"
            )
        out.append(Example(root / name, index[member.parent.name], name))
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    train = set(iter_lines(require(root / _TRAIN_LIST, DATASET, _FILE, root).read_bytes()))
    test = set(iter_lines(require(root / _TEST_LIST, DATASET, _FILE, root).read_bytes()))
    # The tar's member order: the reference's generators read the tar in this order.
    names = tar_names(raw_dir / _FILE, DATASET)
    pool, official_test = select(names, train, root), select(names, test, root)
    if not pool or not official_test:
        raise layout_error(
            DATASET,
            _FILE,
            "images under food-101/images/ named in meta/train.txt and meta/test.txt",
        )
    return official_train_split(pool, official_test)


def make_fixture(raw_dir: Path) -> None:
    classes = ("apple_pie", "takoyaki", "fish_and_chips")
    members: dict[str, bytes] = {}
    train, test = [], []
    # Unsorted ids within a class, so that archive order and sorted order differ.
    for k in range(36):
        label = classes[k % 3]
        image_id = str(1000 + (k * 7919) % 9000)
        members[f"food-101/images/{label}/{image_id}.jpg"] = encode_image(
            fixture_image(1000 + k, 10, 12), "JPEG"
        )
        (test if k % 6 == 5 else train).append(f"{label}/{image_id}")
    # An image named in neither list is not used.
    members["food-101/images/apple_pie/999.jpg"] = encode_image(fixture_image(999, 10, 12), "JPEG")
    members[_TRAIN_LIST] = ("\n".join(train) + "\n").encode()
    members[_TEST_LIST] = ("\n".join(test) + "\n").encode()
    members["food-101/meta/classes.txt"] = "\n".join(CLASS_NAMES).encode()
    members["food-101/README.txt"] = b"Food-101"
    write_tar(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Food-101",
        num_classes=101,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://data.vision.ee.ethz.ch/cvl/datasets_extra/food-101/",
        paper_title="Food-101 – Mining Discriminative Components with Random Forests "
        "(Bossard, Guillaumin & Van Gool, ECCV 2014)",
        paper_url="https://data.vision.ee.ethz.ch/cvl/datasets_extra/food-101/static/bossard_eccv14_food-101.pdf",
        license="unknown: see the homepage (images from foodspotting.com, under their own terms; the "
        "archive's license_agreement.txt allows non-commercial research use)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://data.vision.ee.ethz.ch/cvl/food-101.tar.gz",
                md5="85eeb15f3717b99a5da872d97d918f87",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the images of meta/train.txt drawn train .70 / dev .15 / dev_test .15 "
        "(RandomState(0), in the tar's member order, as the reference's streaming read); the images of "
        "meta/test.txt → test",
        notes="The reference's handler, not TFDS food101. The split order is the tar's member order, read "
        "in one extra pass over the archive's headers, so the random draw matches the reference's "
        "membership. Label order is the reference's (not alphabetical).",
    )
)
