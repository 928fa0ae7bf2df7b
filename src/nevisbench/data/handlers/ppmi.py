"""People Playing Musical Instruments (PPMI, 12 instruments): playing vs. only holding, 24 classes."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import (
    class_lookup,
    label_of,
    layout_error,
    list_files,
    relative_name,
    require,
)
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

DATASET = "ppmi"
_FILE = "norm_ppmi_12class.zip"
_TOP = "norm_image"

INSTRUMENTS = (
    "bassoon", "cello", "clarinet", "erhu", "flute", "frenchhorn", "guitar", "harp", "recorder",
    "saxophone", "trumpet", "violin",
)  # fmt: skip
# <interaction>/<instrument>: the second and third parts of norm_image/<interaction>/<instrument>/
# {train,test}/<file>.jpg. Sorted (the reference numbers them in Python set order, which changes
# from run to run).
CLASS_NAMES = tuple(f"{kind}_instrument/{name}" for kind in ("play", "with") for name in INSTRUMENTS)
_LABELS = class_lookup(CLASS_NAMES)


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    train: list[Example] = []
    test: list[Example] = []
    for path in list_files(root):
        name = relative_name(path, root)
        parts = name.split("/")
        if len(parts) < 4:
            raise layout_error(DATASET, _FILE, f"{_TOP}/<interaction>/<instrument>/<split>/ for {name}")
        example = Example(path, label_of(_LABELS, "/".join(parts[1:3]), DATASET, _FILE, name), name)
        # The reference's filters: the train pool is every image whose path does not contain
        # "test", the test split every image whose path does not contain "train".
        if "test" not in name:
            train.append(example)
        if "train" not in name:
            test.append(example)
    if not train or not test:
        raise layout_error(DATASET, _FILE, f"{_TOP}/*/*/train/ and {_TOP}/*/*/test/ images")
    return official_train_split(train, test)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {"README": b"PPMI, 12 instruments\n"}
    seed = 0
    for class_name in CLASS_NAMES[::5]:
        for split, count in (("train", 5), ("test", 2)):
            for _ in range(count):
                seed += 1
                members[f"{_TOP}/{class_name}/{split}/{seed:04d}.jpg"] = encode_image(
                    fixture_image(seed), "JPEG"
                )
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="People Playing Musical Instruments (PPMI, 12 classes)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://ai.stanford.edu/~bangpeng/ppmi.html",
        paper_title="Grouplet: A Structured Image Representation for Recognizing Human and "
        "Object Interactions (Yao & Fei-Fei, CVPR 2010)",
        paper_url="http://vision.stanford.edu/pdf/YaoFei-Fei_CVPR2010a.pdf",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://vision.stanford.edu/Datasets/" + _FILE,
                md5="88118d8c6b50d72f0bb37a89269185ab",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the official train images drawn train .70 / dev .15 / dev_test "
        ".15 (RandomState(0)) in sorted member-path order; the official test images are the test "
        "split",
        notes="24 classes = {play, with}_instrument × 12 instruments (the folder names under "
        "norm_image/). The reference numbers them in Python set order, which is not "
        "reproducible from run to run; we number them in sorted order (play_instrument/* then "
        "with_instrument/*). The 12 instrument folder names (spelling, e.g. frenchhorn) and the "
        "top folder name are unverified (no listing of the zip was available; the reference only "
        "shows <top>/{play,with}_instrument/<instrument>/{train,test}/<file>); a folder outside "
        "them is a layout error naming it. The train pool is every image "
        "whose path lacks 'test' and the test split every image whose path lacks 'train', "
        "exactly the reference's filters.",
    )
)
