"""Mall: 2,000 frames of a shopping-mall camera classed by their pedestrian count (10 buckets)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import scipy.io

from nevisbench.data.handlers._buckets import count_buckets
from nevisbench.data.handlers._fixtures import encode_image, fixture_image, write_zip
from nevisbench.data.handlers._layout import layout_error, list_files, require
from nevisbench.data.spec import Artefact, DatasetSpec, Example, extracted_dir, register_dataset
from nevisbench.values import TaskKind

_FILE = "mall_dataset.zip"
_ROOT = "mall_dataset"
NUM_BUCKETS = 10
MAX_COUNT = 100
NUM_FRAMES = 2000
NUM_TRAIN_FRAMES = 800  # the paper's protocol: frames 1–800 train, 801–2000 test
SPLIT_SEED = 1
CLASS_NAMES = tuple(f"count_bucket_{k}" for k in range(NUM_BUCKETS))


def frame_splits() -> dict[str, set[int]]:
    """The reference's frame numbers per split: frames 1..800 permuted by ``default_rng(1)``,
    cut at int(.70·800) and int(.85·800) into train / dev / dev_test; frames 801..2000 test."""
    order = (np.random.default_rng(SPLIT_SEED).permutation(NUM_TRAIN_FRAMES) + 1).tolist()
    first, second = int((1 - 0.15 - 0.15) * NUM_TRAIN_FRAMES), int((1 - 0.15) * NUM_TRAIN_FRAMES)
    return {
        "train": set(order[:first]),
        "dev": set(order[first:second]),
        "dev_test": set(order[second:]),
        "test": set(range(NUM_TRAIN_FRAMES + 1, NUM_FRAMES + 1)),
    }


def read_counts(path: Path) -> list[int]:
    """Pedestrians per frame from mall_gt.mat (``count``: 2000×1)."""
    try:
        counts = scipy.io.loadmat(io.BytesIO(path.read_bytes()))["count"][:, 0]
    except (ValueError, KeyError, IndexError) as error:
        raise ValueError(
            f"dataset mall: {path.name} lacks the 2000×1 'count' array ({error!r})"
        ) from None
    if len(counts) != NUM_FRAMES:
        raise ValueError(f"dataset mall: {path.name} has {len(counts)} counts, not {NUM_FRAMES}")
    return [int(c) for c in counts]


def convert(raw_dir: Path) -> dict[str, list[Example]]:
    root = extracted_dir(raw_dir, _FILE)
    counts = read_counts(require(root / _ROOT / "mall_gt.mat", "mall", _FILE, root))
    table = count_buckets(counts, MAX_COUNT, "mall", NUM_BUCKETS)
    frames = require(root / _ROOT / "frames", "mall", _FILE, root)
    # seq_000001.jpg … seq_002000.jpg: the number after "seq_" is the frame.
    by_frame = {int(p.stem[4:]): p for p in list_files(frames, (".jpg",)) if p.stem[4:].isdigit()}
    if not by_frame:
        raise layout_error("mall", _FILE, f"{_ROOT}/frames/seq_NNNNNN.jpg frames")
    out: dict[str, list[Example]] = {}
    for split, numbers in frame_splits().items():
        # As the reference, a split holds the frames of its numbers that the archive has.
        out[split] = [
            Example(
                by_frame[n], table[min(counts[n - 1], MAX_COUNT - 1)], f"frames/{by_frame[n].name}"
            )
            for n in sorted(numbers & set(by_frame))
        ]
    return out


def make_fixture(raw_dir: Path) -> None:
    # The counts of all 2,000 frames (they fix the buckets); the frames of 10 numbers per split.
    counts = np.array([[13 + (k * 7) % 40] for k in range(NUM_FRAMES)], dtype=np.uint8)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"count": counts, "frame": np.zeros((1, NUM_FRAMES))})
    members = {f"{_ROOT}/mall_gt.mat": buffer.getvalue()}
    for numbers in frame_splits().values():
        for k in sorted(numbers)[:10]:
            members[f"{_ROOT}/frames/seq_{k:06d}.jpg"] = encode_image(
                fixture_image(k, 8, 8), "JPEG"
            )
    write_zip(raw_dir / _FILE, members)


SPEC = register_dataset(
    DatasetSpec(
        id="mall",
        title="Mall (pedestrian-count buckets)",
        num_classes=NUM_BUCKETS,
        kind=TaskKind.SINGLE_LABEL,
        channels=3,
        class_names=CLASS_NAMES,
        homepage="https://personal.ie.cuhk.edu.hk/~ccloy/downloads_mall_dataset.html",
        paper_title="Feature Mining for Localised Crowd Counting (Chen, Loy, Gong & Xiang, BMVC 2012)",
        paper_url="https://doi.org/10.5244/C.26.21",
        license="research use only (see the homepage)",
        artefacts=(
            Artefact(
                _FILE,
                "url",
                "https://personal.ie.cuhk.edu.hk/~ccloy/files/datasets/mall_dataset.zip",
                md5="48a772b5e55e8e9a66a3c8f98598fc3b",
                extract=True,
            ),
        ),
        convert=convert,
        make_fixture=make_fixture,
        split_rule="reference custom rule: frames 1–800 permuted by numpy default_rng(1), first "
        "560 train, next 120 dev, last 120 dev_test; frames 801–2000 test (membership exactly the "
        "reference's)",
        notes="Label = bucket of the frame's pedestrian count (mall_gt.mat 'count'): the "
        "reference's equal-frequency quantisation over all 2,000 frames (histogram of 100 cells, "
        "10 buckets; see trancos), so class k spans a data-dependent count range "
        "(count_bucket_0 = fewest people). Frames are stored in frame order within a split; a frame "
        "missing from the archive is left out, as the reference does.",
    )
)
