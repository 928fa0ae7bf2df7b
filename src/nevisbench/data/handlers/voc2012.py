"""PASCAL VOC 2012 classification: the 11,540 annotated images, each labelled with its object classes.

TFDS (``voc/2012``) reads ``ImageSets/Main/train.txt`` (5,717 images) as its ``train`` and ``val.txt``
(5,823) as ``validation``; its ``test`` has no annotations. The reference splits TFDS's ``train`` 80/20
into train/dev and TFDS's ``validation`` 50/50 into dev_test/test.
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

DATASET = "voc2012"
YEAR = 2012
_TRAINVAL = "VOCtrainval_11-May-2012.tar"


def convert(raw_dir: Path) -> dict[str, Iterator[Example]]:
    archive = VocArchive(raw_dir, DATASET, _TRAINVAL, YEAR)
    ids = contiguous_split(
        tfds_order(archive.ids("train"), "train"), [("train", 0.8), ("dev", 1.0)]
    )
    ids.update(
        contiguous_split(
            tfds_order(archive.ids("val"), "validation"), [("dev_test", 0.5), ("test", 1.0)]
        )
    )
    return {split: archive.examples(members) for split, members in ids.items()}


def make_fixture(raw_dir: Path) -> None:
    # 5 train (4/1 after the 80/20 cut) and 4 val images (2/2 after the 50/50 cut). The real archive
    # has no test list and no test annotations.
    train = ["2008_000002", "2008_000003", "2008_000007", "2009_000001", "2010_000002"]
    val = ["2008_000008", "2008_000015", "2011_000003", "2012_000001"]
    write_archive(
        raw_dir / _TRAINVAL,
        YEAR,
        {"train": train, "val": val, "trainval": sorted(train + val)},
        fixture_objects(train + val, offset=3),
    )


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="PASCAL VOC 2012 (classification)",
        num_classes=len(VOC_CLASSES),
        kind=TaskKind.MULTI_LABEL,
        channels=3,
        class_names=VOC_CLASSES,
        homepage="http://host.robots.ox.ac.uk/pascal/VOC/voc2012/",
        paper_title="The PASCAL Visual Object Classes Challenge: A Retrospective (Everingham, Eslami, "
        "Van Gool, Williams, Winn & Zisserman, IJCV 111(1), 2015)",
        paper_url="http://host.robots.ox.ac.uk/pascal/VOC/pubs/everingham15.pdf",
        license="images from Flickr under their owners' terms (see the homepage); annotations free "
        "for research use",
        artefacts=(
            Artefact(
                _TRAINVAL,
                "url",
                "http://pjreddie.com/media/files/" + _TRAINVAL,
                md5="6cd6e144f989b92b3379bac3b3de84fd",
                mirrors=("http://host.robots.ox.ac.uk/pascal/VOC/voc2012/" + _TRAINVAL,),
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference's voc/2012 rule: train = the first int(.8N) of TFDS train "
        "(ImageSets/Main/train.txt) in TFDS's stored order (MD5 of 'train' + image id), dev = the rest "
        "(4,573 / 1,144; the reference's comment says 4,574); dev_test = the first int(.5M) of TFDS validation (val.txt) in its stored order "
        "(MD5 of 'validation' + id), test = the rest (2,911 / 2,912)",
        notes="Multi-label: an image's label is the set of classes among all its annotated objects, as "
        "TFDS's 'labels' feature that the reference reads; objects marked difficult or truncated are "
        "kept. Whole images; boxes are not used. The official test set has no annotations, so the "
        "reference tests on half of val, and VOC2012test.tar is not fetched. TFDS's stored order (MD5 of "
        "split name + image id, ascending) is reproduced, so every split should hold the same images as "
        "the paper's.",
    )
)
