"""Tiny ImageNet: 200 ImageNet classes at 64×64, 500 training and 50 validation images each."""

from __future__ import annotations

from pathlib import Path

from nevisbench.data.handlers._archives import iter_lines
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import official_train_split
from nevisbench.values import TaskKind

_FILE = "tiny-imagenet-200.zip"
_ROOT = "tiny-imagenet-200"
# The 200 WordNet ids of wnids.txt, sorted (the reference's label order); convert checks them.
_WNIDS = """
    n01443537 n01629819 n01641577 n01644900 n01698640 n01742172 n01768244 n01770393 n01774384
    n01774750 n01784675 n01855672 n01882714 n01910747 n01917289 n01944390 n01945685 n01950731
    n01983481 n01984695 n02002724 n02056570 n02058221 n02074367 n02085620 n02094433 n02099601
    n02099712 n02106662 n02113799 n02123045 n02123394 n02124075 n02125311 n02129165 n02132136
    n02165456 n02190166 n02206856 n02226429 n02231487 n02233338 n02236044 n02268443 n02279972
    n02281406 n02321529 n02364673 n02395406 n02403003 n02410509 n02415577 n02423022 n02437312
    n02480495 n02481823 n02486410 n02504458 n02509815 n02666196 n02669723 n02699494 n02730930
    n02769748 n02788148 n02791270 n02793495 n02795169 n02802426 n02808440 n02814533 n02814860
    n02815834 n02823428 n02837789 n02841315 n02843684 n02883205 n02892201 n02906734 n02909870
    n02917067 n02927161 n02948072 n02950826 n02963159 n02977058 n02988304 n02999410 n03014705
    n03026506 n03042490 n03085013 n03089624 n03100240 n03126707 n03160309 n03179701 n03201208
    n03250847 n03255030 n03355925 n03388043 n03393912 n03400231 n03404251 n03424325 n03444034
    n03447447 n03544143 n03584254 n03599486 n03617480 n03637318 n03649909 n03662601 n03670208
    n03706229 n03733131 n03763968 n03770439 n03796401 n03804744 n03814639 n03837869 n03838899
    n03854065 n03891332 n03902125 n03930313 n03937543 n03970156 n03976657 n03977966 n03980874
    n03983396 n03992509 n04008634 n04023962 n04067472 n04070727 n04074963 n04099969 n04118538
    n04133789 n04146614 n04149813 n04179913 n04251144 n04254777 n04259630 n04265275 n04275548
    n04285008 n04311004 n04328186 n04356056 n04366367 n04371430 n04376876 n04398044 n04399382
    n04417672 n04456115 n04465501 n04486054 n04487081 n04501370 n04507155 n04532106 n04532670
    n04540053 n04560804 n04562935 n04596742 n04597913 n06596364 n07579787 n07583066 n07614500
    n07615774 n07695742 n07711569 n07715103 n07720875 n07734744 n07747607 n07749582 n07753592
    n07768694 n07871810 n07873807 n07875152 n07920052 n09193705 n09246464 n09256479 n09332890
    n09428293 n12267677
"""
CLASS_NAMES = tuple(_WNIDS.split())


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    base = root / _ROOT
    wnids = sorted(
        set(iter_lines(require(base / "wnids.txt", "tiny_imagenet", _FILE, root).read_bytes()))
    )
    if tuple(wnids) != CLASS_NAMES:
        raise layout_error("tiny_imagenet", _FILE, "the 200 official class ids in wnids.txt")
    index = {wnid: k for k, wnid in enumerate(CLASS_NAMES)}
    # Training images: train/<wnid>/images/<wnid>_<n>.JPEG, labelled by the file-name prefix.
    train = []
    for path in list_files(require(base / "train", "tiny_imagenet", _FILE, root)):
        wnid = path.name.split("_")[0]
        if wnid not in index:
            raise layout_error("tiny_imagenet", _FILE, f"class {wnid} of {path.relative_to(root)}")
        train.append(Example(path, index[wnid], path.relative_to(root).as_posix()))
    # The official validation images (labels in val_annotations.txt) are the test; the official
    # test images have no labels.
    annotations = require(base / "val" / "val_annotations.txt", "tiny_imagenet", _FILE, root)
    val_label = {}
    for line in iter_lines(annotations.read_bytes()):
        fields = line.split("\t")
        if len(fields) < 2 or fields[1] not in index:
            raise layout_error(
                "tiny_imagenet", _FILE, f"a known class in val_annotations.txt ({line!r})"
            )
        val_label[fields[0]] = index[fields[1]]
    test = []
    for path in list_files(require(base / "val", "tiny_imagenet", _FILE, root)):
        if path.name not in val_label:
            raise layout_error("tiny_imagenet", _FILE, f"{path.name} in val/val_annotations.txt")
        test.append(Example(path, val_label[path.name], path.relative_to(root).as_posix()))
    if not train or not test:
        raise layout_error("tiny_imagenet", _FILE, "train/ and val/ images")
    return official_train_split(train, test)


def make_fixture(raw_dir: Path) -> None:
    members: dict[str, bytes] = {
        f"{_ROOT}/wnids.txt": "".join(f"{w}\n" for w in reversed(CLASS_NAMES)).encode(),
        f"{_ROOT}/words.txt": b"n01443537\tgoldfish, Carassius auratus\n",
    }
    for k in range(30):
        wnid = CLASS_NAMES[(7 * k) % 200]
        members[f"{_ROOT}/train/{wnid}/{wnid}_boxes.txt"] = (
            f"{wnid}_{k}.JPEG\t0\t0\t8\t8\n".encode()
        )
        members[f"{_ROOT}/train/{wnid}/images/{wnid}_{k}.JPEG"] = encode_image(
            fixture_image(k, 8, 8), "JPEG"
        )
    lines = []
    for k in range(6):
        wnid = CLASS_NAMES[(11 * k) % 200]
        members[f"{_ROOT}/val/images/val_{k}.JPEG"] = encode_image(
            fixture_image(100 + k, 8, 8), "JPEG"
        )
        lines.append(f"val_{k}.JPEG\t{wnid}\t0\t0\t8\t8\n")
    members[f"{_ROOT}/val/val_annotations.txt"] = "".join(lines).encode()
    members[f"{_ROOT}/test/images/test_0.JPEG"] = encode_image(fixture_image(200, 8, 8), "JPEG")
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="tiny_imagenet",
        title="Tiny ImageNet",
        num_classes=200,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://cs231n.stanford.edu/",
        paper_title="Tiny ImageNet Visual Recognition Challenge (Le & Yang, 2015)",
        paper_url="http://cs231n.stanford.edu/reports/2015/pdfs/yle_project.pdf",
        license="unknown: see the homepage (ImageNet terms: non-commercial research)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                md5="90528d7ca1a48142e341f4ef8d21d0de",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference T3: the 100,000 training images in sorted path order drawn train "
        ".70 / dev .15 / dev_test .15 (RandomState(0)); the 10,000 official validation images "
        "are the test (the unlabelled official test images are not used)",
        notes="Classes are the WordNet ids in sorted order, as the reference. Our sorted path "
        "order is the reference's (it reads the zip's sorted member names), so membership should "
        "match the paper's.",
    )
)
