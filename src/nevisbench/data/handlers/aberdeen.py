"""Aberdeen face database: colour face photographs of 90 people (Ian Craw's set from Stirling's PICS)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from nevisbench.data.handlers._archives import zip_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "aberdeen"
_FILE = "Aberdeen.zip"
_NAME = re.compile(r"[a-zA-Z_]+")

# The reference's label list, in its label order. 'jsheenang' keeps its place although the alias
# rule below sends its images to 'jsheenan', so it never has an example.
CLASS_NAMES = (
    "neil", "jenni", "chris_harbron", "john_mccal", "blaw", "dpearson", "ruth",
    "richard_hardwick", "olive", "dlow", "simon", "dougal_grant", "mnicholson", "hack",
    "caroline", "lynn", "adrian", "kay", "fiona_hogarth", "annanena", "heather", "barry",
    "jsheenang", "michael", "alister", "amellanby", "george", "graham_brown", "itaylor", "marie",
    "david", "jim", "alison", "trevor", "iroy", "scott", "louise", "dsmith", "gfindley", "irene",
    "tracy", "johannes", "chris_pin", "anon_one", "stewart", "lynn_james", "peter", "paul",
    "pkyle", "andrew", "mmanson", "graeme", "fiona", "ghall", "paol", "david_imray", "john_thom",
    "stephen", "gordon", "gillian", "dhands", "joanna", "nick", "bfegan", "grant_cumming", "alec",
    "milly", "merilyn", "kirsty", "peter_macgeorge", "dbell", "chris", "miranda", "johnny_page",
    "pat", "terry_johnstone", "tock", "catherine", "blair", "kieran", "martin", "hin", "meggan",
    "jsheenan", "brian_ho", "mark", "dhawley", "derek", "lisa", "ian", "kim", "dave_faquhar",
)  # fmt: skip

# Second sessions of the same person, filed under another name: merged as the reference merges them.
ALIASES = {
    "marieg": "marie",
    "heatherg": "heather",
    "kayg": "kay",
    "neilg": "neil",
    "graemeg": "graeme",
    "dhawleyg": "dhawley",
    "clean_adrian": "adrian",
    "jsheenang": "jsheenan",
}
_LABELS = {name: label for label, name in enumerate(CLASS_NAMES)}


def label_of(member: str) -> int:
    """The label of a member: the first run of letters and underscores of its name (without the
    extension), after the alias merge."""
    match = _NAME.search(posixpath.splitext(member)[0])
    person = match.group(0) if match else ""
    person = ALIASES.get(person, person)
    if person not in _LABELS:
        raise layout_error(DATASET, _FILE, f"a known person for {member} (it names {person!r})")
    return _LABELS[person]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    # The reference reads the zip in the order its directory lists the members.
    examples = [
        Example(root / name, label_of(name), name) for name in zip_names(raw_dir / _FILE, DATASET)
    ]
    if not examples:
        raise layout_error(DATASET, _FILE, "any image")
    return random_split(examples, FRACTIONS_ALL_DATA)


def make_fixture(raw_dir: Path) -> None:
    people = ["neil", "marieg", "clean_adrian", "jsheenang", "chris_harbron", "dave_faquhar", "kay"]
    members = {
        f"{person}{index}.jpg": encode_image(fixture_image(7 * index + k, 12, 10), "JPEG")
        for index in range(1, 6)
        for k, person in enumerate(people)
    }
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="Aberdeen face database",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="http://pics.stir.ac.uk/2D_face_sets.htm",
        paper_title="Psychological Image Collection at Stirling (PICS): the Aberdeen set, "
        "collected by Ian Craw (University of Aberdeen)",
        paper_url="http://pics.stir.ac.uk/",
        license="unknown: see the homepage (PICS images are offered for research use)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://pics.stir.ac.uk/zips/Aberdeen.zip",
                md5="1f7044bd5f0bed01286263aa580a7a87",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 "
        "(RandomState(0)) in the order the zip's directory lists its members",
        notes="Label = the first run of letters/underscores of the file name, with the reference's "
        "alias merge (marieg→marie, heatherg→heather, kayg→kay, neilg→neil, graemeg→graeme, "
        "dhawleyg→dhawley, clean_adrian→adrian, jsheenang→jsheenan). The reference's 92 labels are "
        "kept in its order, so class 22 (jsheenang) is always empty: 91 classes have images. A "
        "file naming no known person is a layout error (the reference fails there too).",
    )
)
