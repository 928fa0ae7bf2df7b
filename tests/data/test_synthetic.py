"""The in-memory dominant-colour dataset: deterministic, separable, read like a converted store."""

from __future__ import annotations

import numpy as np
import pytest

from nevisbench.data.prepare import prepare_dataset
from nevisbench.data.store import ConcatImages
from nevisbench.data.synthetic import colour_prototypes, make_dominant_colour
from nevisbench.values import STORED_SPLITS, Split, TaskKind


def test_same_seed_same_data_other_seed_other_data() -> None:
    first, again = make_dominant_colour(seed=3), make_dominant_colour(seed=3)
    other = make_dominant_colour(seed=4)
    for split in STORED_SPLITS:
        np.testing.assert_array_equal(first.split(split).images, again.split(split).images)
        np.testing.assert_array_equal(first.split(split).labels, again.split(split).labels)
        assert not np.array_equal(first.split(split).images, other.split(split).images)


def test_shapes_counts_and_balanced_labels() -> None:
    counts = {"train": 30, "dev": 12, "dev-test": 9, "test": 6}
    data = make_dominant_colour(num_classes=3, examples_per_split=counts, size=8)
    assert data.task.name == "dominant_colour_3"
    assert data.task.kind is TaskKind.SINGLE_LABEL and data.task.num_classes == 3
    for split in STORED_SPLITS:
        part = data.split(split)
        expected = counts[split.value.replace("_", "-")]
        assert part.images.shape == (expected, 8, 8, 3) and part.images.dtype == np.uint8
        assert part.labels.dtype == np.int64
        assert np.bincount(part.labels, minlength=3).tolist() == [expected // 3] * 3
        assert data.num_examples(split) == data.meta["counts"][split.value] == expected
    assert data.meta["image_shape"] == [8, 8, 3]


def test_one_split_count_leaves_the_others_unchanged() -> None:
    small = make_dominant_colour(
        examples_per_split={"train": 10, "dev": 5, "dev_test": 5, "test": 5}
    )
    large = make_dominant_colour(
        examples_per_split={"train": 50, "dev": 5, "dev_test": 5, "test": 5}
    )
    np.testing.assert_array_equal(small.split("dev").images, large.split("dev").images)


def test_train_and_dev_reads_like_the_store() -> None:
    data = make_dominant_colour(examples_per_split=9)
    both = data.split(Split.TRAIN_AND_DEV)
    assert isinstance(both.images, ConcatImages)
    assert len(both) == data.num_examples("train_and_dev") == 18
    np.testing.assert_array_equal(both.images[np.arange(9, 18)], data.split("dev").images)
    np.testing.assert_array_equal(both.labels[:9], data.split("train").labels)


def test_has_the_reading_interface_of_a_stored_dataset() -> None:
    data = make_dominant_colour()
    stored, _ = prepare_dataset("lfw_faces")  # a real store, tiny and offline
    for attribute in ("task", "meta", "name", "split", "num_examples"):
        assert hasattr(stored, attribute) and hasattr(data, attribute), attribute
    for key in ("spec", "task", "counts", "image_shape", "resolution_policy"):
        assert key in stored.meta and key in data.meta, key
    assert set(data.meta["spec"]) <= set(stored.meta["spec"])
    assert data.meta["task"] == data.task.to_dict()
    # Images are read-only like the store's memory maps; labels are the caller's own copy.
    with pytest.raises(ValueError, match="read-only"):
        data.split("train").images[0, 0, 0, 0] = 1
    data.split("train").labels[:] = 0
    assert data.split("train").labels.any()


@pytest.mark.parametrize("num_classes", [2, 3, 7, 24])
def test_classes_are_separable_by_mean_colour(num_classes: int) -> None:
    data = make_dominant_colour(
        num_classes=num_classes, examples_per_split=4 * num_classes, size=12
    )
    prototypes = colour_prototypes(num_classes)
    assert len({tuple(p) for p in prototypes}) == num_classes
    for split in STORED_SPLITS:
        part = data.split(split)
        means = part.images.reshape(len(part), -1, 3).mean(axis=1) / 255.0
        if num_classes <= 3:
            # Class c: channel c dominates every image.
            assert (means.argmax(axis=1) == part.labels).all()
        # The nearest prototype (after removing the noise's mean) is the label for every image.
        distances = ((means[:, None, :] - 0.3 - 0.4 * prototypes[None]) ** 2).sum(axis=2)
        assert (distances.argmin(axis=1) == part.labels).all()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="2 to 24 classes"):
        make_dominant_colour(num_classes=25)
    with pytest.raises(ValueError, match="exactly"):
        make_dominant_colour(examples_per_split={"train": 5, "train_and_dev": 5})
