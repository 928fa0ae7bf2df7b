"""PASCAL VOC 2007 classification: 9,963 images, each labelled with the set of its 20 object classes.

TFDS (``voc/2007``) reads ``ImageSets/Main/train.txt`` (2,501 images) as its ``train``, ``val.txt``
(2,510) as ``validation`` and the test archive's ``test.txt`` (4,952) as ``test``. The reference splits
TFDS's ``train`` 80/20 into train/dev and keeps ``validation`` and ``test`` (TFDS-B).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nevisbench.data.handlers._voc import (
    VOC_CLASSES,
    VocArchive,
    fixture_objects,
    write_archive,
)
from nevisbench.data.spec import Artefact, DatasetSpec, Example, register_dataset
from nevisbench.data.splits import contiguous_split, tfds_order
from nevisbench.values import TaskKind

DATASET = "voc2007"
YEAR = 2007
_TRAINVAL = "VOCtrainval_06-Nov-2007.tar"
_TEST = "VOCtest_06-Nov-2007.tar"
TFDS_B = (("train", 0.8), ("dev", 1.0))


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    trainval = VocArchive(raw_dir, DATASET, _TRAINVAL, YEAR)
    test = VocArchive(raw_dir, DATASET, _TEST, YEAR)
    ids = contiguous_split(tfds_order(trainval.ids("train"), "train"), TFDS_B)
    ids["dev_test"] = tfds_order(trainval.ids("val"), "validation")
    out = {split: trainval.examples(members) for split, members in ids.items()}
    out["test"] = test.examples(tfds_order(test.ids("test"), "test"))
    return out


def make_fixture(raw_dir: Path) -> None:
    # 5 train (4/1 after TFDS-B), 3 val and 3 test images with 1-3 objects each, some difficult.
    train = ["000005", "000007", "000009", "000012", "000016"]
    val = ["000017", "000019", "000020"]
    test = ["000001", "000002", "000003"]
    objects = fixture_objects(train + val)
    write_archive(
        raw_dir / _TRAINVAL,
        YEAR,
        {"train": train, "val": val, "trainval": sorted(train + val)},
        objects,
    )
    write_archive(raw_dir / _TEST, YEAR, {"test": test}, fixture_objects(test, offset=7))


_BASE = "http://host.robots.ox.ac.uk/pascal/VOC/voc2007/"

SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="PASCAL VOC 2007 (classification)",
        num_classes=len(VOC_CLASSES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=VOC_CLASSES,
        homepage=_BASE,
        paper_title="The PASCAL Visual Object Classes (VOC) Challenge (Everingham, Van Gool, Williams, "
        "Winn & Zisserman, IJCV 88(2), 2010)",
        paper_url="http://host.robots.ox.ac.uk/pascal/VOC/pubs/everingham10.pdf",
        license="images from Flickr under their owners' terms (see the homepage); annotations free "
        "for research use",
        artefacts=(
            Artefact(
                _TRAINVAL,
                "url",
                "http://pjreddie.com/media/files/" + _TRAINVAL,
                md5="c52e279531787c972589f7e41ab4ae64",
                mirrors=(_BASE + _TRAINVAL,),
                extract=True,
            ),
            Artefact(
                _TEST,
                "url",
                "http://pjreddie.com/media/files/" + _TEST,
                md5="b6e924de25625d8de591ea690078ad9f",
                mirrors=(_BASE + _TEST,),
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference TFDS-B over TFDS voc/2007: train = the first int(.8N) of TFDS train "
        "(ImageSets/Main/train.txt) in TFDS's stored order (MD5 of 'train' + image id), dev = the rest "
        "(2,000 / 501); dev_test = TFDS validation (val.txt, 2,510); test = TFDS test (test.txt of the "
        "test archive, 4,952)",
        notes="Multi-label: an image's label is the set of classes among all its annotated objects, as "
        "TFDS's 'labels' feature that the reference reads; objects marked difficult or truncated are "
        "kept (TFDS's 'labels_no_difficult' is not used). Whole images; boxes are not used. TFDS's "
        "stored order (MD5 of split name + image id, ascending) is reproduced, so train/dev should hold "
        "the same images as the paper's. The reference's unused handler 'pascal_voc2007' is a different "
        "conversion; the stream uses TFDS voc/2007, as here.",
    )
)
