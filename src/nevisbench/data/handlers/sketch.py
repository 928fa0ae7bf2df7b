"""TU-Berlin sketches: 20,000 human line drawings of 250 object categories (80 each), 1111×1111 grey PNGs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevisbench.data.handlers._fixtures import encode_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "sketch"
ARCHIVE = "sketches_png.zip"

# The reference's label order (not alphabetical); each is a folder name under png/.
CLASS_NAMES = (
    "snail", "candle", "crane (machine)", "parking meter", "bathtub", "loudspeaker",
    "bulldozer", "skateboard", "ant", "radio", "tennis-racket", "envelope", "house",
    "person walking", "basket", "rainbow", "paper clip", "alarm clock", "screwdriver", "cactus",
    "umbrella", "carrot", "fan", "kangaroo", "bell", "t-shirt", "hedgehog", "santa claus",
    "angel", "trousers", "eyeglasses", "pretzel", "snake", "elephant", "frying-pan", "bread",
    "rollerblades", "tomato", "cake", "couch", "pizza", "crown", "cannon", "baseball bat",
    "moon", "potted plant", "cup", "syringe", "pipe (for smoking)", "hand", "telephone",
    "pumpkin", "race car", "table", "brain", "snowboard", "flashlight", "cloud", "helmet",
    "monkey", "ice-cream-cone", "wineglass", "strawberry", "speed-boat", "cigarette", "pigeon",
    "book", "lion", "rabbit", "violin", "grenade", "skull", "car (sedan)", "bee", "head",
    "spoon", "ship", "laptop", "diamond", "church", "spider", "wheelbarrow", "flower with stem",
    "mosquito", "apple", "giraffe", "submarine", "tree", "harp", "face", "boomerang",
    "floor lamp", "fork", "horse", "scissors", "cell phone", "comb", "beer-mug", "helicopter",
    "hot air balloon", "bear (animal)", "lightbulb", "trombone", "computer monitor",
    "computer-mouse", "fire hydrant", "squirrel", "camera", "binoculars", "sponge bob",
    "streetlight", "blimp", "satellite", "rooster", "key", "windmill", "duck", "zebra",
    "armchair", "skyscraper", "bookshelf", "shark", "tablelamp", "nose", "truck", "fish",
    "chandelier", "bottle opener", "mailbox", "donut", "door", "chair", "castle", "ipod",
    "power outlet", "wrist-watch", "wheel", "dog", "bus", "foot", "panda", "megaphone",
    "microscope", "bench", "snowman", "mug", "sun", "wine-bottle", "suv", "vase", "door handle",
    "arm", "ear", "hot-dog", "ladder", "banana", "toilet", "pineapple", "mushroom", "dolphin",
    "mouse (animal)", "owl", "hat", "palm tree", "tv", "calculator", "bicycle", "standing bird",
    "bowl", "ashtray", "trumpet", "microphone", "saxophone", "leaf", "tire", "bed", "shovel",
    "socks", "traffic light", "feather", "crab", "frog", "walkie talkie", "purse", "hammer",
    "parrot", "rifle", "sailboat", "scorpion", "head-phones", "backpack", "toothbrush",
    "guitar", "human-skeleton", "bridge", "bush", "axe", "sheep", "mermaid", "eye", "pig",
    "cabinet", "sword", "satellite dish", "keyboard", "stapler", "teacup", "present",
    "motorbike", "airplane", "canoe", "pear", "teddy-bear", "knife", "butterfly", "camel",
    "flying saucer", "pickup truck", "van", "swan", "sea turtle", "teapot", "tractor",
    "hourglass", "tooth", "lobster", "hamburger", "grapes", "mouth", "parachute", "dragon",
    "person sitting", "pen", "train", "tent", "tiger", "revolver", "suitcase", "shoe", "barn",
    "flying bird", "octopus", "seagull", "space shuttle", "cat", "crocodile", "piano",
    "penguin", "cow", "lighter",
)  # fmt: skip
_INDEX = {name: label for label, name in enumerate(CLASS_NAMES)}


def examples(raw_dir: Path) -> list[Example]:
    """Every PNG of the zip, in sorted member order, labelled by its folder."""
    root = extracted_dir(raw_dir, ARCHIVE)
    if not root.is_dir():
        raise layout_error(DATASET, ARCHIVE, "the unpacked archive")
    out = []
    for path in list_files(root, (".png",)):
        relative = path.relative_to(root).as_posix()
        folder = path.parent.name
        if folder not in _INDEX:
            raise layout_error(DATASET, ARCHIVE, f"a known category folder for {relative}")
        out.append(Example(path, _INDEX[folder], relative))
    if not out:
        raise layout_error(DATASET, ARCHIVE, "png/<category>/<n>.png images")
    return out


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    return random_split(examples(raw_dir), FRACTIONS_ALL_DATA)


def _drawing(seed: int) -> np.ndarray:
    # A white page with a few dark strokes, like the real sketches (grey, mostly 255).
    rng = np.random.default_rng(seed)
    page = np.full((16, 16), 255, dtype=np.uint8)
    for _ in range(3):
        row, col = rng.integers(0, 16, size=2)
        page[row, max(0, col - 4) : col + 4] = 0
    return page


def make_fixture(raw_dir: Path) -> None:
    # 12 categories (the first, the last and ten between) × 3 drawings, plus filelist.txt.
    chosen = [CLASS_NAMES[k] for k in (0, 1, 2, 3, 27, 50, 99, 120, 171, 200, 248, 249)]
    members: dict[str, bytes] = {}
    listing = []
    for c, name in enumerate(chosen):
        for j in range(1, 4):
            member = f"png/{name}/{80 * c + j}.png"
            members[member] = encode_image(_drawing(10 * c + j))
            listing.append(member.removeprefix("png/"))
    members["png/filelist.txt"] = "\n".join(listing).encode()
    write_zip(raw_dir / ARCHIVE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="TU-Berlin sketch dataset (How Do Humans Sketch Objects?)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://cybertron.cg.tu-berlin.de/eitz/projects/classifysketch/",
        paper_title="How Do Humans Sketch Objects? (Eitz, Hays & Alexa, ACM TOG 31(4), SIGGRAPH 2012)",
        paper_url="https://cybertron.cg.tu-berlin.de/eitz/pdf/2012_siggraph_classifysketch.pdf",
        license="Creative Commons Attribution 4.0 (CC BY 4.0), as stated on the homepage",
        artefacts=(
            Artefact(
                ARCHIVE,
                "url",
                "https://cybertron.cg.tu-berlin.de/eitz/projects/classifysketch/" + ARCHIVE,
                md5="023123df86a928a5273e3ba11990d8fd",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each drawing drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in sorted member order (the reference's order too)",
        notes="Label order is the reference's hard-coded list (not alphabetical); label = the drawing's "
        "folder. Only .png members count (the reference skips Thumbs.db and filelist.txt, the zip's "
        "only other files).",
    )
)
