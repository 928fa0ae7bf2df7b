"""Oxford Flowers 102: 8,189 photographs of 102 flower species, with the official train/val/test ids.

TFDS (``oxford_flowers102``) reads ``setid.mat``: ``trnid`` (1,020 images) is its ``train``, ``valid``
(1,020) its ``validation`` and ``tstid`` (6,149) its ``test``; labels come from ``imagelabels.mat``. The
reference splits TFDS's ``train`` 80/20 into train/dev and keeps ``validation`` and ``test`` (TFDS-B).
TFDS stores a split in the order of the MD5 of ``split name + example key`` (the key is
``image_NNNNN.jpg``); that order is reproduced here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.handlers._mat import load_mat
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "oxford_flowers102"
_IMAGES = "102flowers.tgz"
_LABELS = "imagelabels.mat"
_SETID = "setid.mat"
TFDS_B = (("train", 0.8), ("dev", 1.0))
# Our split ← (TFDS split name, setid.mat variable).
_SETS = {
    "train_pool": ("train", "trnid"),
    "dev_test": ("validation", "valid"),
    "test": ("test", "tstid"),
}

# TFDS's label names, in the order of imagelabels.mat's labels 1..102.
CLASS_NAMES = (
    "pink primrose", "hard-leaved pocket orchid", "canterbury bells", "sweet pea", "english marigold",
    "tiger lily", "moon orchid", "bird of paradise", "monkshood", "globe thistle", "snapdragon",
    "colt's foot", "king protea", "spear thistle", "yellow iris", "globe-flower", "purple coneflower",
    "peruvian lily", "balloon flower", "giant white arum lily", "fire lily", "pincushion flower",
    "fritillary", "red ginger", "grape hyacinth", "corn poppy", "prince of wales feathers",
    "stemless gentian", "artichoke", "sweet william", "carnation", "garden phlox", "love in the mist",
    "mexican aster", "alpine sea holly", "ruby-lipped cattleya", "cape flower", "great masterwort",
    "siam tulip", "lenten rose", "barbeton daisy", "daffodil", "sword lily", "poinsettia",
    "bolero deep blue", "wallflower", "marigold", "buttercup", "oxeye daisy", "common dandelion",
    "petunia", "wild pansy", "primula", "sunflower", "pelargonium", "bishop of llandaff", "gaura",
    "geranium", "orange dahlia", "pink-yellow dahlia?", "cautleya spicata", "japanese anemone",
    "black-eyed susan", "silverbush", "californian poppy", "osteospermum", "spring crocus",
    "bearded iris", "windflower", "tree poppy", "gazania", "azalea", "water lily", "rose",
    "thorn apple", "morning glory", "passion flower", "lotus", "toad lily", "anthurium", "frangipani",
    "clematis", "hibiscus", "columbine", "desert-rose", "tree mallow", "magnolia", "cyclamen",
    "watercress", "canna lily", "hippeastrum", "bee balm", "ball moss", "foxglove", "bougainvillea",
    "camellia", "mallow", "mexican petunia", "bromelia", "blanket flower", "trumpet creeper",
    "blackberry lily",
)  # fmt: skip


def read_mat(path: Path, names: Iterable[str]) -> dict[str, np.ndarray]:
    """The named variables of a .mat file, each flattened to a 1-D int64 array."""
    names = tuple(names)
    if not path.is_file():
        raise layout_error(DATASET, path.name, "the file")
    content = load_mat(path, DATASET, path.name, variable_names=names)
    missing = [name for name in names if name not in content]
    if missing:
        raise layout_error(DATASET, path.name, f"variable(s) {', '.join(missing)}")
    return {name: np.asarray(content[name]).reshape(-1).astype(np.int64) for name in names}


def _file(image_id: int) -> str:
    """The image file of an id, ``image_NNNNN.jpg``: TFDS's example key."""
    return f"image_{image_id:05d}.jpg"


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    labels = read_mat(raw_dir / _LABELS, ["labels"])["labels"]
    if len(labels) and (labels.min() < 1 or labels.max() > len(CLASS_NAMES)):
        raise layout_error(DATASET, _LABELS, f"labels within 1..{len(CLASS_NAMES)}")
    sets = read_mat(raw_dir / _SETID, [name for _, name in _SETS.values()])
    images = extracted_dir(raw_dir, _IMAGES) / "jpg"
    if not images.is_dir():
        raise layout_error(DATASET, _IMAGES, "folder jpg/")
    splits: dict[str, list[Example]] = {}
    for ours, (tfds_split, variable) in _SETS.items():
        if any(not 1 <= image_id <= len(labels) for image_id in sets[variable]):
            raise layout_error(DATASET, _SETID, f"{variable} ids within 1..{len(labels)}")
        splits[ours] = [
            Example(images / _file(i), int(labels[i - 1]) - 1, f"jpg/{_file(i)}")
            for i in tfds_order(sets[variable], tfds_split, key=_file)
        ]
    out = contiguous_split(splits.pop("train_pool"), TFDS_B)
    out.update(splits)
    return out


def make_fixture(raw_dir: Path) -> None:
    # 11 images: ids 1-5 are TFDS train (4/1 after TFDS-B), 6-8 validation, 9-11 test. The sets list
    # ids out of order, so labels must be looked up by id, not by position.
    count = 11
    labels = np.array([(0, 1, 101)[i % 3] + 1 for i in range(count)], dtype=np.uint8)
    members = {
        f"jpg/image_{i:05d}.jpg": encode_image(fixture_image(i, 10, 10), "JPEG")
        for i in range(1, count + 1)
    }
    write_tar(raw_dir / _IMAGES, members)
    scipy.io.savemat(raw_dir / _LABELS, {"labels": labels.reshape(1, -1)})
    scipy.io.savemat(
        raw_dir / _SETID,
        {
            "trnid": np.array([[5, 1, 3, 2, 4]], dtype=np.uint16),
            "valid": np.array([[7, 6, 8]], dtype=np.uint16),
            "tstid": np.array([[11, 9, 10]], dtype=np.uint16),
        },
    )


_BASE = "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/"

SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Oxford Flowers 102",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage=_BASE,
        paper_title="Automated Flower Classification over a Large Number of Classes (Nilsback & "
        "Zisserman, ICVGIP 2008)",
        paper_url="https://www.robots.ox.ac.uk/~vgg/publications/2008/Nilsback08/nilsback08.pdf",
        license="unknown: see the homepage",
        artefacts=(
            Artefact(
                _IMAGES,
                "url",
                _BASE + _IMAGES,
                md5="52808999861908f626f3c1f4e79d11fa",
                extract=True,
            ),
            Artefact(_LABELS, "url", _BASE + _LABELS, md5="e0620be6f572b9609742df49c70aed4d"),
            Artefact(_SETID, "url", _BASE + _SETID, md5="a5357ecc9cb78c4bef273ce3793fc85c"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over TFDS oxford_flowers102: train = the first int(.8N) of TFDS "
        "train (setid trnid) in TFDS's stored order (MD5 of 'train' + 'image_NNNNN.jpg'), dev = the rest "
        "(816 / 204); dev_test = TFDS validation (valid, 1,020); test = TFDS test (tstid, 6,149)",
        notes="Labels are imagelabels.mat's 1..102 minus one, named as TFDS names them. TFDS's stored "
        "order (MD5 of split name + key, ascending) is reproduced, so train/dev should hold the same "
        "images as the paper's. The reference's stream holds this dataset twice (2011 and 2021); both "
        "use this one conversion.",
    )
)
