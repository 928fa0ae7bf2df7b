"""DomainNet (cleaned): about 590,000 images of 345 object classes in six domains, from the official zips."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import tfds_order
from nevisbench.values import TaskKind

_ID = "domainnet"
_BASE = "http://csr.bu.edu/ftp/visda/2019/multi-source/"

# The label order of the official lists (label k of <domain>_<split>.txt is CLASS_NAMES[k]); TFDS
# uses the same order.
_CLASS_NAMES_TEXT = """
    aircraft_carrier airplane alarm_clock ambulance angel animal_migration ant anvil apple arm
    asparagus axe backpack banana bandage barn baseball baseball_bat basket basketball bat bathtub
    beach bear beard bed bee belt bench bicycle binoculars bird birthday_cake blackberry blueberry
    book boomerang bottlecap bowtie bracelet brain bread bridge broccoli broom bucket bulldozer bus
    bush butterfly cactus cake calculator calendar camel camera camouflage campfire candle cannon
    canoe car carrot castle cat ceiling_fan cello cell_phone chair chandelier church circle clarinet
    clock cloud coffee_cup compass computer cookie cooler couch cow crab crayon crocodile crown
    cruise_ship cup diamond dishwasher diving_board dog dolphin donut door dragon dresser drill
    drums duck dumbbell ear elbow elephant envelope eraser eye eyeglasses face fan feather fence
    finger fire_hydrant fireplace firetruck fish flamingo flashlight flip_flops floor_lamp flower
    flying_saucer foot fork frog frying_pan garden garden_hose giraffe goatee golf_club grapes grass
    guitar hamburger hammer hand harp hat headphones hedgehog helicopter helmet hexagon hockey_puck
    hockey_stick horse hospital hot_air_balloon hot_dog hot_tub hourglass house house_plant
    hurricane ice_cream jacket jail kangaroo key keyboard knee knife ladder lantern laptop leaf leg
    light_bulb lighter lighthouse lightning line lion lipstick lobster lollipop mailbox map marker
    matches megaphone mermaid microphone microwave monkey moon mosquito motorbike mountain mouse
    moustache mouth mug mushroom nail necklace nose ocean octagon octopus onion oven owl paintbrush
    paint_can palm_tree panda pants paper_clip parachute parrot passport peanut pear peas pencil
    penguin piano pickup_truck picture_frame pig pillow pineapple pizza pliers police_car pond pool
    popsicle postcard potato power_outlet purse rabbit raccoon radio rain rainbow rake
    remote_control rhinoceros rifle river roller_coaster rollerskates sailboat sandwich saw
    saxophone school_bus scissors scorpion screwdriver sea_turtle see_saw shark sheep shoe shorts
    shovel sink skateboard skull skyscraper sleeping_bag smiley_face snail snake snorkel snowflake
    snowman soccer_ball sock speedboat spider spoon spreadsheet square squiggle squirrel stairs star
    steak stereo stethoscope stitches stop_sign stove strawberry streetlight string_bean submarine
    suitcase sun swan sweater swing_set sword syringe table teapot teddy-bear telephone television
    tennis_racquet tent The_Eiffel_Tower The_Great_Wall_of_China The_Mona_Lisa tiger toaster toe
    toilet tooth toothbrush toothpaste tornado tractor traffic_light train tree triangle trombone
    truck trumpet t-shirt umbrella underwear van vase violin washing_machine watermelon waterslide
    whale wheel windmill wine_bottle wine_glass wristwatch yoga zebra zigzag
"""
CLASS_NAMES = tuple(_CLASS_NAMES_TEXT.split())

# The reference's roles: the five source domains train (their official train lists) and tune (their
# official test lists); sketch is held out for dev_test (its train list) and test (its test list).
TRAIN_DOMAINS = ("real", "painting", "clipart", "quickdraw", "infograph")
HELD_OUT_DOMAIN = "sketch"
DOMAINS = (*TRAIN_DOMAINS, HELD_OUT_DOMAIN)

# Each domain's image zip (painting and clipart: the cleaned "groundtruth" versions, as TFDS) and the
# SHA-256s of TFDS's checksums.tsv.
_ZIPS = {
    "real": ("real.zip", "d7fe010b430c5b510f85d657d38c4a1924822695fabea4fef57bd00dba251d63"),
    "painting": (
        "groundtruth/painting.zip",
        "fa47e6d405503ea0286cabd767f176bd30e988b63ddd7b9db16cf030c9770015",
    ),
    "clipart": (
        "groundtruth/clipart.zip",
        "f8f248a3e8bbc9868c523ae24e6601b4c2ad102afc60c0efeb4f3255df22354d",
    ),
    "quickdraw": ("quickdraw.zip", "9f37df2a8c3733703dbb35ad9964202a65f675ca30137756457537536b485d84"),
    "infograph": ("infograph.zip", "891e14f476317e97b6f06d6498c11d0a5b8d0c8b57210765ed9beb072da611fa"),
    "sketch": ("sketch.zip", "23a7dbae7016b343e934399beaa8a68728fb5e570ebe2c71df9b75cf91c499fc"),
}
_LISTS = {
    ("clipart", "test"): "62c8e36aaba1c41ad9e249099739707220a44c08f167b37ef420f34a31628a6b",
    ("clipart", "train"): "affdadf5f95a7583e6b98030a3d35007e2613ee4dd942393c5a705ec2b429312",
    ("infograph", "test"): "413cfa54ac92e7e6b242f4f09fbd9c8ace85c4deaf3cb6c81ff6b68264460136",
    ("infograph", "train"): "36b44cbd41a2915e0dc73b4f4be8862a6f3c220f93c8d63fb2439beeae3aefda",
    ("painting", "test"): "11472b13b5188e09f06918b12eebb660588c97a20e43e268d9b02e3e37eb8f97",
    ("painting", "train"): "f1da38d50a702fddf1329f85bc607d7a2abcae7e6aec75e1fd49cc1bd340d47b",
    ("quickdraw", "test"): "2a00a60650a453c65c356da748fec54084a197272137c440e7d52d08947357bf",
    ("quickdraw", "train"): "3a5edd3bc215772010eebc87f158707703dd7e48091d13b816af81326a9d1c0f",
    ("real", "test"): "2b3f75bcde309aeb5931292084b2162e936b5f189e3bb1ad716f0f74c460864c",
    ("real", "train"): "19d483256d24aef19e581b65eda8333fd918aef3eb733fe499ff384120e3a289",
    ("sketch", "test"): "3fb48fca18c507c4321f007c3f62b308ec232ff6928cbfe2af64e76ec366e840",
    ("sketch", "train"): "72f4bc6afa5702a1ccba800d0053c1427de87439dfaf246dbc9a2e71abfec54f",
}


def zip_name(domain: str) -> str:
    return _ZIPS[domain][0].rsplit("/", 1)[-1]


def list_name(domain: str, part: str) -> str:
    return f"{domain}_{part}.txt"


def read_list(raw_dir: Path, domain: str, part: str) -> list[tuple[str, int, str]]:
    """``(image path inside the domain zip, label, TFDS key)`` per line of ``<domain>_<part>.txt``.

    Lines are ``<domain>/<class>/<file> <label>``; the class folder must be the label's class name.
    TFDS keys an example ``<domain>_<part>_<line index, 8 digits>`` (0-based, blank lines counted).
    """
    name = list_name(domain, part)
    path = require(raw_dir / name, _ID, name, raw_dir)
    out = []
    for index, line in enumerate(path.read_bytes().decode("utf-8", "replace").split("\n")):
        if not line.strip():
            continue
        fields = line.strip().rsplit(" ", 1)
        parts = fields[0].split("/")
        if len(fields) != 2 or not fields[1].isdigit() or len(parts) != 3:
            raise layout_error(_ID, name, f"line {index + 1} as '{domain}/<class>/<file> <label>'")
        label = int(fields[1])
        if label >= len(CLASS_NAMES) or parts[0] != domain or parts[1] != CLASS_NAMES[label]:
            raise layout_error(
                _ID, name, f"line {index + 1} ({line!r}) with a folder that matches its label's class"
            )
        out.append((fields[0], label, f"{domain}_{part}_{index:08d}"))
    return out


def _examples(raw_dir: Path, pairs: Sequence[tuple[str, str]]) -> Iterator[Example]:
    for domain, part in pairs:
        root = extracted_dir(raw_dir, zip_name(domain))
        # Each domain's split in the order TFDS stores it (the reference concatenates domains).
        for member, label, _ in tfds_order(read_list(raw_dir, domain, part), part, lambda r: r[2]):
            path = root / member
            if not path.is_file():
                raise layout_error(_ID, zip_name(domain), member)
            yield Example(path, label, member)


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    # Each list is checked up front, so a missing list fails before anything is written.
    for domain in DOMAINS:
        for part in ("train", "test"):
            read_list(raw_dir, domain, part)
    return {
        "train": _examples(raw_dir, [(d, "train") for d in TRAIN_DOMAINS]),
        "dev": _examples(raw_dir, [(d, "test") for d in TRAIN_DOMAINS]),
        "dev_test": _examples(raw_dir, [(HELD_OUT_DOMAIN, "train")]),
        "test": _examples(raw_dir, [(HELD_OUT_DOMAIN, "test")]),
    }


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    labels = (0, 1, 344)
    for d, domain in enumerate(DOMAINS):
        members: dict[str, bytes] = {}
        lines: dict[str, list[str]] = {"train": [], "test": []}
        for label in labels:
            for k in range(3):
                member = f"{domain}/{CLASS_NAMES[label]}/{domain}_{label:03d}_{k:06d}.jpg"
                seed = 10_000 * d + 10 * label + k
                members[member] = encode_image(fixture_image(seed, 10, 9), "JPEG")
                lines["test" if k == 2 else "train"].append(f"{member} {label}")
        write_zip(raw_dir / zip_name(domain), members)
        for part, rows in lines.items():
            (raw_dir / list_name(domain, part)).write_text("\n".join(rows) + "\n")


def _artefacts() -> tuple[Artefact, ...]:
    out = [
        Artefact(zip_name(domain), "url", _BASE + path, sha256=sha256, extract=True)
        for domain, (path, sha256) in _ZIPS.items()
    ]
    out += [
        Artefact(list_name(domain, part), "url", f"{_BASE}domainnet/txt/{list_name(domain, part)}",
                 sha256=sha256)
        for (domain, part), sha256 in sorted(_LISTS.items())
    ]
    return tuple(out)


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="DomainNet (real, painting, clipart, quickdraw, infograph → sketch)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://ai.bu.edu/M3SDA/",
        paper_title="Moment Matching for Multi-Source Domain Adaptation (Peng, Bai, Xia, Huang, "
        "Saenko & Wang, ICCV 2019)",
        paper_url="https://arxiv.org/abs/1812.01754",
        license="fair use for research only (see the homepage)",
        artefacts=_artefacts(),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule (builders/domainnet.py) over the official lists: train = "
        "the train lists of real, painting, clipart, quickdraw, infograph (in that order); dev = "
        "their test lists; dev_test = the sketch train list; test = the sketch test list",
        notes="Cleaned version as TFDS domainnet 1.0.0 (painting and clipart from groundtruth/). "
        "Labels are the lists' integers (folder names checked against them). Domains are "
        "concatenated in the reference's order, each domain's split in the order TFDS stores it "
        "(sorted by MD5 of split name + '<domain>_<split>_<line index>', TFDS's key), so "
        "membership and order match the reference. The reference's train_and_dev interleaves "
        "domains (train, test per domain); ours is train then dev.",
    )
)
