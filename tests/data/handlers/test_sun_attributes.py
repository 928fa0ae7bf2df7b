"""SUN Attribute database: data/handlers/sun_attributes.py on fixtures in the real raw layout."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from handler_fixtures import SPLITS, converted, prepared

from nevisbench.data.handlers import sun_attributes
from nevisbench.data.handlers._archives import read_members
from nevisbench.data.handlers._fixtures import write_tar
from nevisbench.data.handlers._layout import LayoutError


def test_sun_attributes_positives_are_nonzero_continuous_labels(tmp_path: Path) -> None:
    raw = prepared("sun_attributes", tmp_path / "raw")
    attributes = sun_attributes.read_attributes(raw / sun_attributes._ATTRIBUTES)
    members = read_members(raw / sun_attributes._ATTRIBUTES, "sun_attributes")
    labels = scipy.io.loadmat(io.BytesIO(members[sun_attributes._LABELS_MAT]))["labels_cv"]
    assert attributes["images/a/abbey/sun_a0000.jpg"] == np.flatnonzero(labels[0]).tolist()
    assert 0 < labels[0].max() <= 1 and len(np.flatnonzero(labels[0])) == 3
    out = converted("sun_attributes", raw)
    names = [e.name for s in SPLITS for e in out[s]]
    # 34 listed images, the last one absent from the image tar; the unlisted image is left out.
    assert len(names) == 33 and "images/s/sky/unlisted.jpg" not in names
    assert all(len(e.label) == 3 for s in SPLITS for e in out[s])


def test_sun_attributes_missing_member_names_it(tmp_path: Path) -> None:
    raw = prepared("sun_attributes", tmp_path / "raw")
    write_tar(raw / sun_attributes._ATTRIBUTES, {sun_attributes._NAMES_MAT: b""})
    with pytest.raises(LayoutError, match="attributeLabels_continuous.mat"):
        sun_attributes.convert(raw)
