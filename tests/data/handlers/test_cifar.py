"""CIFAR-10 / CIFAR-100 (fine labels): data/handlers/cifar.py on fixtures in the real raw layout;
its TFDS-A split and a truncated archive is tested in test__tfds_objects.py."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from handler_fixtures import CIFAR_STL10_ARCHIVES as ARCHIVES
from handler_fixtures import TFDS_TRAIN_ORDER as TRAIN_ORDER
from handler_fixtures import converted, example_index, rewrite_tar, tar_members

from nevisbench.data.handlers import cifar
from nevisbench.data.spec import get_dataset

# The classic malicious pickle: calls os.system (here with a harmless command) when loaded.
EVIL_PICKLE = b"cos\nsystem\n(S'true'\ntR."


def _train_row_cifar(name: str, raw: Path, index: int) -> np.ndarray:
    members = tar_members(raw / ARCHIVES[name])
    # The CIFAR-10 fixture has 4 images in each of data_batch_1..5; index runs on across them.
    if name == "cifar10":
        member, row = f"cifar-10-batches-py/data_batch_{index // 4 + 1}", index % 4
    else:
        member, row = "cifar-100-python/train", index
    # Plain pickle is fine here: the test reads the fixture it has just written itself.
    batch = pickle.loads(members[member], encoding="bytes")
    return batch[b"data"][row]


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_image_layout(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    first = converted(name, tmp_path)["train"][0]
    assert example_index(first) == TRAIN_ORDER[0]
    image = first.image
    row = _train_row_cifar(name, tmp_path, TRAIN_ORDER[0])
    assert not np.array_equal(image, image.transpose(1, 0, 2))  # the pattern is asymmetric
    for y, x, c in [(0, 1, 0), (1, 0, 0), (5, 17, 1), (31, 2, 2), (3, 30, 2)]:
        # The file: R, G, B planes of 32×32, each row-major.
        assert image[y, x, c] == row[c * 1024 + y * 32 + x]
    np.testing.assert_array_equal(image, cifar.fixture_images(TRAIN_ORDER[0] + 1, 0)[-1])


@pytest.mark.parametrize("name", ["cifar10", "cifar100"])
def test_cifar_pickle_with_a_disallowed_global_is_refused(name: str, tmp_path: Path) -> None:
    get_dataset(name).make_fixture(tmp_path)
    member = "cifar-10-batches-py/data_batch_3" if name == "cifar10" else "cifar-100-python/train"
    rewrite_tar(tmp_path / ARCHIVES[name], {member: EVIL_PICKLE})
    with pytest.raises(ValueError, match=r"refused to unpickle: global os\.system"):
        converted(name, tmp_path)


def test_restricted_unpickler_allows_numpy_arrays_only() -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    loaded = cifar.safe_unpickle(pickle.dumps({b"data": array, b"labels": [1, 2]}), "x")
    np.testing.assert_array_equal(loaded[b"data"], array)
    with pytest.raises(ValueError, match=r"x: refused to unpickle: global builtins\.eval"):
        cifar.safe_unpickle(b"cbuiltins\neval\n(S'1'\ntR.", "x")
    # The real batches are Python 2 pickles naming numpy.core: it resolves without numpy 2's
    # deprecation warning (an error under pytest's settings here).
    py2 = cifar.python2_pickle({b"data": array})
    assert b"cnumpy.core.multiarray\n_reconstruct" in py2 and b"_codecs" not in py2
    np.testing.assert_array_equal(cifar.safe_unpickle(py2, "x")[b"data"], array)


def test_cifar_meta_with_other_class_names_is_refused(tmp_path: Path) -> None:
    cifar.make_fixture_cifar10(tmp_path)
    meta = "cifar-10-batches-py/batches.meta"
    names = [n.encode() for n in reversed(cifar.CIFAR10_CLASS_NAMES)]
    rewrite_tar(tmp_path / ARCHIVES["cifar10"], {meta: pickle.dumps({b"label_names": names})})
    with pytest.raises(ValueError, match="batches.meta.*differs from the official 10 names"):
        converted("cifar10", tmp_path)
