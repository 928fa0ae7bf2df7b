"""The KTH-TIPS family (KTH-TIPS, KTH-TIPS2-a, KTH-TIPS2-b): 200×200 colour material textures in one tar each.

The three archives share one layout, ``<top>/<material>/<image>.png`` (KTH-TIPS) or
``<top>/<material>/sample_<x>/<image>.png`` (KTH-TIPS2), and one reference rule: the label is the
material folder (the folder above ``sample_*`` when there is one), numbered in sorted order, and every
image is drawn with R4, in the order the tar stores its members (the reference's order).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nevisbench.data.handlers._archives import tar_names
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import layout_error
from nevisbench.data.spec import (
    Artefact,
    DatasetSpec,
    Example,
    extracted_dir,
    register_dataset,
)
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

HOMEPAGE = "https://www.csc.kth.se/cvap/databases/kth-tips/index.html"

KTH_TIPS_CLASSES = (
    "aluminium_foil", "brown_bread", "corduroy", "cotton", "cracker", "linen", "orange_peel",
    "sandpaper", "sponge", "styrofoam",
)  # fmt: skip

KTH_TIPS2_CLASSES = (
    "aluminium_foil", "brown_bread", "corduroy", "cork", "cotton", "cracker", "lettuce_leaf",
    "linen", "white_bread", "wood", "wool",
)  # fmt: skip

SPLIT_RULE = (
    "reference R4: each image drawn train .56 / dev .12 / dev_test .12 / test .20 (RandomState(0)) "
    "in the tar's member order"
)
# 2: examples follow the tar's member order (1 sorted them by path, unlike the reference).
VERSION = 2


def material_of(relative: str) -> str:
    """The class of an image path inside the archive: its folder, or the folder above ``sample_*``.

    Follows the reference: a path that contains ``sample`` anywhere takes its grandparent folder.
    """
    parts = relative.split("/")
    if len(parts) < 3:
        raise ValueError(f"{relative}: expected <top>/<material>/.../<image>")
    return parts[-3] if "sample" in relative else parts[-2]


def examples(
    raw_dir: Path, dataset: str, archive: str, top: str, class_names: Sequence[str]
) -> list[Example]:
    """Every ``.png`` of the unpacked archive, in the tar's member order, labelled by material."""
    root = extracted_dir(raw_dir, archive)
    base = root / top
    if not base.is_dir():
        # Only the folders below the top one matter (as in the reference): accept another name for it.
        tops = (
            [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
            if root.is_dir()
            else []
        )
        if len(tops) != 1:
            raise layout_error(dataset, archive, f"folder {top}/")
        base = tops[0]
    # The reference lists class folders as the archive's folders without "sample" in their path.
    found = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    if tuple(found) != tuple(class_names):
        missing = sorted(set(class_names) - set(found))
        extra = sorted(set(found) - set(class_names))
        what = f"the material folders {list(class_names)} (missing {missing}, unexpected {extra})"
        raise layout_error(dataset, archive, what)
    index = {name: label for label, name in enumerate(class_names)}
    out = []
    # The reference walks the tar's members in the order the tar stores them (its R4 draw goes by
    # position in that order), labelling only the PNGs; hidden files (._x.png) are left out.
    prefix = base.relative_to(root).as_posix() + "/"
    for relative in tar_names(raw_dir / archive, dataset, as_extracted=True):
        hidden = any(part.startswith(".") for part in relative.split("/"))
        if not relative.startswith(prefix) or not relative.lower().endswith(".png") or hidden:
            continue
        material = material_of(relative) if relative.count("/") >= 2 else ""
        if material not in index:
            raise layout_error(dataset, archive, f"a material folder for {relative}")
        out.append(Example(root / relative, index[material], relative))
    return out


def convert_archive(
    raw_dir: Path, dataset: str, archive: str, top: str, class_names: Sequence[str]
) -> dict[str, list[Example]]:
    return random_split(examples(raw_dir, dataset, archive, top, class_names), FRACTIONS_ALL_DATA)


def write_fixture(
    raw_dir: Path, archive: str, top: str, class_names: Sequence[str], samples: Sequence[str]
) -> None:
    """A tar with the real layout: 3 tiny colour PNGs per material (per sample folder, if any).

    The materials are stored last one first, so that the tar's member order is not the sorted one.
    """
    members: dict[str, bytes] = {}
    seed = 0
    for material in reversed(class_names):
        for sample in samples or ("",):
            folder = f"{top}/{material}/{sample + '/' if sample else ''}"
            for k in range(1, 4):
                seed += 1
                name = f"{seed}{sample[-1:] if sample else ''}-scale_{k}_im_{k}_col.png"
                members[folder + name] = encode_image(fixture_image(seed, 10, 10))
    # A non-PNG member, which the reference (and so we) ignore.
    members[f"{top}/{class_names[0]}/Thumbs.db"] = b"not an image"
    write_tar(raw_dir / archive, members, compression="")


def register(
    *,
    dataset: str,
    title: str,
    archive: str,
    md5: str,
    top: str,
    class_names: tuple[str, ...],
    samples: Sequence[str],
    paper_title: str,
    paper_url: str,
    notes: str,
) -> DatasetSpec:
    """Registers one member of the family."""

    def convert(raw_dir: Path) -> dict[str, list[Example]]:
        return convert_archive(raw_dir, dataset, archive, top, class_names)

    def make_fixture(raw_dir: Path) -> None:
        write_fixture(raw_dir, archive, top, class_names, samples)

    return register_dataset(
        DatasetSpec(
            id=dataset,
            title=title,
            num_classes=len(class_names),
            kind=TaskKind.SINGLE_LABEL,
            channels=3,
            class_names=class_names,
            homepage=HOMEPAGE,
            paper_title=paper_title,
            paper_url=paper_url,
            license="unknown: see the homepage",
            artefacts=(
                Artefact(
                    archive,
                    "url",
                    f"https://www.csc.kth.se/cvap/databases/kth-tips/{archive}",
                    md5=md5,
                    extract=True,
                ),
            ),
            convert=convert,
            make_fixture=make_fixture,
            split_rule=SPLIT_RULE,
            version=VERSION,
            notes=notes,
        )
    )


COMMON_NOTES = (
    "Class names are static (the material folders, sorted, as the reference numbers them at run "
    "time); an archive whose folders differ is refused. Examples follow the tar's member order, "
    "as the reference walks the tar, so R4 membership is the paper's. "
    "The reference's preprocessing='random_crop' metadata is never applied there (quirk Q1) and is "
    "not applied here."
)


def register_kth_tips2(variant: str, md5: str) -> DatasetSpec:
    """Registers KTH-TIPS2-``variant`` (``a`` or ``b``): the two differ only in their archive."""
    return register(
        dataset=f"kth_tips_2{variant}",
        title=f"KTH-TIPS2-{variant} (colour, 200×200)",
        archive=f"kth-tips2-{variant}_col_200x200.tar",
        md5=md5,
        top=f"KTH-TIPS2-{variant}",
        class_names=KTH_TIPS2_CLASSES,
        samples=("sample_a", "sample_b", "sample_c", "sample_d"),
        paper_title="Class-Specific Material Categorisation (Caputo, Hayman & Mallikarjuna, "
        "ICCV 2005)",
        paper_url="https://www.csc.kth.se/cvap/databases/kth-tips/index.html",
        notes=COMMON_NOTES + " The label is the material (the folder above sample_*), not the "
        "physical sample; images of one sample can fall in different splits, as in the reference.",
    )
