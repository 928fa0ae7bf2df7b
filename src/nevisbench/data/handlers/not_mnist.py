"""notMNIST (small): glyphs of the letters A–J in many fonts, 28×28 grey, from Kaggle."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._dedup import unique_by_pixels
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

_FILE = "notmnist.zip"
_ROOT = "notMNIST_small/notMNIST_small"
CLASS_NAMES = tuple("ABCDEFGHIJ")
# Two files of notMNIST_small that are not readable images; the reference skips them by name.
SKIPPED = frozenset({
    f"{_ROOT}/A/RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png",
    f"{_ROOT}/F/Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==.png",
})  # fmt: skip


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    folder = root / _ROOT
    if not folder.is_dir():
        raise layout_error("not_mnist", _FILE, f"folder {_ROOT}/")
    examples = []
    # Every file under notMNIST_small/notMNIST_small/<letter>/ in sorted path order, as the
    # reference reads the zip (it tries every non-skipped member; they are all PNGs).
    for path in list_files(folder, (".png",)):
        name = path.relative_to(root).as_posix()
        letter = path.parent.name
        if name in SKIPPED:
            continue
        if letter not in CLASS_NAMES or path.parent.parent != folder:
            raise layout_error("not_mnist", _FILE, f"a letter folder A..J for {name}")
        examples.append(Example(path, CLASS_NAMES.index(letter), name))
    if not examples:
        raise layout_error("not_mnist", _FILE, f"images under {_ROOT}/")
    return random_split(unique_by_pixels(examples, "L"), FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {}
    for k in range(40):
        letter = CLASS_NAMES[k % 10]
        members[f"{_ROOT}/{letter}/font{k:03d}.png"] = encode_image(fixture_image(k, 8, 8, 1))
    # A duplicate glyph (same pixels, same letter) under another name, which is dropped.
    members[f"{_ROOT}/A/zz_duplicate.png"] = members[f"{_ROOT}/A/font000.png"]
    for name in SKIPPED:
        members[name] = b"not a png"
    # The Kaggle zip also holds the large set, which the reference does not use.
    members["notMNIST_large/notMNIST_large/A/big.png"] = encode_image(fixture_image(99, 8, 8, 1))
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="not_mnist",
        title="notMNIST (small)",
        num_classes=10,
        kind=TaskKind.SINGLE_LABEL,
        channels=1,
        class_names=CLASS_NAMES,
        homepage="https://yaroslavvb.blogspot.com/2011/09/notmnist-dataset.html",
        paper_title="notMNIST dataset (Bulatov, 2011)",
        paper_url="https://yaroslavvb.blogspot.com/2011/09/notmnist-dataset.html",
        artefacts=(
            Artefact(
                _FILE,
                "kaggle_dataset",
                "jwjohnson314/notmnist",
                md5="e2a47bb2a88c2c6bcae60d9f95223ace",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4 over notMNIST_small de-duplicated (MD5 of the grey pixels + label, "
        "first kept): each drawn train .56 / dev .12 / dev_test .12 / test .20 (RandomState(0)) "
        "in sorted path order, as the reference reads the zip",
        notes="Only notMNIST_small/notMNIST_small/ is used; the two unreadable files the reference "
        "skips by name are skipped.",
    )
)
