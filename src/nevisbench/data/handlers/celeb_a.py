"""CelebA: 202,599 aligned and cropped 178×218 face images with 40 binary attributes (multi-label)."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

_ID = "celeb_a"
_IMAGES = "img_align_celeba.zip"
_IMAGE_DIR = "img_align_celeba"
_PARTITION = "list_eval_partition.txt"
_ATTRIBUTES = "list_attr_celeba.txt"

# The reference's label order (its _CELEB_A_ATTRIBUTES), which is also the column order of
# list_attr_celeba.txt.
CLASS_NAMES = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
    "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows",
    "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones",
    "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin",
    "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair",
    "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace",
    "Wearing_Necktie", "Young",
)  # fmt: skip

# list_eval_partition.txt: 0 = train, 1 = validation, 2 = test.
_PARTITIONS = {"0": "train", "1": "validation", "2": "test"}


def read_attributes(path: Path) -> dict[str, list[int]]:
    """``{image file name: positive attribute indices}`` from list_attr_celeba.txt.

    The file: a count line, a header line naming the 40 attributes, then ``name v1 … v40`` with each
    value 1 (present) or -1 (absent).
    """
    lines = [line.split() for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
    if len(lines) < 2 or tuple(lines[1]) != CLASS_NAMES:
        raise layout_error(_ID, path.name, f"a header line naming the {len(CLASS_NAMES)} attributes")
    out: dict[str, list[int]] = {}
    for number, fields in enumerate(lines[2:], start=3):
        if len(fields) != len(CLASS_NAMES) + 1 or any(v not in ("1", "-1") for v in fields[1:]):
            raise layout_error(
                _ID, path.name, f"line {number} as a file name and {len(CLASS_NAMES)} values of ±1"
            )
        out[fields[0]] = [k for k, value in enumerate(fields[1:]) if value == "1"]
    return out


def read_partition(path: Path) -> dict[str, list[str]]:
    """``{train|validation|test: sorted image file names}`` from list_eval_partition.txt."""
    out: dict[str, list[str]] = {name: [] for name in _PARTITIONS.values()}
    for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or fields[1] not in _PARTITIONS:
            raise layout_error(_ID, path.name, f"line {number} as '<file name> <0|1|2>'")
        out[_PARTITIONS[fields[1]]].append(fields[0])
    return {name: sorted(files) for name, files in out.items()}


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _IMAGES) / _IMAGE_DIR
    if not root.is_dir():
        raise layout_error(_ID, _IMAGES, f"folder {_IMAGE_DIR}/")
    attributes = read_attributes(require(raw_dir / _ATTRIBUTES, _ID, _ATTRIBUTES, raw_dir))
    partition = read_partition(require(raw_dir / _PARTITION, _ID, _PARTITION, raw_dir))

    def examples(names: list[str]) -> list[Example]:
        out = []
        for name in names:
            if name not in attributes:
                raise layout_error(_ID, _ATTRIBUTES, f"the attributes of {name}")
            path = root / name
            if not path.is_file():
                raise layout_error(_ID, _IMAGES, f"{_IMAGE_DIR}/{name}")
            out.append(Example(path, attributes[name], f"{_IMAGE_DIR}/{name}"))
        return out

    # TFDS-B over the official partition, each part in TFDS's stored order (key: the file name).
    def ordered(part: str) -> list[Example]:
        return examples(tfds_order(partition[part], part, lambda name: name))

    out = contiguous_split(ordered("train"), [("train", 0.8), ("dev", 1.0)])
    out["dev_test"] = ordered("validation")
    out["test"] = ordered("test")
    return out


def make_fixture(raw_dir: Path) -> None:
    raw_dir.mkdir(parents=True, exist_ok=True)
    names = [f"{k:06d}.jpg" for k in range(1, 13)]
    parts = ["0"] * 6 + ["1"] * 3 + ["2"] * 3
    write_zip(
        raw_dir / _IMAGES,
        {f"{_IMAGE_DIR}/{name}": encode_image(fixture_image(k, 14, 12), "JPEG")
         for k, name in enumerate(names)},
    )
    (raw_dir / _PARTITION).write_text("".join(f"{n} {p}\r\n" for n, p in zip(names, parts, strict=True)))
    rows = []
    for k, name in enumerate(names):
        values = ["1" if (k + a) % 3 == 0 else "-1" for a in range(len(CLASS_NAMES))]
        rows.append(f"{name} " + " ".join(f"{v:>2}" for v in values))
    (raw_dir / _ATTRIBUTES).write_text(
        f"{len(names)}\n" + " ".join(CLASS_NAMES) + " \n" + "\n".join(rows) + "\n"
    )


def _drive(filename: str, file_id: str, sha256: str, extract: bool = False) -> Artefact:
    return Artefact(filename, "gdrive", file_id, sha256=sha256, extract=extract)


SPEC = register_dataset(
    DatasetSpec(
        id=_ID,
        title="CelebA (40 attributes)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
        paper_title="Deep Learning Face Attributes in the Wild (Liu, Luo, Wang & Tang, ICCV 2015)",
        paper_url="https://arxiv.org/abs/1411.7766",
        license="non-commercial research and educational use only (CelebA agreement on the "
        "homepage)",
        artefacts=(
            _drive(_IMAGES, "0B7EVK8r0v71pZjFTYXZWM3FlRnM",
                   "46fb89443c578308acf364d7d379fe1b9efb793042c0af734b6112e4fd3a8c74", extract=True),
            _drive(_PARTITION, "0B7EVK8r0v71pY0NSMzRuSXJEVkk",
                   "fc955bcb3ef8fbdf7d5640d9a8693a8431b5f2ee291a5c1449a1549e7e073fe7"),
            _drive(_ATTRIBUTES, "0B7EVK8r0v71pblRyaVFSWGxPY0U",
                   "f0e5da289d5ccf75ffe8811132694922b60f2af59256ed362afa03fefba324d0"),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over the official partition (list_eval_partition.txt): "
        "train = first int(.8N) of the official train images (0), dev = the rest; dev_test = "
        "official validation (1); test = official test (2) (130,216 / 32,554 / 19,867 / 19,962)",
        notes="Sources and SHA-256s as TFDS celeb_a (Google Drive files of the authors). Labels are "
        "the positive attributes of list_attr_celeba.txt (value 1; -1 is absent) in the "
        "reference's attribute order, which equals the file's column order (checked). Each "
        "partition is put in the order TFDS stores it (sorted by MD5 of split name + file name, "
        "TFDS's key), so the contiguous train/dev cut has the reference's membership and order.",
    )
)
