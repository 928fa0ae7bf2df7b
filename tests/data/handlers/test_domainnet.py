"""DomainNet (real, painting, clipart, quickdraw, infograph → sketch): data/handlers/domainnet.py on
fixtures in the real raw layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from handler_fixtures import SPLITS, materialise, prepared

from nevisbench.data.handlers import domainnet
from nevisbench.data.handlers._layout import LayoutError


def test_domainnet_domains_feed_the_reference_roles(tmp_path: Path) -> None:
    raw = prepared(domainnet, tmp_path / "raw")
    out = materialise(domainnet.convert(raw), SPLITS)
    domains = {s: {e.name.split("/")[0] for e in out[s]} for s in SPLITS}
    assert domains == {
        "train": set(domainnet.TRAIN_DOMAINS),
        "dev": set(domainnet.TRAIN_DOMAINS),
        "dev_test": {"sketch"},
        "test": {"sketch"},
    }
    # Fixture: per domain 3 classes × (2 train + 1 test).
    assert [len(out[s]) for s in SPLITS] == [30, 15, 6, 3]
    # Domains stay in the reference's order.
    assert [e.name.split("/")[0] for e in out["dev"]][::3] == list(domainnet.TRAIN_DOMAINS)
    for split in SPLITS:
        for example in out[split]:
            assert domainnet.CLASS_NAMES[example.label] == example.name.split("/")[1]


def test_domainnet_label_that_disagrees_with_folder_raises(tmp_path: Path) -> None:
    raw = prepared(domainnet, tmp_path / "raw")
    path = raw / "sketch_test.txt"
    path.write_text(path.read_text().replace(" 344\n", " 343\n"))
    with pytest.raises(LayoutError, match="sketch_test.txt"):
        domainnet.convert(raw)
