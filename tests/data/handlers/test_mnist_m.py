"""MNIST-M: data/handlers/mnist_m.py on fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import SPLITS, prepared_and_converted


def test_mnist_m_labels_each_image_from_its_own_folder_and_drops_duplicates(tmp_path: Path) -> None:
    raw, out = prepared_and_converted("mnist_m", tmp_path / "raw")
    by_name = {e.name: e.label for s in SPLITS for e in out[s]}
    assert len(by_name) == 30 + 12 - 1  # train image 5 repeats train image 4
    assert "mnist_m/mnist_m_train/00000005.png" not in by_name
    # 00000001.png is in both folders with different labels; each keeps its own.
    assert by_name["mnist_m/mnist_m_train/00000001.png"] == 3
    assert by_name["mnist_m/mnist_m_test/00000001.png"] == (500 + 3) % 10
