"""MIT Vision Texture (VisTex 1.0): the 167 512×512 reference textures in 19 categories."""

from __future__ import annotations

import io
import posixpath
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from nevisbench.data.extract import MissingToolError, decompress_z
from nevisbench.data.handlers._archives import member_path
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_tar
from nevisbench.data.handlers._layout import (
    class_lookup,
    label_of,
    layout_error,
    list_files,
    require,
)
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.data.splits import FRACTIONS_ALL_DATA, random_split
from nevisbench.values import TaskKind

DATASET = "vistex"
_FILE = "VisTex.tar.gz"
_TOP = "VisTex/"  # what the parts unpack to, inside VisionTexture/

# The reference's rule for a reference texture and its class (matched from the start of the path).
_REFERENCE = re.compile(r"^.+/Images/Reference/(.+)/.+.ppm")

CLASS_NAMES = (
    "Bark", "Brick", "Buildings", "Clouds", "Fabric", "Flowers", "Food", "Grass", "Leaves",
    "Metal", "Misc", "Paintings", "Sand", "Stone", "Terrain", "Tile", "Water", "WheresWaldo",
    "Wood",
)  # fmt: skip
_LABELS = class_lookup(CLASS_NAMES)
_MAX_LINKS = 16
_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


@dataclass
class _Index:
    """What the archive parts hold: where each regular file is, and every link's target."""

    files: dict[str, Path] = field(default_factory=dict)  # member name -> the part holding it
    links: dict[str, str] = field(default_factory=dict)  # member name -> resolved target name


def _parts(root: Path) -> list[Path]:
    # VisionTexture/vistex1.0a.[A-H].tar.Z (LZW-compressed tars); the reference also unpacks any
    # other file with ".tar" in its name.
    parts = [p for p in list_files(root, (".z", ".tar")) if ".tar" in p.name]
    if not parts:
        raise layout_error(DATASET, _FILE, "VisionTexture/vistex1.0a.*.tar.Z archive parts")
    return parts


def _open_part(part: Path) -> tarfile.TarFile:
    data = part.read_bytes()
    if part.name.endswith(".Z"):
        data = decompress_z(data)
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:")


def _index(parts: list[Path]) -> _Index:
    index = _Index()
    for part in parts:
        try:
            with _open_part(part) as tar:
                for member in tar:
                    name = member_path(member.name)
                    if member.isfile():
                        index.files[name] = part
                    elif member.issym():
                        # A symbolic link is relative to its own folder.
                        index.links[name] = posixpath.normpath(
                            posixpath.join(posixpath.dirname(name), member.linkname)
                        )
                    elif member.islnk():
                        index.links[name] = member_path(member.linkname)  # a hard link: a member name
        except (*_TAR_ERRORS, ValueError) as error:
            raise ValueError(
                f"dataset {DATASET}: {part.name} inside {_FILE} is not a readable .tar.Z ({error}); "
                f"delete downloads/{DATASET}/{_FILE} (and its extracted copy) and prepare again"
            ) from None
    return index


def _resolve(index: _Index, name: str) -> str:
    """The regular file ``name`` stands for, following links (they may cross archive parts)."""
    target = name
    for _ in range(_MAX_LINKS):
        if target in index.files:
            return target
        if target not in index.links:
            break
        target = index.links[target]
    raise layout_error(DATASET, _FILE, f"the image {name} links to ({target})")


def reference_textures(raw_dir: Path) -> tuple[list[tuple[str, str, int]], list[Path], _Index]:
    """The reference textures as (path, resolved file, label), sorted by path."""
    root = require(extracted_dir(raw_dir, _FILE), DATASET, _FILE)
    parts = _parts(root)
    index = _index(parts)
    textures = []
    for name in sorted(set(index.files) | set(index.links)):
        match = _REFERENCE.match(name)
        if not name.startswith(_TOP) or match is None:
            continue
        label = label_of(_LABELS, match.group(1), DATASET, _FILE, name)
        textures.append((name, _resolve(index, name), label))
    if not textures:
        raise layout_error(DATASET, _FILE, f"{_TOP}Images/Reference/<category>/*.ppm")
    return textures, parts, index


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    textures, parts, index = reference_textures(raw_dir)
    wanted = {target for _, target, _ in textures}
    data: dict[str, bytes] = {}
    for part in parts:  # a second pass, reading only the images the references point to
        if not any(index.files[target] == part for target in wanted):
            continue
        with _open_part(part) as tar:
            for member in tar:
                name = member_path(member.name)
                if member.isfile() and name in wanted:
                    handle = tar.extractfile(member)
                    assert handle is not None  # a regular file always has one
                    data[name] = handle.read()
    examples = [Example(data[target], label, name) for name, target, label in textures]
    return random_split(examples, FRACTIONS_ALL_DATA)


# ---------------------------------------------------------------------------------------- fixture


def _tar_bytes(files: dict[str, bytes], links: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        for name, target in links.items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def fixture_layout() -> tuple[dict[str, bytes], dict[str, str], dict[str, bytes]]:
    """Part A (the reference links, and a scene link), part B (the flat image files)."""
    flat: dict[str, bytes] = {}
    links: dict[str, str] = {}
    for k in range(36):
        category = CLASS_NAMES[k % len(CLASS_NAMES)]
        stem = f"{category}.{k:04d}"
        flat[f"VisTex/FLAT/512x512/{stem}.ppm"] = encode_image(fixture_image(k), "PPM")
        flat[f"VisTex/FLAT/128x128/{stem}.ppm"] = encode_image(fixture_image(k, 4, 4), "PPM")
        links[f"VisTex/Images/Reference/{category}/{stem}.ppm"] = f"../../../FLAT/512x512/{stem}.ppm"
    # A scene (not a reference texture): not read.
    links["VisTex/Images/Scenes/GrassLand/context1.ppm"] = "../../../FLAT/512x512/Grass.0007.ppm"
    part_a_files = {"VisTex/README": b"Vision Texture 1.0\n"}
    return part_a_files, links, flat


def make_fixture(raw_dir: Path) -> None:
    try:
        import ncompress  # optional dependency (nevisbench[lzw]), as for the real archive
    except ImportError:
        raise MissingToolError(
            f"the {DATASET} fixture writes .tar.Z parts, which needs the ncompress package: "
            f"pip install 'nevisbench[lzw]'"
        ) from None

    part_a_files, links, flat = fixture_layout()
    members = {
        "VisionTexture/buildVisTex": b"#!/bin/sh\nfor f in vistex1.0a.*.tar.Z; do zcat $f | tar xf -; done\n",
        "VisionTexture/vistex1.0a.A.tar.Z": ncompress.compress(_tar_bytes(part_a_files, links)),
        "VisionTexture/vistex1.0a.B.tar.Z": ncompress.compress(_tar_bytes(flat, {})),
    }
    write_tar(raw_dir / _FILE, members, compression="gz")


SPEC = register_dataset(
    DatasetSpec(
        id=DATASET,
        title="VisTex (Vision Texture, reference textures)",
        num_classes=len(CLASS_NAMES),
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://vismod.media.mit.edu/vismod/imagery/VisionTexture/vistex.html",
        paper_title="VisTex: Vision Texture Database (MIT Media Laboratory, Vision and Modeling "
        "Group, 1995)",
        paper_url="https://vismod.media.mit.edu/vismod/imagery/VisionTexture/vistex.html",
        license="free for research and educational use with attribution, under the copyright "
        "notice in the distribution's README (see the homepage)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "http://vismod.media.mit.edu/pub/VisTex/VisTex.tar.gz",
                md5="f176ad5c9383141f981e3668b232add7",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference R4: each reference texture drawn train .56 / dev .12 / dev_test .12 "
        "/ test .20 (RandomState(0)) in sorted path order (the reference walks the unpacked "
        "folders in file-system order, which is not reproducible)",
        notes="The archive holds LZW-compressed tar parts (VisionTexture/vistex1.0a.*.tar.Z); "
        "they are read in memory (needs the optional ncompress package, pip install "
        "'nevisbench[lzw]', as the reference does) and nothing is unpacked to disk. Images are "
        "the files under VisTex/Images/Reference/<category>/ (symbolic links into the flat image "
        "folders, resolved across parts); the texture scenes are not used. The class is the "
        "category folder (so Paintings.* files stay Paintings); the reference numbers classes "
        "in file-system order, we number the 19 categories alphabetically. The reference's "
        "'random_crop' preprocessing is never applied by it (Q1), so whole images are stored.",
    )
)
