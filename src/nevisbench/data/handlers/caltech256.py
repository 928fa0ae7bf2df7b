"""Caltech-256: 30,607 images of 256 object categories plus a clutter class."""

from __future__ import annotations

import re
from pathlib import Path

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "caltech256"
_FILE = "256_ObjectCategories.tar"

# The folder names without their number, in label order (folder NNN has label NNN - 1).
CLASS_NAMES = (
    "ak47", "american-flag", "backpack", "baseball-bat", "baseball-glove", "basketball-hoop", "bat",
    "bathtub", "bear", "beer-mug", "billiards", "binoculars", "birdbath", "blimp", "bonsai-101",
    "boom-box", "bowling-ball", "bowling-pin", "boxing-glove", "brain-101", "breadmaker",
    "buddha-101", "bulldozer", "butterfly", "cactus", "cake", "calculator", "camel", "cannon",
    "canoe", "car-tire", "cartman", "cd", "centipede", "cereal-box", "chandelier-101",
    "chess-board", "chimp", "chopsticks", "cockroach", "coffee-mug", "coffin", "coin", "comet",
    "computer-keyboard", "computer-monitor", "computer-mouse", "conch", "cormorant",
    "covered-wagon", "cowboy-hat", "crab-101", "desk-globe", "diamond-ring", "dice", "dog",
    "dolphin-101", "doorknob", "drinking-straw", "duck", "dumb-bell", "eiffel-tower",
    "electric-guitar-101", "elephant-101", "elk", "ewer-101", "eyeglasses", "fern", "fighter-jet",
    "fire-extinguisher", "fire-hydrant", "fire-truck", "fireworks", "flashlight", "floppy-disk",
    "football-helmet", "french-horn", "fried-egg", "frisbee", "frog", "frying-pan", "galaxy",
    "gas-pump", "giraffe", "goat", "golden-gate-bridge", "goldfish", "golf-ball", "goose",
    "gorilla", "grand-piano-101", "grapes", "grasshopper", "guitar-pick", "hamburger", "hammock",
    "harmonica", "harp", "harpsichord", "hawksbill-101", "head-phones", "helicopter-101",
    "hibiscus", "homer-simpson", "horse", "horseshoe-crab", "hot-air-balloon", "hot-dog", "hot-tub",
    "hourglass", "house-fly", "human-skeleton", "hummingbird", "ibis-101", "ice-cream-cone",
    "iguana", "ipod", "iris", "jesus-christ", "joy-stick", "kangaroo-101", "kayak", "ketch-101",
    "killer-whale", "knife", "ladder", "laptop-101", "lathe", "leopards-101", "license-plate",
    "lightbulb", "light-house", "lightning", "llama-101", "mailbox", "mandolin", "mars", "mattress",
    "megaphone", "menorah-101", "microscope", "microwave", "minaret", "minotaur", "motorbikes-101",
    "mountain-bike", "mushroom", "mussels", "necktie", "octopus", "ostrich", "owl", "palm-pilot",
    "palm-tree", "paperclip", "paper-shredder", "pci-card", "penguin", "people", "pez-dispenser",
    "photocopier", "picnic-table", "playing-card", "porcupine", "pram", "praying-mantis", "pyramid",
    "raccoon", "radio-telescope", "rainbow", "refrigerator", "revolver-101", "rifle",
    "rotary-phone", "roulette-wheel", "saddle", "saturn", "school-bus", "scorpion-101",
    "screwdriver", "segway", "self-propelled-lawn-mower", "sextant", "sheet-music", "skateboard",
    "skunk", "skyscraper", "smokestack", "snail", "snake", "sneaker", "snowmobile", "soccer-ball",
    "socks", "soda-can", "spaghetti", "speed-boat", "spider", "spoon", "stained-glass",
    "starfish-101", "steering-wheel", "stirrups", "sunflower-101", "superman", "sushi", "swan",
    "swiss-army-knife", "sword", "syringe", "tambourine", "teapot", "teddy-bear", "teepee",
    "telephone-box", "tennis-ball", "tennis-court", "tennis-racket", "theodolite", "toaster",
    "tomato", "tombstone", "top-hat", "touring-bike", "tower-pisa", "traffic-light", "treadmill",
    "triceratops", "tricycle", "trilobite-101", "tripod", "t-shirt", "tuning-fork", "tweezer",
    "umbrella-101", "unicorn", "vcr", "video-projector", "washing-machine", "watch-101",
    "waterfall", "watermelon", "welding-mask", "wheelbarrow", "windmill", "wine-bottle",
    "xylophone", "yarmulke", "yo-yo", "zebra", "airplanes-101", "car-side-101", "faces-easy-101",
    "greyhound", "tennis-shoes", "toad", "clutter",
)  # fmt: skip

# 256_ObjectCategories/<NNN>.<name>/<NNN>_<NNNN>.jpg, matched at the start of the member name as
# the reference does; other members (e.g. 198.spider/RENAME2) are not images of the task.
_MEMBER = re.compile(r"256_ObjectCategories/(\d\d\d)\.(.+)/(\d\d\d)_(\d\d\d\d)\.jpg")


def examples(raw_dir: Path) -> list[Example]:
    """Every image of the task, in the tar's member order (the reference's order)."""
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    out = []
    for name in tar_names(raw_dir / _FILE, DATASET, as_extracted=True):
        match = _MEMBER.match(name)
        if match is None:
            continue
        label = int(match.group(1)) - 1
        if not 0 <= label < len(CLASS_NAMES) or CLASS_NAMES[label] != match.group(2):
            raise layout_error(
                DATASET, _FILE, f"a folder numbered as the official list for {name}"
            )
        out.append(Example(root / name, label, name))
    if not out:
        raise layout_error(DATASET, _FILE, "256_ObjectCategories/<NNN>.<name>/<NNN>_<NNNN>.jpg images")
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return random_split(examples(raw_dir), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    # Classes stored from the last folder to the first: the tar's order, not sorted order, counts.
    for label in (256, 250, 197, 55, 0):
        folder = f"256_ObjectCategories/{label + 1:03d}.{CLASS_NAMES[label]}"
        for k in range(1, 8):
            members[f"{folder}/{label + 1:03d}_{k:04d}.jpg"] = encode_image(
                fixture_image(label * 10 + k), "JPEG"
            )
    members["256_ObjectCategories/198.spider/RENAME2"] = b"renamed files\n"
    members["256_ObjectCategories/001.ak47/Thumbs.db"] = b"\x00"
    write_tar(raw_dir / _FILE, members, compression="")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Caltech-256",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://data.caltech.edu/records/nyy15-4j048",
        paper_title="Caltech-256 Object Category Dataset (Griffin, Holub & Perona, Caltech "
        "Technical Report CNS-TR-2007-001, 2007)",
        paper_url="https://resolver.caltech.edu/CaltechAUTHORS:CNS-TR-2007-001",
        artefacts=(
            Artefact(
                _FILE,
                "gdrive",
                "1r6o0pSROcV1_VwT4oSjA2FBUSCWGuxLK",
                md5="67b4f42ca05d46448c6bb8ecd2220f6d",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the tar's member order (read from its headers), as the reference "
        "reads the tar",
        notes="257 classes including 257.clutter, label = folder number - 1, as the reference. "
        "Only members matching 256_ObjectCategories/NNN.name/NNN_NNNN.jpg are images of the task; "
        "a folder whose name does not match its number in the official list is a layout error "
        "(the reference asserts the same). Stored RGB (a few source images are grey).",
    )
)
