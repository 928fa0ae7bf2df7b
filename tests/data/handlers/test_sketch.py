"""TU-Berlin sketch dataset (How Do Humans Sketch Objects?): data/handlers/sketch.py on fixtures in
the real raw layout."""

from __future__ import annotations

from pathlib import Path

from handler_fixtures import prepared

from nevisbench.data.handlers import sketch


def test_sketch_uses_the_reference_label_order(tmp_path: Path) -> None:
    raw = prepared("sketch", tmp_path / "raw")
    examples = sketch.examples(raw)
    assert len(examples) == 12 * 3  # filelist.txt is not an example
    by_folder = {e.name.split("/")[1]: e.label for e in examples}
    assert by_folder["snail"] == 0
    assert by_folder["crane (machine)"] == 2
    assert by_folder["lighter"] == 249
    assert [e.name for e in examples] == sorted(e.name for e in examples)
