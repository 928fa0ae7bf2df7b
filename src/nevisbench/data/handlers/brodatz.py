"""Brodatz textures: 111 grey album pages, each one class, cut into 9 non-overlapping tiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from nevisbench.data.handlers._fixtures import encode_image, fixture_image
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, Crop, DatasetSpec, Example, register_dataset
from nevisbench.values import TaskKind

DATASET = "brodatz"
_URL = "http://www.ux.uis.no/~tranden/brodatz/"
SEED = 0

# Trygve Randen's scans: D1..D112 without D14 (the album has no plate 14 in this set).
MD5S = {
    "D1": "d5b7a11b6c2e21d4869626e2e43a6c76",
    "D2": "1de256b931c57e40c7bc9c3f64c6a77a",
    "D3": "ec3927c4f532f88f069700f8d6adfddd",
    "D4": "1ef331b11c9a3b85c34f4be1852b69e5",
    "D5": "8c6b91aee71dfcd66aee551e6a0609e0",
    "D6": "e6bb6971f81d319f623615d5694b3209",
    "D7": "c2fcd13fc32c2b631343445c0e230020",
    "D8": "801dade42334cac045e04a235f2986da",
    "D9": "dc65d59935048475ad4867d84ebbfa54",
    "D10": "75778b4707eb295101464113d78bec6e",
    "D11": "f659294380d33fa8752ac6b070d9c55b",
    "D12": "58a68e7fcdb1b0c32b6bb085ed3fe464",
    "D13": "74762bcca81edf3683d91871d4863898",
    "D15": "468611c6987f098b984bee1ef5feece5",
    "D16": "bd81a2680d168ed1bd156b7d840a7e0e",
    "D17": "4fa54c530e545ea9f6f3a9572e2197c7",
    "D18": "1649654b700b0ec8dea92d937db90e07",
    "D19": "c49ee81d5ac0241cc42765fbb9367140",
    "D20": "166d44aa57308f1044d5d6009d85964e",
    "D21": "070b869c8f38f6005595c062c09dd29e",
    "D22": "d5fc9a65b2a66afa641375e005b1c3a8",
    "D23": "68f3c724340a17cc9b71ccbbef2c625a",
    "D24": "553f108617063d3bae59dbc0842d40a6",
    "D25": "983966e908c0bb871d0c7eeb87d842eb",
    "D26": "25cb81107a1344bb0df5bb700ea0d545",
    "D27": "b4ad552c8153121f54311e0bf4d71742",
    "D28": "bcb1f90c91e63232fc482e861ad2a5ef",
    "D29": "97c091cf6bd85df9953fbacf4c26e653",
    "D30": "f640ea4d19451070ab7521d01fe0443c",
    "D31": "f2b021904c5657adff2f0ccd3c174da2",
    "D32": "2c106006421fd382c8bb7d0dde4a7757",
    "D33": "b87d02748fc35987ad31848eaa018309",
    "D34": "bfa73bb2478c5197a4841b26bbee319a",
    "D35": "708271b6fb9eff6ddb04ecd8144df2a1",
    "D36": "7e61234cc1f705872c7157197950f473",
    "D37": "efa7f55b325e0ec0adddfe2f13feb59f",
    "D38": "41a7f446618790981a7126ec4f11a3dc",
    "D39": "bf7c79d4bebfa5e39833e3d19722f906",
    "D40": "00916ab1171c486b2aaa97dff111b767",
    "D41": "09df782a9078662fad344fc00ebf15ef",
    "D42": "5c0c9878f3404e9f827e5b36e9e4bd78",
    "D43": "a3bb8e0a94e7bdf50bb202db4bbfd7cd",
    "D44": "fe9671ef6e3a847cacc014b4e34aed3a",
    "D45": "983b7bc79ce0510cce14ec1b1e16fa11",
    "D46": "bd9ff64e7e4d49f213d8ee68e4c96a73",
    "D47": "8153b39e1b9d535d7b5617f8af824770",
    "D48": "91fc6fc1df6984f2ee4caa0878f79e61",
    "D49": "9bf59efe485d20cefe403e22981bdf5f",
    "D50": "3f51cb54e0812916aab4dd7a3ff1d53f",
    "D51": "845012e87e736e7c086d860c3438395e",
    "D52": "b3e50f0ec2fd1a6fedb01633e45e723c",
    "D53": "fea16eb7f88bef7b8f59cb773c109a1e",
    "D54": "7ce97a6514196ec55b5641ca6da128e4",
    "D55": "83a53d7f3ed452d84bd24a5feb16ca82",
    "D56": "e05b6a4d4118a69e8c1dc21f367a2837",
    "D57": "ecf251b805b618c92f66eeaa42f3a555",
    "D58": "ed0ed6bf2f9d76f7763dfd2a59ade2d7",
    "D59": "ceabd5df9baeb447be7206e8f40b59c9",
    "D60": "18a2dea676bc12c9dfce54859a194132",
    "D61": "1f85e3af72d92fd24b8518f70f235150",
    "D62": "6f79c57fa556d4b449583787e2dcad28",
    "D63": "eb7ee131280bffc2b2416e719c848402",
    "D64": "80e74de3008d706d95097ea1e9f0c47c",
    "D65": "5a3d6019a57aab602339b7ce28b185da",
    "D66": "ad7eb2e9504c2f6aa420e902bf281e8b",
    "D67": "04b67bcc065507358a1cd139f6330386",
    "D68": "2de16cc286ca056234c9d961db6faf29",
    "D69": "847e8b08e204e51b9f6b37b27eb665e2",
    "D70": "e71ea4d910079d8076282a808447b092",
    "D71": "748bfdec8178eb759283b20f8f18c7b7",
    "D72": "aab06dd699291cb98bc9bf3858c5c8e2",
    "D73": "0fb12645d29c83e397bad8a4c2a02641",
    "D74": "84bc434804e1af9e0ebebe35e268fe63",
    "D75": "1925755a7bbb8c63eb84b1f764633040",
    "D76": "f1ad969319f6fc6bd7282c3a665580f1",
    "D77": "4a0bcc6bdb82e5a2021d1fd674143309",
    "D78": "84891367765a6645da6bf344960d3367",
    "D79": "23fe0d9309572a9398ab76585dfed68c",
    "D80": "cda3fa8f9beb4ebd7b1214ae52d63007",
    "D81": "03f9a63e224777b8fc6a831e294eb191",
    "D82": "71ff43df59c976685594c2699a7ca285",
    "D83": "72b08177d945df0f19fd7dee6d7d3199",
    "D84": "71cfd495fe5697ba2c97584362c763d7",
    "D85": "ec10e406c98376ef453e8ff84cd17ab7",
    "D86": "c8ae9a9b08c34f10c98e10b8fbe3faa4",
    "D87": "efd18bd1b96786cd0c1154d3b6607112",
    "D88": "7388e9b96303c330363a127b5f86de9a",
    "D89": "3fbfb4fcacd97bd8ff4d16c865e4d1c5",
    "D90": "9799b578783825b275a016d3f73f5ee9",
    "D91": "5ce405b9a67949c358b8425ad0eb043d",
    "D92": "0e1ad08968c216ec63989cea2ed97591",
    "D93": "51651d6a16ffac5eada215a9828b47dd",
    "D94": "7e665d45c5d145b9677501699ccc6ef9",
    "D95": "78d6a78e47f05bb0ae28a926310a3869",
    "D96": "40633ecff095460e126aa30e55e2b914",
    "D97": "4dbd7162f540bf106e8287b585798341",
    "D98": "5f11c141eb653f7401f9dd28e88cb73c",
    "D99": "ff60fd7aa813f72b8ef0cac840db6761",
    "D100": "8e5e62d263ce3bad21d8c01ac7c0faa5",
    "D101": "c8b21ce148aafb82635cb18966b0eac4",
    "D102": "fa6ac2cf66fe51318209ac74d9a08dee",
    "D103": "5976a960557eca00559042b0041921dd",
    "D104": "f0565aeebc36cad137af950125001082",
    "D105": "6f27031fed8269dd0fb9d36572eb84de",
    "D106": "b338b00b68eec8d35b14b82d5eef2ba8",
    "D107": "3d5c5fe771dab76f041cf58b4b7f95e8",
    "D108": "98e8c0881b909259cc812d0ee1a7f700",
    "D109": "3b0b3b050c09f5505f6c5079a702d87e",
    "D110": "4df933730394c919130a051ef1b5cd53",
    "D111": "459692fc135ea149fe40470d75c2f8ca",
    "D112": "6c4cedeb6915d76742fb224a44293dd6",
}
# The reference names its classes by sorted file stem (string order: D1, D10, D100, ...); the
# label of a file is its position in this order.
CLASS_NAMES = tuple(sorted(MD5S))
SPLIT_OF_TILE = ("train",) * 5 + ("dev", "dev_test", "test", "test")


def tile_boxes(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The reference's tiles, in its order: a third of each side, stepping by a third along x
    (outer) then y (inner), kept only when the tile ends strictly inside the image.

    For a 640×640 plate that is 9 tiles of 213×213; a side divisible by 3 loses its last row or
    column of tiles (the strict test), as in the reference.
    """
    tile_w, tile_h = int(width / 3), int(height / 3)
    if tile_w == 0 or tile_h == 0:
        return []
    return [
        (left, top, left + tile_w, top + tile_h)
        for left in range(0, width, tile_w)
        for top in range(0, height, tile_h)
        if left + tile_w < width and top + tile_h < height
    ]


def tile_splits(rng: np.random.Generator, count: int) -> list[str | None]:
    """The split of each of ``count`` tiles (numbered as ``tile_boxes`` lists them): one
    permutation of 0..8 per plate, whose first 5 tiles go to train, then 1 to dev, 1 to dev_test
    and 2 to test. With fewer than 9 tiles, the draws naming missing tiles are simply unused."""
    order = rng.permutation(9)
    split_of = {int(tile): SPLIT_OF_TILE[position] for position, tile in enumerate(order)}
    return [split_of.get(index) for index in range(count)]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = {"train": [], "dev": [], "dev_test": [], "test": []}
    rng = np.random.default_rng(SEED)
    for label, stem in enumerate(CLASS_NAMES):
        path = raw_dir / f"{stem}.gif"
        if not path.is_file():
            raise layout_error(DATASET, path.name, path.name)
        try:
            with Image.open(path) as image:
                width, height = image.size
        except (OSError, ValueError):
            # Still draw this plate's permutation so the other plates keep their tiles; the whole
            # file goes to train, where the store counts it as corrupt.
            rng.permutation(9)
            out["train"].append(Example(path, label, path.name))
            continue
        boxes = tile_boxes(width, height)
        for index, (box, split) in enumerate(zip(boxes, tile_splits(rng, len(boxes)), strict=True)):
            if split is not None:
                out[split].append(Example(Crop(path, box), label, f"{path.name}[tile {index}]"))
    return out


def iter_fixture_plates(side: int = 16) -> Iterator[tuple[str, bytes]]:
    for number, stem in enumerate(CLASS_NAMES):
        yield f"{stem}.gif", encode_image(fixture_image(number, side, side, 1), "GIF")


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for name, data in iter_fixture_plates():
        (raw_dir / name).write_bytes(data)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Brodatz",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://www.ux.uis.no/~tranden/brodatz.html",
        paper_title="Textures: A Photographic Album for Artists and Designers (P. Brodatz, Dover, "
        "1966); tiling as in A Training-free Classification Framework for Textures, Writers, and "
        "Materials (Timofte & Van Gool, BMVC 2012)",
        paper_url="https://www.ux.uis.no/~tranden/brodatz.html",
        license="unknown: see the homepage (scans of a copyrighted photographic album)",
        artefacts=tuple(
            Artefact(f"{stem}.gif", "url", f"{_URL}{stem}.gif", md5=md5)
            for stem, md5 in MD5S.items()
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: each plate cut into 9 non-overlapping tiles (a third "
        "of each side); one numpy default_rng(0) permutation of the 9 tiles per plate, in class "
        "order: 5 train, 1 dev, 1 dev_test, 2 test (555 / 111 / 111 / 222 tiles)",
        notes="Labels follow the sorted file stems (D1, D10, D100, …), which is the class-name "
        "order the reference records; the reference itself numbers classes and draws its "
        "permutations in directory-listing order (unspecified), so which tiles go where may differ "
        "from the paper's. Tiles are cut by the store (Crop). A plate whose header cannot be read "
        "goes whole to train and is counted corrupt there. The reference asks for random crops "
        "at training time (preprocessing='random_crop') but never applies it (reference quirk "
        "Q1); we store the tiles as they are.",
    )
)
